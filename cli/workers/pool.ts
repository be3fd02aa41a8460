/* pool - the worker threads behind --workers: a tinypool of threads that each run tasks (worker.ts)
 *
 * One thread (--workers 1) runs everything in this thread with no pool. The threads load the
 * lab as one bundled file (bundle.ts) and are destroyed when the command is done with them.
 */
import Tinypool from 'tinypool';
import { workerBundle } from './bundle.ts';
import type { Executor, WorkTask } from '../../properties/parallel/executor.ts';
import { runTask } from '../../properties/parallel/run-task.ts';

const thisThread: Executor = { workers: 1, run: async (task) => runTask(task) as never };

/** Run `body` with an executor of `workers` threads, and stop the threads after it. */
export async function withExecutor<T>(workers: number, body: (executor: Executor) => Promise<T>): Promise<T> {
  if (workers === 1) return body(thisThread);
  const bundle = await workerBundle();
  const pool = new Tinypool({ filename: bundle.url, minThreads: workers, maxThreads: workers });
  try {
    return await body({ workers, run: (task: WorkTask) => pool.run(task) });
  } finally {
    await pool.destroy();
    bundle.remove();
  }
}
