/* pool - --workers N is this thread and N-1 pool threads: every task answered once, to its caller, as this thread would answer it */
import { beforeAll, describe, expect, it } from 'vitest';
import { withExecutor } from '../../../cli/workers/pool.ts';
import type { MatrixCellTask, WorkTask } from '../../../properties/parallel/executor.ts';
import { runTask } from '../../../properties/parallel/run-task.ts';

/** Small independent tasks, each with its own answer: i + 1 seeded lockstep sessions (i + 1 of them authenticated). */
const cells: MatrixCellTask[] = Array.from({ length: 40 }, (_, i) => ({ kind: 'matrix-cell', scenario: { name: 'lockstep', description: '', values: {} }, seed: 100 + i, runs: 1 + i }));
const runAll = (executor: Parameters<Parameters<typeof withExecutor>[1]>[0]) => Promise.allSettled(cells.map((task) => executor.run<'matrix-cell'>(task)));

/** This thread's runTask, made slow enough (40 ms a task) that a pool thread has loaded before this thread could take every task. */
function slowHere(seen: WorkTask[], fails?: (task: WorkTask) => boolean) {
  return (task: WorkTask) => {
    seen.push(task);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 40);
    if (fails?.(task)) throw new Error(`cell ${(task as MatrixCellTask).seed} broke`);
    return runTask(task);
  };
}

describe('withExecutor', () => {
  // The worker bundle is built on first use (cached after): not inside the timed cases.
  beforeAll(() => withExecutor(2, (executor) => executor.run<'matrix-cell'>(cells[0]!)), 60_000);

  it('two threads: this one and the pool both take tasks, and each caller gets its own task\'s answer', async () => {
    const here: WorkTask[] = [];
    const settled = await withExecutor(2, runAll, slowHere(here));
    expect(settled).toEqual(cells.map((task) => ({ status: 'fulfilled', value: runTask(task) })));
    expect(new Set(settled.map((answer) => JSON.stringify(answer))).size).toBe(cells.length);
    expect(here.length).toBeGreaterThan(0);
    expect(here.length).toBeLessThan(cells.length);
  }, 30_000);

  it('one thread: every task here, no pool', async () => {
    const executor = await withExecutor(1, async (e) => e);
    expect(executor.inThisThread).toBe(true);
  });

  it('a task that throws in this thread rejects that task only', async () => {
    const here: WorkTask[] = [];
    const settled = await withExecutor(2, runAll, slowHere(here, (task) => task === here[0]));
    const rejected = settled.flatMap((result, i) => (result.status === 'rejected' ? [{ i, message: (result.reason as Error).message }] : []));
    const first = cells.indexOf(here[0] as MatrixCellTask);
    expect(rejected).toEqual([{ i: first, message: `cell ${100 + first} broke` }]);
  }, 30_000);
});
