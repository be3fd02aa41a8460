/* golden-runs - a fixed set of whole-chain runs whose traces must not change under a refactoring
 *
 * Every built-in scenario runs the same generated cases (client behaviour, timing, every fault
 * of the catalogue, destructive ones included) with the full trace on. A run is kept as a short
 * hash of its JSON Lines trace, so golden-traces.json is small and any byte that moves shows.
 * A behaviour change is meant to change it: `npm run golden:update` writes it again, and the
 * diff of that file is part of the change under review.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { labCase } from '../../properties/arbitraries/lab-case.ts';
import { runCase } from '../../properties/lab-case.ts';
import { BUILTIN_NAMES, loadScenario } from '../../scenarios/index.ts';
import type { TraceEvent } from '../../sim/trace.ts';

/** Seed and count of the generated cases: enough to reach every fault and AUTH outcome. */
const GOLDEN_SEED = 20_241_106;
const CASES_PER_SCENARIO = 120;

export type GoldenTraces = Record<string, string[]>;

/** The hash of the trace as its JSON Lines file holds it (TraceRecorder.toJsonLines). */
function digest(events: readonly TraceEvent[]): string {
  const hash = createHash('sha256');
  for (const event of events) hash.update(`${JSON.stringify(event)}\n`);
  return hash.digest('hex').slice(0, 16);
}

/** Trace hashes of every golden run, by scenario, in case order. */
export function goldenTraces(): GoldenTraces {
  const cases = fc.sample(labCase({ faults: 'any' }), { seed: GOLDEN_SEED, numRuns: CASES_PER_SCENARIO });
  const traces: GoldenTraces = {};
  for (const name of BUILTIN_NAMES) {
    const scenario = loadScenario({ scenario: name });
    traces[name] = cases.map((labCase) => digest(runCase(scenario, labCase, true).trace ?? []));
  }
  return traces;
}

export const GOLDEN_FILE = new URL('./golden-traces.json', import.meta.url);
