/* measure - the lab's benchmark figures: throughput, time to the bug, shrink time, repro wall time, memory
 *
 * Every figure is a median over repeated measurements taken in one run on one machine, so
 * ratios between them are meaningful; nothing here asserts a target (targets are compared
 * in BENCHMARKS.md, never in a timed test).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../scenarios/index.ts';
import { runScenario } from '../scenarios/run.ts';
import { runLabProperty, runLabPropertyOn } from '../properties/check.ts';
import { propertyById } from '../properties/suite.ts';
import { exploreScenarioOn } from '../properties/explore/explore-scenario.ts';
import type { Executor, ExecutorScope } from '../properties/parallel/executor.ts';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** CPU time this process has used (every thread: the garbage collector's too), in ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Full sessions (connect, EHLO, AUTH, one message, QUIT through the whole chain) per CPU-second of
 * this process: each batch runs until it has used `batchMs` of CPU. CPU time rather than wall time,
 * so that other work on a shared machine does not count against the lab (on an idle machine the
 * two agree within the garbage collector's helper threads).
 */
export function sessionsPerSecond(scenarioName: string, batches: number, batchMs: number): number[] {
  const scenario = loadScenario({ scenario: scenarioName });
  for (let seed = 0; seed < 2000; seed++) runScenario(scenario, { seed }); // warm-up: until V8 has optimised the hot code
  const rates: number[] = [];
  let seed = 0;
  for (let b = 0; b < batches; b++) {
    const start = cpuMs();
    let sessions = 0;
    while (cpuMs() - start < batchMs) {
      runScenario(scenario, { seed: seed++ });
      sessions++;
    }
    rates.push(sessions / ((cpuMs() - start) / 1000));
  }
  return rates;
}

export interface SearchFigures {
  readonly seeds: number;
  readonly found: number;
  readonly runsToFailure: number[];
  readonly msToFailure: number[];
  readonly shrinkMs: number[];
  readonly shrinkSteps: number[];
}

/** Property 1 on mailu-2024.06 for seeds 1..n: how many generated runs and how long until the bug, and shrinking. */
export function bugSearch(seeds: number): SearchFigures {
  const scenario = loadScenario({ scenario: 'mailu-2024.06' });
  const property = propertyById('bug-exists')!;
  const figures = { seeds, found: 0, runsToFailure: [] as number[], msToFailure: [] as number[], shrinkMs: [] as number[], shrinkSteps: [] as number[] };
  for (let seed = 1; seed <= seeds; seed++) {
    const start = performance.now();
    // onRun fires for generated runs only, so its last call is the run that failed; shrinking follows.
    let failedAt = 0;
    const outcome = runLabProperty(property, { scenario, seed, numRuns: 10_000, onRun: () => { failedAt = performance.now(); } });
    const end = performance.now();
    if (outcome.runsToFailure === null) continue;
    figures.found++;
    figures.runsToFailure.push(outcome.runsToFailure);
    figures.msToFailure.push(failedAt - start);
    figures.shrinkMs.push(end - failedAt);
    figures.shrinkSteps.push(outcome.shrinks);
  }
  return figures;
}

const SMTP_LAB = fileURLToPath(new URL('../bin/smtp-lab.js', import.meta.url));

