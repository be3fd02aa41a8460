/* replay-token - a printed counterexample as one copy-pasteable token, and back
 *
 * The token carries what fast-check needs to regenerate the exact counterexample (seed and
 * shrink path, as fast-check prints them) plus the property, the scenario with its --set
 * overrides, and the verdict the trace had, as base64url JSON so it survives any shell. A
 * replay holds only when the same trace gives the same verdict again.
 */
import { UsageError } from '../scenarios/errors.ts';
import type { CheckOutcome } from './check.ts';

export interface ReplayToken {
  readonly property: string;
  /** Built-in scenario name or scenario file path, as given to the command. */
  readonly scenario: string;
  readonly sets: readonly string[];
  readonly seed: number;
  readonly path: string;
  /** What the trace showed when the token was printed (the property's verdict, or the crash). */
  readonly verdict: string;
}

/** The token of an outcome's counterexample, or null when it has none. */
export function replayTokenOf(outcome: CheckOutcome, scenario: string, sets: readonly string[]): string | null {
  if (outcome.path === null || outcome.counterexample === null) return null;
  const verdict = outcome.verdict ?? outcome.error ?? '';
  return encodeReplayToken({ property: outcome.property.id, scenario, sets, seed: outcome.seed, path: outcome.path, verdict });
}

export function encodeReplayToken(token: ReplayToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

export function decodeReplayToken(text: string): ReplayToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new UsageError(`'${text.slice(0, 40)}' is not a replay token (copy the whole token printed after "replay:")`);
  }
  const t = parsed as Partial<ReplayToken>;
  if (
    typeof t !== 'object' || t === null || typeof t.property !== 'string' || typeof t.scenario !== 'string' ||
    !Array.isArray(t.sets) || !t.sets.every((s) => typeof s === 'string') || !Number.isSafeInteger(t.seed) || typeof t.path !== 'string' ||
    typeof t.verdict !== 'string'
  ) {
    throw new UsageError('the replay token is damaged: it lacks property, scenario, sets, seed, path or verdict');
  }
  return { property: t.property, scenario: t.scenario, sets: t.sets, seed: t.seed as number, path: t.path, verdict: t.verdict };
}
