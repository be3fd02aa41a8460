/* explore-token - an explored schedule as one copy-pasteable token, and back
 *
 * Carries what replays the schedule exactly: the property, the scenario with its --set
 * overrides, the case's enumerated keys and fault placements, the choice index at each
 * branching decision and the decision bound it ran under, plus the verdict it had. Base64url
 * JSON like the fast-check tokens (replay-token.ts), told apart by its `explore` field, so
 * `smtp-lab replay` takes either.
 */
import { UsageError } from '../../scenarios/errors.ts';
import type { ScenarioValues } from '../../scenarios/index.ts';
import type { LinkFaults } from '../../scenarios/run.ts';

export interface ExploreToken {
  readonly explore: 1;
  readonly property: string;
  readonly scenario: string;
  readonly sets: readonly string[];
  readonly overrides: Readonly<Partial<ScenarioValues>>;
  readonly faults: LinkFaults;
  readonly choices: readonly number[];
  readonly maxDecisions: number;
  readonly verdict: string;
}

export function encodeExploreToken(token: Omit<ExploreToken, 'explore'>): string {
  return Buffer.from(JSON.stringify({ explore: 1, ...token }), 'utf8').toString('base64url');
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

export function isExploreToken(text: string): boolean {
  const value = parsed(text);
  return typeof value === 'object' && value !== null && (value as { explore?: unknown }).explore === 1;
}

export function decodeExploreToken(text: string): ExploreToken {
  const t = parsed(text) as Partial<ExploreToken> | null;
  if (
    t === null || typeof t !== 'object' || t.explore !== 1 || typeof t.property !== 'string' || typeof t.scenario !== 'string' ||
    !Array.isArray(t.sets) || !t.sets.every((s) => typeof s === 'string') || typeof t.overrides !== 'object' || t.overrides === null ||
    typeof t.faults !== 'object' || t.faults === null || !Array.isArray(t.choices) || !t.choices.every((c) => Number.isSafeInteger(c) && c >= 0) ||
    !Number.isSafeInteger(t.maxDecisions) || typeof t.verdict !== 'string'
  ) {
    throw new UsageError('the explore token is damaged: it lacks property, scenario, sets, overrides, faults, choices, maxDecisions or verdict');
  }
  return t as ExploreToken;
}
