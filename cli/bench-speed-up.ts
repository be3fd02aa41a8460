/* bench-speed-up - the worker-thread speed-up figures of `smtp-lab bench`: their text, their rows, and rewriting only those rows
 *
 * `bench --speed-up-only` measures these figures alone (the rest of the bench takes many minutes
 * and would rewrite every figure with the load of the moment) and replaces only their rows in
 * BENCHMARKS.md, each row saying when it was measured.
 */
import { median, type SpeedUp } from '../bench/measure.ts';
import { UsageError } from './command.ts';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const seconds = (ms: readonly number[]) => ms.map((t) => fmt(t / 1000, 1)).join(', ');

/**
 * One figure in words: the ratio of the medians, each run, the CPU the process got (median per
 * run: on a machine shared with other sessions, threads get no more CPU than one thread did,
 * and this shows it) and how much of it the main thread used (with one worker the rest ran on
 * V8's helper threads, which the second core gives one thread for nothing: BENCHMARKS.md), and
 * the load the machine had.
 */
export function speedUpText(figure: SpeedUp): string {
  const ratio = median(figure.oneMs) / median(figure.manyMs);
  const mainThread = figure.oneMainCpuMs.length > 0 && figure.manyMainCpuMs.length > 0
    ? `, on the main thread ${seconds([median(figure.oneMainCpuMs)])} s and ${seconds([median(figure.manyMainCpuMs)])} s`
    : '';
  return `${fmt(ratio, 2)}× (1 thread ${seconds(figure.oneMs)} s; ${figure.workers} threads ${seconds(figure.manyMs)} s; `
    + `CPU per run ${seconds([median(figure.oneCpuMs)])} s and ${seconds([median(figure.manyCpuMs)])} s${mainThread}; load average ${fmt(figure.load[0], 1)} → ${fmt(figure.load[1], 1)})`;
}

const ROW_START = '| speed-up with ';

export function speedUpRow(figure: SpeedUp, date: string): string {
  return `${ROW_START}${figure.workers} worker threads against 1 (\`--workers\`): ${figure.workload} | ≥ 1.8× on 2 cores | ${speedUpText(figure)}, measured ${date} |`;
}

/**
 * `markdown` with its speed-up rows replaced by `rows`, at the end of the file's first table (the
 * bench's figures; the tables further down belong to other benches).
 */
export function withSpeedUpRows(markdown: string, rows: readonly string[]): string {
  const kept = markdown.split('\n').filter((line) => !line.startsWith(ROW_START));
  const firstRow = kept.findIndex((line) => line.startsWith('| '));
  if (firstRow < 0) throw new UsageError('BENCHMARKS.md has no figures table to add the speed-up rows to; run the full bench first');
  let end = firstRow;
  while (kept[end]?.startsWith('|')) end++;
  return [...kept.slice(0, end), ...rows, ...kept.slice(end)].join('\n');
}
