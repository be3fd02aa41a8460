/* bench - npm run bench: measure the lab against its targets and write BENCHMARKS.md */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { Command } from '../command.ts';
import { EXIT_OK, UsageError } from '../command.ts';
import { integerOption, parseOptions } from '../args.ts';
import { workersOption } from '../parallel-options.ts';
import { bugSearch, median, memoryOver, parallelSpeedUp, reproWallMs, sessionsPerSecond, type SpeedUpPlan } from '../../bench/measure.ts';
import { speedUpRow, speedUpText, withSpeedUpRows } from '../bench-speed-up.ts';
import { LAB_PATH, realStackRatio, realStackRow, realStackText } from '../bench-real-stack.ts';
import type { RealStackPath } from '../../bench/real-stack-sessions.ts';

const usage = `usage: smtp-lab bench [--quick [--write]] [--sessions N] [--seeds N] [--workers N] [--no-write]
       smtp-lab bench --speed-up-only [--workers N] [--no-write]

Measures, in one run on this machine: simulated full sessions per CPU-second on one core (median of 5
batches of 2 s of CPU), generated runs and time to the first counterexample of the Mailu bug over N seeds (default
20), shrink time, the wall time of \`smtp-lab repro\` as a process (median of 5), and heap over N sessions
(default 1,000,000; run node with --expose-gc for exact heap figures), and the speed-up of the commands
people run with --workers (check, short and long, explore, matrix, demo) on N threads against one (--workers N, default this machine's cores;
alternated 1, N, 1, N, 1, N, medians, with the load average; the results must be identical), and, where
the real Postfix and Dovecot are installed and this runs as root, the same session on them (200 sessions
one at a time; wall time and the daemons' CPU per session) as a ratio to the lab's. Prints the
figures (one line reads "<N> sessions/s") and writes them to BENCHMARKS.md unless --no-write.

--speed-up-only measures the worker-thread speed-up alone (a few minutes) and replaces only its rows
in BENCHMARKS.md, each dated.

--quick measures every figure once, small (one 0.2 s batch per scenario, 3 seeds, one repro,
1,000 sessions), in a few seconds: to see that the bench still runs, not to compare figures. It
writes BENCHMARKS.md only with --write.

Targets (issue 5): >= 20,000 sessions/s on one core; the bug within 100 generated runs (median over 20
seeds); repro under 2 s of process wall time; memory flat over 10^6 sessions. Issue 14: >= 1.8x with
2 worker threads on 2 cores; >= 2,000x the real stack per session.`;

/** How much each figure measures; --sessions and --seeds override their entries. */
interface BenchPlan {
  readonly batches: number;
  readonly batchMs: number;
  readonly seeds: number;
  readonly reproRuns: number;
  readonly sessions: number;
  readonly speedUp: SpeedUpPlan;
  /** Sessions run on the real stack, when it is installed, per path: the delivered one and the bug's refused one (seconds each). */
  readonly realStackSessions: Readonly<Record<RealStackPath, number>>;
}

const FULL: BenchPlan = { batches: 5, batchMs: 2000, seeds: 20, reproRuns: 5, sessions: 1_000_000, speedUp: { checkRuns: 20_000, longCheckRuns: 100_000, exploreDeviations: 2, matrixRuns: 500, demoTraces: 5000, repeats: 3 }, realStackSessions: { delivered: 200, refused: 10 } };
const QUICK: BenchPlan = { batches: 1, batchMs: 200, seeds: 3, reproRuns: 1, sessions: 1000, speedUp: { checkRuns: 40, longCheckRuns: 80, exploreDeviations: 0, matrixRuns: 1, demoTraces: 10, repeats: 1 }, realStackSessions: { delivered: 0, refused: 0 } };

