/* bench-speed-up - `bench --speed-up-only` rewrites its own rows of BENCHMARKS.md and nothing else */
import { describe, expect, it } from 'vitest';
import { speedUpRow, withSpeedUpRows } from '../../cli/bench-speed-up.ts';

const figure = {
  workload: 'check x', workers: 2, oneMs: [4000, 4200, 3800], manyMs: [2000, 2100, 2300], oneCpuMs: [3900, 4100, 3700], manyCpuMs: [4300, 4400, 4250],
  oneMainCpuMs: [3500, 3600, 3300], manyMainCpuMs: [2100, 2200, 2000], load: [1.25, 2] as const,
};

describe('speed-up rows', () => {
  it('a row: the ratio of the medians, every run, the CPU the process got and its main thread, the load average, the date', () => {
    expect(speedUpRow(figure, '2026-11-29')).toBe(
      '| speed-up with 2 worker threads against 1 (`--workers`): check x | ≥ 1.8× on 2 cores | 1.90× (1 thread 4.0, 4.2, 3.8 s; 2 threads 2.0, 2.1, 2.3 s; CPU per run 3.9 s and 4.3 s, on the main thread 3.5 s and 2.1 s; load average 1.3 → 2.0), measured 2026-11-29 |');
  });

  it('without /proc (no main-thread figure) the row says only what was measured', () => {
    expect(speedUpRow({ ...figure, oneMainCpuMs: [], manyMainCpuMs: [] }, '2026-11-29')).toContain('CPU per run 3.9 s and 4.3 s; load average');
  });

  it("replaces the old rows, keeps every other line, adds them at the end of the first table (not another bench's table below)", () => {
    const table = ['# B', '', '| figure | target | measured |', '|---|---|---|', '| a | | 1 |', '', 'notes', '', '| loadtest | figure |', '|---|---|', '| b | 2 |'];
    const added = withSpeedUpRows(table.join('\n'), ['| speed-up with 2 old |']);
    expect(added.split('\n')).toEqual([...table.slice(0, 5), '| speed-up with 2 old |', ...table.slice(5)]);
    expect(withSpeedUpRows(added, ['| speed-up with 2 new |', '| speed-up with 2 newer |']).split('\n')).toEqual(
      [...table.slice(0, 5), '| speed-up with 2 new |', '| speed-up with 2 newer |', ...table.slice(5)]);
  });

  it('a file without a figures table is refused', () => {
    expect(() => withSpeedUpRows('# nothing here\n', ['| speed-up with 2 |'])).toThrow(/no figures table/);
  });
});
