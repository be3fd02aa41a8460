/* find-failure - "Find a failure": property 1 (bug exists) searched and shrunk, with progress, ending in a replay token
 *
 * What `smtp-lab repro` does, for the page's worker (and its tests): fast-check generates
 * traces until a correct client gets 454 with improper pipelining after XCLIENT, then shrinks
 * it. The property's verdict is wrapped only to count: each generated trace while searching,
 * each candidate tried while shrinking, so the page can say which phase it is in.
 */
import { runLabProperty } from '../properties/check.ts';
import { replayTokenOf } from '../properties/replay-token.ts';
import { propertyById, type LabProperty } from '../properties/suite.ts';
import { loadScenario } from '../scenarios/index.ts';

export interface FindRequest {
  readonly scenario: string;
  readonly sets: readonly string[];
  readonly seed: number;
  readonly runs: number;
}

export type FindProgress =
  | { readonly phase: 'search'; readonly traces: number }
  | { readonly phase: 'shrink'; readonly tried: number; readonly smaller: number };

export interface FindResult {
  /** The shrunk counterexample's token; null when none was found. */
  readonly token: string | null;
  readonly verdict: string | null;
  readonly traces: number;
  readonly tracesToFailure: number | null;
  readonly shrinks: number;
  /** Why the bug cannot happen on this scenario, when property 1 says so. */
  readonly notApplicable: string | null;
}

export const BUG_EXISTS = 'bug-exists';

export function findFailure(request: FindRequest, onProgress: (progress: FindProgress) => void): FindResult {
  const scenario = loadScenario({ scenario: request.scenario, sets: request.sets });
  const property = propertyById(BUG_EXISTS)!;
  let found = false;
  let tried = 0;
  let smaller = 0;
  const counting: LabProperty = {
    ...property,
    verdict(labCase, report, ran) {
      const verdict = property.verdict(labCase, report, ran);
      if (found) {
        tried++;
        if (verdict !== null) smaller++;
        onProgress({ phase: 'shrink', tried, smaller });
      }
      if (verdict !== null) found = true;
      return verdict;
    },
  };
  const outcome = runLabProperty(counting, { scenario, seed: request.seed, numRuns: request.runs, onRun: (traces) => onProgress({ phase: 'search', traces }) });
  if (outcome.error !== null) throw new Error(`a generated trace crashed the lab (fast-check seed ${outcome.seed}, path ${outcome.path}): ${outcome.error}`);
  return {
    token: replayTokenOf(outcome, request.scenario, request.sets),
    verdict: outcome.verdict,
    traces: outcome.runs,
    tracesToFailure: outcome.runsToFailure,
    shrinks: outcome.shrinks,
    notApplicable: property.appliesTo(scenario),
  };
}