const NOTES_MARKER = '<!-- figures above are rewritten by npm run bench; notes below are kept by hand -->';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const bench: Command = {
  name: 'bench',
  usage,
  async run(args) {
    const { values } = parseOptions(args, {
      quick: { type: 'boolean' }, write: { type: 'boolean' }, sessions: { type: 'string' }, seeds: { type: 'string' }, 'no-write': { type: 'boolean' },
      workers: { type: 'string' }, 'speed-up-only': { type: 'boolean' },
    });
    if (values.write && !values.quick) throw new UsageError('--write goes with --quick (the full bench writes BENCHMARKS.md unless --no-write)');
    if (values['no-write'] && values.quick) throw new UsageError('--quick writes nothing unless --write; --no-write is for the full bench');
    const plan = values.quick ? QUICK : FULL;
    const sessions = integerOption('sessions', values.sessions, plan.sessions, 10, 100_000_000);
    const seeds = integerOption('seeds', values.seeds, plan.seeds, 1, 1000);
    const workers = workersOption(values.workers);
    const write = values.quick ? values.write === true : !values['no-write'];
    const log = (line: string) => console.log(line);
    const today = new Date().toISOString().slice(0, 10);

    if (values['speed-up-only']) {
      if (values.quick) throw new UsageError('--speed-up-only measures the full speed-up figures; --quick is for the whole bench');
      const figures = parallelSpeedUp(workers, FULL.speedUp);
      for (const figure of figures) log(`speed-up, ${figure.workload}: ${speedUpText(figure)}`);
      if (!values['no-write']) {
        if (!existsSync('BENCHMARKS.md')) throw new UsageError('--speed-up-only rewrites the speed-up rows of an existing BENCHMARKS.md; run the full bench first (npm run bench)');
        writeFileSync('BENCHMARKS.md', withSpeedUpRows(readFileSync('BENCHMARKS.md', 'utf8'), figures.map((figure) => speedUpRow(figure, today))));
        log('wrote the speed-up rows of BENCHMARKS.md');
      }
      return EXIT_OK;
    }

    const buggy = sessionsPerSecond(LAB_PATH.delivered.scenario, plan.batches, plan.batchMs, LAB_PATH.delivered.sets);
    const fixed = sessionsPerSecond('lockstep', plan.batches, plan.batchMs);
    const batches = plan.batches === 1 ? 'one batch' : `median of ${plan.batches} batches`;
    log(`${fmt(median(buggy))} sessions/s (${LAB_PATH.delivered.scenario}, one core, per CPU-second, ${batches}: ${buggy.map((r) => fmt(r)).join(', ')})`);
    log(`${fmt(median(fixed))} sessions/s (lockstep)`);
    const refused = sessionsPerSecond(LAB_PATH.refused.scenario, plan.batches, plan.batchMs, LAB_PATH.refused.sets);
    log(`${fmt(median(refused))} sessions/s (the bug's refused session: ${LAB_PATH.refused.scenario}, ${LAB_PATH.refused.sets.join(' ')})`);

    const realStack = [
      await realStackRatio('delivered', median(buggy), plan.realStackSessions.delivered),
      await realStackRatio('refused', median(refused), plan.realStackSessions.refused),
    ];
    for (const ratio of realStack) log(realStackText(ratio));

    const search = bugSearch(seeds);
    log(`bug found for ${search.found}/${search.seeds} seeds; median ${median(search.runsToFailure)} generated runs, ${fmt(median(search.msToFailure), 1)} ms to the first counterexample; shrinking ${fmt(median(search.shrinkMs), 1)} ms in ${median(search.shrinkSteps)} steps (medians)`);

    const repro = reproWallMs(plan.reproRuns);
    log(`repro process wall time: median ${fmt(median(repro))} ms (${repro.map((r) => fmt(r)).join(', ')})`);

    const speedUps = parallelSpeedUp(workers, plan.speedUp);
    for (const figure of speedUps) log(`speed-up, ${figure.workload}: ${speedUpText(figure)}`);

    const memory = memoryOver(sessions);
    const first = memory.heapMiB[0] ?? 0;
    const last = memory.heapMiB.at(-1) ?? 0;
    log(`heap over ${fmt(sessions)} sessions: ${memory.heapMiB.map((h) => fmt(h, 1)).join(', ')} MiB (first tenth ${fmt(first, 1)}, last ${fmt(last, 1)}); peak RSS ${fmt(memory.rssPeakMiB)} MiB`);

    if (write) {
      const cpu = cpus()[0]?.model ?? 'unknown CPU';
      const lines = [
        '# Benchmarks',
        '',
        `Measured by \`npm run bench${values.quick ? ' -- --quick' : ''}\` on ${today}: ${cpu}, ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}. All figures from one run; medians.`,
        '',
        '| figure | target | measured |',
        '|---|---|---|',
        `| full simulated sessions per CPU-second, one core (${LAB_PATH.delivered.scenario}, 235 path) | ≥ 20,000 | ${fmt(median(buggy))} (batches: ${buggy.map((r) => fmt(r)).join(', ')}) |`,
        `| full simulated sessions per CPU-second, one core (lockstep) | ≥ 20,000 | ${fmt(median(fixed))} |`,
        `| simulated sessions per CPU-second, one core, the bug's refused session (${LAB_PATH.refused.scenario}, ${LAB_PATH.refused.sets.join(' ')}) | | ${fmt(median(refused))} |`,
        `| generated runs to the first counterexample (median over ${seeds} seeds) | ≤ 100 | ${median(search.runsToFailure)} (found for ${search.found}/${search.seeds} seeds; per seed: ${search.runsToFailure.join(', ')}) |`,
        `| time to the first counterexample (median) | | ${fmt(median(search.msToFailure), 1)} ms |`,
        `| shrink time (median) | | ${fmt(median(search.shrinkMs), 1)} ms, ${median(search.shrinkSteps)} steps |`,
        `| \`smtp-lab repro\` process wall time incl. shrinking (median of ${plan.reproRuns}) | < 2 s | ${fmt(median(repro))} ms |`,
        `| heap after each tenth of ${fmt(sessions)} sessions | flat | ${memory.heapMiB.map((h) => fmt(h, 1)).join(', ')} MiB; peak RSS ${fmt(memory.rssPeakMiB)} MiB |`,
        ...realStack.map(realStackRow),
        ...speedUps.map((figure) => speedUpRow(figure, today)),
        '',
      ];
      // The figures are regenerated; the hand-written notes after the marker are kept.
      const previous = existsSync('BENCHMARKS.md') ? readFileSync('BENCHMARKS.md', 'utf8') : '';
      const markerAt = previous.indexOf(NOTES_MARKER);
      const notes = markerAt < 0 ? '\n' : previous.slice(markerAt + NOTES_MARKER.length);
      writeFileSync('BENCHMARKS.md', `${lines.join('\n')}\n${NOTES_MARKER}${notes}`);
      log('wrote BENCHMARKS.md');
    }
    return EXIT_OK;
  },
};
