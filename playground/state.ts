/* state - everything the playground shows, as a URL fragment, and back
 *
 * A lesson, an issue comment or a slide links to an exact trace with one of these. The state
 * lives in the fragment (#...) so it works the same from file://, from any static host and
 * offline: nothing is sent to a server. Fields, all optional, as URLSearchParams:
 *   scenario  a built-in scenario name, or the file name of the pasted scenario (default mailu-2024.06)
 *   pasted    the pasted scenario file's JSON text (then `scenario` is its file name)
 *   set       KEY=VALUE, repeatable, applied in order after the scenario (as `--set`)
 *   seed      the run's seed (default 1)
 *   replay    a replay token (properties/replay-token.ts): show its counterexample instead of one run
 *   compare   the fixed proxy beside it: lockstep (default), pr3322, none
 *   detail    app, tcp (default) or all (viewer/export/detail.ts)
 *   step      the step of the diagram to stop at (1-based)
 * A fragment with an unknown field or a bad value is refused with the reason, never guessed at.
 */
import { DETAILS, type Detail } from '../viewer/export/detail.ts';

export const COMPARISONS = ['lockstep', 'pr3322', 'none'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface PlaygroundState {
  readonly scenario: string;
  readonly pasted: string | null;
  readonly sets: readonly string[];
  readonly seed: number;
  readonly replay: string | null;
  readonly compare: Comparison;
  readonly detail: Detail;
  readonly step: number | null;
}

export const DEFAULT_STATE: PlaygroundState = {
  scenario: 'mailu-2024.06',
  pasted: null,
  sets: [],
  seed: 1,
  replay: null,
  compare: 'lockstep',
  detail: 'tcp',
  step: null,
};

const FIELDS = ['scenario', 'pasted', 'set', 'seed', 'replay', 'compare', 'detail', 'step'] as const;

export class StateError extends Error {
  override readonly name = 'StateError';
}

/** The fragment for a state, without '#'; fields at their default are left out. */
export function encodeState(state: PlaygroundState): string {
  const params = new URLSearchParams();
  if (state.scenario !== DEFAULT_STATE.scenario) params.set('scenario', state.scenario);
  if (state.pasted !== null) params.set('pasted', state.pasted);
  for (const assignment of state.sets) params.append('set', assignment);
  if (state.seed !== DEFAULT_STATE.seed) params.set('seed', String(state.seed));
  if (state.replay !== null) params.set('replay', state.replay);
  if (state.compare !== DEFAULT_STATE.compare) params.set('compare', state.compare);
  if (state.detail !== DEFAULT_STATE.detail) params.set('detail', state.detail);
  if (state.step !== null) params.set('step', String(state.step));
  return params.toString();
}

/** The state a fragment (with or without '#') names. */
export function decodeState(fragment: string): PlaygroundState {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  for (const field of params.keys()) {
    if (!(FIELDS as readonly string[]).includes(field)) throw new StateError(`unknown field '${field}' in the link; fields: ${FIELDS.join(', ')}`);
  }
  const one = (field: string): string | null => params.get(field);
  const seed = one('seed');
  const step = one('step');
  const compare = one('compare') ?? DEFAULT_STATE.compare;
  const detail = one('detail') ?? DEFAULT_STATE.detail;
  if (!(COMPARISONS as readonly string[]).includes(compare)) throw new StateError(`compare must be one of ${COMPARISONS.join(', ')}, got '${compare}'`);
  if (!(DETAILS as readonly string[]).includes(detail)) throw new StateError(`detail must be one of ${DETAILS.join(', ')}, got '${detail}'`);
  return {
    scenario: one('scenario') ?? DEFAULT_STATE.scenario,
    pasted: one('pasted'),
    sets: params.getAll('set'),
    seed: seed === null ? DEFAULT_STATE.seed : wholeNumber('seed', seed, 0x7fffffff),
    replay: one('replay'),
    compare: compare as Comparison,
    detail: detail as Detail,
    step: step === null ? null : wholeNumber('step', step, Number.MAX_SAFE_INTEGER),
  };
}

function wholeNumber(field: string, text: string, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > max) throw new StateError(`${field} must be a whole number from 0 to ${max}, got '${text}'`);
  return value;
}

/** A link to `state` on the playground page at `pageUrl` (file://…/index.html, a hosted URL, or a relative path). */
export function playgroundLink(pageUrl: string, state: Partial<PlaygroundState>): string {
  const fragment = encodeState({ ...DEFAULT_STATE, ...state });
  return fragment === '' ? pageUrl : `${pageUrl}#${fragment}`;
}
