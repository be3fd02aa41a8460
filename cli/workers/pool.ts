/* pool - the worker threads behind --workers: a tinypool of threads that each run tasks (worker.ts)
 *
 * One thread (--workers 1) runs everything in this thread with no pool. The pool's threads are
 * started at once, so their start-up (tsx compiles the lab in each) overlaps this thread's own
 * set-up, and destroyed when the command is done with them.
 */
import Tinypool from 'tinypool';
import type { Executor, WorkTask } from '../../properties/parallel/executor.ts';
import { runTask } from '../../properties/parallel/run-task.ts';

const ENTRY = new URL('./entry.js', import.meta.url).href;

const thisThread: Executor = { workers: 1, run: async (task) => runTask(task) as never };

/** Run `body` with an executor of `workers` threads, and stop the threads after it. */
export async function withExecutor<T>(workers: number, body: (executor: Executor) => Promise<T>): Promise<T> {
  if (workers === 1) return body(thisThread);
  const pool = new Tinypool({ filename: ENTRY, minThreads: workers, maxThreads: workers });
  try {
    return await body({ workers, run: (task: WorkTask) => pool.run(task) });
  } finally {
    await pool.destroy();
  }
}
