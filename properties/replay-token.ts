/* replay-token - a printed counterexample as one copy-pasteable token, and back
 *
 * The token carries what fast-check needs to regenerate the exact counterexample (seed and
 * shrink path, as fast-check prints them) plus the property and the scenario with its --set
 * overrides, as base64url JSON so it survives any shell.
 */
import { UsageError } from '../cli/command.ts';

export interface ReplayToken {
  readonly property: string;
  /** Built-in scenario name or scenario file path, as given to the command. */
  readonly scenario: string;
  readonly sets: readonly string[];
  readonly seed: number;
  readonly path: string;
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
    !Array.isArray(t.sets) || !t.sets.every((s) => typeof s === 'string') || !Number.isSafeInteger(t.seed) || typeof t.path !== 'string'
  ) {
    throw new UsageError('the replay token is damaged: it lacks property, scenario, sets, seed or path');
  }
  return { property: t.property, scenario: t.scenario, sets: t.sets, seed: t.seed as number, path: t.path };
}
