/* pool - the worker threads behind --workers: a tinypool of threads that each run tasks (worker.ts)
 *
 * One thread (--workers 1) runs everything in this thread with no pool. The threads load the
 * lab as one bundled file (bundle.ts) and are destroyed when the command is done with them.
 */
import Tinypool from 'tinypool';
import { workerBundle } from './bundle.ts';
import type { Executor, WorkTask } from '../../properties/parallel/executor.ts';
import { runTask } from '../../properties/parallel/run-task.ts';

const thisThread: Executor = { workers: 1, inThisThread: true, run: async (task) => runTask(task) as never };

/** Run `body` with an executor of `workers` threads, and stop the threads after it. */
export async function withExecutor<T>(workers: number, body: (executor: Executor) => Promise<T>): Promise<T> {
  return workers === 1 ? body(thisThread) : withWorkerThreads(workers, body);
}

/**
 * Run `body` on a pool of `workers` new threads, even one: the bench compares one fresh thread
 * with N fresh threads, so both sides pay the same start (a thread's first runs are slower until
 * V8 has compiled the hot code: BENCHMARKS.md), where this thread would already be warm.
 */
export async function withWorkerThreads<T>(workers: number, body: (executor: Executor) => Promise<T>): Promise<T> {
  const bundle = await workerBundle();
  const pool = new Tinypool({ filename: bundle.url, minThreads: workers, maxThreads: workers });
  try {
    return await body({ workers, inThisThread: false, run: (task: WorkTask) => pool.run(task) });
  } finally {
    await pool.destroy();
    bundle.remove();
  }
}