/** Process wall time of `smtp-lab repro` (start-up, search, shrinking, drawing, files), in ms. */
export function reproWallMs(times: number): number[] {
  const out = mkdtempSync(join(tmpdir(), 'smtp-lab-bench-'));
  try {
    return Array.from({ length: times }, () => {
      const start = performance.now();
      const result = spawnSync(process.execPath, [SMTP_LAB, 'repro', '--out', out], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`repro exited ${result.status}: ${result.stderr}`);
      return performance.now() - start;
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface MemoryFigures {
  readonly sessions: number;
  /** Heap used after a GC at each tenth of the run, in MiB. */
  readonly heapMiB: number[];
  readonly rssPeakMiB: number;
}

/** Heap after each tenth of `sessions` runs (after a forced GC when --expose-gc is on). */
export function memoryOver(sessions: number): MemoryFigures {
  const scenario = loadScenario({ scenario: 'mailu-2024.06' });
  const gc = (globalThis as { gc?: () => void }).gc;
  const heapMiB: number[] = [];
  let rssPeak = 0;
  const step = Math.max(1, Math.floor(sessions / 10));
  for (let i = 0; i < sessions; i++) {
    runScenario(scenario, { seed: i });
    if ((i + 1) % step === 0) {
      gc?.();
      const usage = process.memoryUsage();
      heapMiB.push(usage.heapUsed / 2 ** 20);
      rssPeak = Math.max(rssPeak, usage.rss / 2 ** 20);
    }
  }
  return { sessions, heapMiB, rssPeakMiB: rssPeak };
}

export interface SpeedUpPlan {
  /** Generated runs of the check workload. */
  readonly checkRuns: number;
  /** Deviations of the explore workload. */
  readonly exploreDeviations: number;
  /** Timings per thread count, alternated (1, N, 1, N, ...) so a change of load hits both. */
  readonly repeats: number;
}

export interface SpeedUp {
  readonly workload: string;
  readonly workers: number;
  /** Wall time with one thread and with `workers` threads, each repeat, ms (threads started and stopped included). */
  readonly oneMs: number[];
  readonly manyMs: number[];
  /** CPU time of the process (every thread) per run, ms: what the machine gave, against what the wall clock shows. */
  readonly oneCpuMs: number[];
  readonly manyCpuMs: number[];
  /** The 1-minute load average before and after. */
  readonly load: readonly [number, number];
}

/** The same work with one thread and with `workers`: `check` of a passing property (every run made) and an exploration. */
export async function parallelSpeedUp(workers: number, scope: ExecutorScope, plan: SpeedUpPlan): Promise<SpeedUp[]> {
  const lockstep = loadScenario({ scenario: 'lockstep' });
  const property = propertyById('fixed-sequencing')!;
  const workloads: { name: string; run: (executor: Executor) => Promise<unknown> }[] = [
    {
      name: `check fixed-sequencing on lockstep, ${plan.checkRuns} generated runs`,
      run: async (executor) => {
        const { coverage, property: _, ...outcome } = await runLabPropertyOn(executor, property, { scenario: lockstep, seed: 1, numRuns: plan.checkRuns });
        return { ...outcome, counts: [...coverage.counts] };
      },
    },
    {
      name: `explore lockstep, ${plan.exploreDeviations} deviations (every TCP mode and lookup bin)`,
      run: async (executor) => {
        const { property: _, ...outcome } = await exploreScenarioOn(executor, { scenario: lockstep, property, deviations: plan.exploreDeviations, faults: 0, maxDecisions: 2_000, maxRuns: 500_000 });
        return outcome;
      },
    },
  ];
  const figures: SpeedUp[] = [];
  for (const workload of workloads) {
    const before = loadavg()[0]!;
    const timed = async (n: number) => {
      const start = performance.now();
      const cpu = process.cpuUsage();
      const result = await scope(n, async (executor) => JSON.stringify(await workload.run(executor)));
      const used = process.cpuUsage(cpu);
      return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, result };
    };
    const runs = { oneMs: [] as number[], manyMs: [] as number[], oneCpuMs: [] as number[], manyCpuMs: [] as number[] };
    for (let repeat = 0; repeat < plan.repeats; repeat++) {
      const one = await timed(1);
      const many = await timed(workers);
      // A speed-up of a different answer would be no speed-up.
      if (many.result !== one.result) throw new Error(`${workload.name}: ${workers} threads gave another result than one`);
      runs.oneMs.push(one.ms);
      runs.manyMs.push(many.ms);
      runs.oneCpuMs.push(one.cpuMs);
      runs.manyCpuMs.push(many.cpuMs);
    }
    figures.push({ workload: workload.name, workers, ...runs, load: [before, loadavg()[0]!] });
  }
  return figures;
}
