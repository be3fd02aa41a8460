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
import { runLabProperty } from '../properties/check.ts';
import { propertyById } from '../properties/suite.ts';
import { median as medianOrNull } from '../conformance/stats.ts';

/** The median of measurements a figure always has (stats.ts median(), which answers null for none). */
export function median(values: readonly number[]): number {
  const middle = medianOrNull(values);
  if (middle === null) throw new Error('a benchmark figure with no measurement');
  return middle;
}

/** CPU time this process has used (every thread: the garbage collector's too), in ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Sessions between two readings of the CPU clock: process.cpuUsage() sums every thread's usage
 * (getrusage), and read after each session it took ~4 % of the figure (7,402 -> 7,770 and
 * 7,168 -> 7,479 sessions per CPU-second, 2026-11-30); a batch overshoots by fewer than this many
 * sessions, which the rate counts with the CPU they used.
 */
const SESSIONS_PER_READING = 50;

/**
 * Full sessions (connect, EHLO, AUTH, one message, QUIT through the whole chain) per CPU-second of
 * this process: each batch runs until it has used `batchMs` of CPU. CPU time rather than wall time,
 * so that other work on a shared machine does not count against the lab (on an idle machine the
 * two agree within the garbage collector's helper threads).
 */
export function sessionsPerSecond(scenarioName: string, batches: number, batchMs: number, sets: readonly string[] = []): number[] {
  const scenario = loadScenario({ scenario: scenarioName, sets: [...sets] });
  for (let seed = 0; seed < 2000; seed++) runScenario(scenario, { seed }); // warm-up: until V8 has optimised the hot code
  const rates: number[] = [];
  let seed = 0;
  for (let b = 0; b < batches; b++) {
    const start = cpuMs();
    let sessions = 0;
    while (cpuMs() - start < batchMs) {
      for (let i = 0; i < SESSIONS_PER_READING; i++) runScenario(scenario, { seed: seed++ });
      sessions += SESSIONS_PER_READING;
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
  /**
   * Generated runs of the same check made long: each thread pays a fixed ~2.5 s of CPU before V8
   * has compiled the hot code (BENCHMARKS.md), so the speed-up depends on the job's length, and the
   * jobs --workers exists for (10^5 to 10^7 traces) are long.
   */
  readonly longCheckRuns: number;
  /** Deviations of the explore workload. */
  readonly exploreDeviations: number;
  /** Sessions per cell of the matrix workload. */
  readonly matrixRuns: number;
  /** Generated traces of the demo workload. */
  readonly demoTraces: number;
  /** Timings per thread count, alternated (1, N, 1, N, ...) so a change of load hits both. */
  readonly repeats: number;
}

export interface SpeedUp {
  readonly workload: string;
  readonly workers: number;
  /** Wall time of the command as a process with `--workers 1` and with `--workers N`, each repeat, ms (start-up, threads and output included). */
  readonly oneMs: number[];
  readonly manyMs: number[];
  /** CPU time of that process (every thread) per run, ms: what the machine gave, against what the wall clock shows. */
  readonly oneCpuMs: number[];
  readonly manyCpuMs: number[];
  /**
   * Of that, the command's own thread, ms (/proc/self/task, Linux; empty elsewhere). With one
   * worker the rest is V8's helper threads (collector, compiler), which an idle second core runs
   * beside it; with more, the pool's threads too.
   */
  readonly oneMainCpuMs: number[];
  readonly manyMainCpuMs: number[];
  /** The 1-minute load average before and after. */
  readonly load: readonly [number, number];
}

/** The commands people run with --workers (check, explore, matrix, demo), as `smtp-lab` arguments, each with --json. */
export function speedUpWorkloads(plan: SpeedUpPlan): { readonly name: string; readonly args: readonly string[] }[] {
  return [
    // A property that holds on lockstep for every run, so both processes make every run: fixed-sequencing, the lab's claim
    // (safety fails there at run 2,050, a client's own XCLIENT after login: README, findings; that would time one serial shrink).
    ...[plan.checkRuns, plan.longCheckRuns].map((runs) => ({ name: `check fixed-sequencing on lockstep, ${runs} generated runs`, args: ['check', '--scenario', 'lockstep', '--property', 'fixed-sequencing', '--runs', String(runs)] })),
    { name: `explore lockstep, ${plan.exploreDeviations} deviations (every TCP mode and lookup bin)`, args: ['explore', '--scenario', 'lockstep', '--property', 'fixed-sequencing', '--deviations', String(plan.exploreDeviations)] },
    { name: `matrix with ${plan.matrixRuns} sessions per cell`, args: ['matrix', '--runs', String(plan.matrixRuns)] },
    { name: `demo (npm start) with ${plan.demoTraces} traces`, args: ['demo', '--traces', String(plan.demoTraces)] },
  ].map(({ name, args }) => ({ name, args: [...args, '--json'] }));
}

/**
 * Loaded into each timed process (node --import): writes the process's CPU time (every thread,
 * the pool's included) to fd 3 as it exits, so the bench reads what the command used, and the
 * CPU of its main thread: utime + stime of /proc/self/task/<pid>/stat (fields 14 and 15, in
 * USER_HZ ticks of 10 ms), or nothing where there is no /proc.
 */
const REPORT_CPU = `data:text/javascript,${encodeURIComponent([
  "import { readFileSync, writeSync } from 'node:fs';",
  'function mainThreadMs() {',
  '  try {',
  "    const stat = readFileSync('/proc/self/task/' + process.pid + '/stat', 'utf8');",
  "    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');",
  '    return (Number(fields[11]) + Number(fields[12])) * 10;',
  "  } catch { return ''; }",
  '}',
  "process.on('exit', () => { const u = process.cpuUsage(); writeSync(3, (u.user + u.system) / 1000 + ' ' + mainThreadMs()); });",
].join('\n'))}`;

/** The wall time an explore report prints is the one thing that differs between two runs of it. */
const withoutWallTime = (stdout: string) => stdout.replace(/"wallMs": \d+/g, '"wallMs": 0');

/** One run of `smtp-lab ARGS --workers N` in `cwd`: wall and CPU time, and what it printed. */
function timedCommand(args: readonly string[], workers: number, cwd: string): { ms: number; cpuMs: number; mainCpuMs: number | null; result: string } {
  const start = performance.now();
  const child = spawnSync(process.execPath, ['--import', REPORT_CPU, SMTP_LAB, ...args, '--workers', String(workers)], {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'], maxBuffer: 64 * 2 ** 20,
  });
  const ms = performance.now() - start;
  // Exit 1 is a verdict (a check that found a counterexample), which both sides must print alike; 2 and signals are not.
  if (child.status !== 0 && child.status !== 1) throw new Error(`smtp-lab ${args.join(' ')} --workers ${workers} exited ${child.status ?? child.signal}: ${child.stderr}`);
  const [cpuMs, mainCpuMs] = String(child.output[3]).split(' ');
  return { ms, cpuMs: Number(cpuMs), mainCpuMs: mainCpuMs ? Number(mainCpuMs) : null, result: `exit ${child.status}\n${withoutWallTime(child.stdout)}` };
}

/** Each command as a process with one thread and with `workers`, alternated; the outputs must be the same. */
export function parallelSpeedUp(workers: number, plan: SpeedUpPlan): SpeedUp[] {
  const cwd = mkdtempSync(join(tmpdir(), 'smtp-lab-speed-up-'));
  try {
    return speedUpWorkloads(plan).map((workload) => {
      const before = loadavg()[0]!;
      const runs = { oneMs: [] as number[], manyMs: [] as number[], oneCpuMs: [] as number[], manyCpuMs: [] as number[], oneMainCpuMs: [] as number[], manyMainCpuMs: [] as number[] };
      for (let repeat = 0; repeat < plan.repeats; repeat++) {
        const one = timedCommand(workload.args, 1, cwd);
        const many = timedCommand(workload.args, workers, cwd);
        // A speed-up of a different answer would be no speed-up.
        if (many.result !== one.result) throw new Error(`${workload.name}: ${workers} threads printed another result than one`);
        runs.oneMs.push(one.ms);
        runs.manyMs.push(many.ms);
        runs.oneCpuMs.push(one.cpuMs);
        runs.manyCpuMs.push(many.cpuMs);
        if (one.mainCpuMs !== null) runs.oneMainCpuMs.push(one.mainCpuMs);
        if (many.mainCpuMs !== null) runs.manyMainCpuMs.push(many.mainCpuMs);
      }
      return { workload: workload.name, workers, ...runs, load: [before, loadavg()[0]!] as const };
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
