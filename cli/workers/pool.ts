/* pool - the threads behind --workers: this thread and a tinypool of N-1 more, started as a command begins
 *
 * `--workers N` is N threads doing the work, this one included. Each new thread spends seconds of
 * CPU before V8 has compiled the lab's hot code (BENCHMARKS.md), and this thread must be warm
 * anyway for what only it does (shrinking a counterexample, drawing it, folding the answers): so
 * it takes tasks too, and the pool has one thread fewer. The pool is started before the command
 * parses its scenarios, on the cached bundle of worker.ts (compiled-cli.js workerBundle: no
 * esbuild on the way), so its threads load while this one sets up. One thread (--workers 1) runs
 * everything here with no pool. Which thread ran a task never changes an answer: callers combine
 * answers in task order (properties/parallel/).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Tinypool from 'tinypool';
import type { Executor, WorkKind, WorkKinds, WorkTask } from '../../properties/parallel/executor.ts';
import { runTask } from '../../properties/parallel/run-task.ts';

/**
 * The cached bundle of worker.ts. compiled-cli.js is loaded from the checkout, not bundled into the
 * CLI: it reads its own files beside itself (import.meta.url), which inside a bundle would be the
 * bundle's directory. (esbuild leaves an import of a computed path alone.)
 */
async function workerBundle(): Promise<string> {
  const builder = pathToFileURL(join(import.meta.dirname, '..', 'build', 'compiled-cli.js')).href;
  const { workerBundle: bundle } = (await import(builder)) as typeof import('../build/compiled-cli.js');
  return bundle();
}

const thisThread: Executor = { workers: 1, inThisThread: true, run: async (task) => runTask(task) as never };

/**
 * Tasks a pool thread holds while this thread runs one: this thread cannot hand out work until
 * its task returns, so each pool thread gets one more to go on with (queued in the thread) just
 * before this thread starts its own. More would leave this thread idle: callers keep only a few
 * tasks out at once (search-in-order.ts), and the pool would hold them all.
 */
const TASKS_PER_POOL_THREAD_WHILE_BUSY = 2;

interface Job {
  readonly task: WorkTask;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/** Tasks in hand-out order, taken by the pool threads as they have room and by this thread whenever its event loop is free. */
class SharedExecutor implements Executor {
  readonly inThisThread = false;
  private readonly queue: Job[] = [];
  private inPool = 0;
  /** No answer from the pool yet: its threads may still be loading, so each holds one task only, and this thread takes the rest. */
  private poolStarting = true;
  private turnAsked = false;
  private pool: Tinypool | null = null;

  constructor(
    readonly workers: number,
    private readonly runHere: (task: WorkTask) => unknown,
  ) {}

  /** The pool, once its bundle is known; until then this thread takes every task. */
  attach(pool: Tinypool): void {
    this.pool = pool;
    this.pump();
  }

  run<K extends WorkKind>(task: WorkKinds[K]['task']): Promise<WorkKinds[K]['result']> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve: resolve as (result: unknown) => void, reject });
      this.pump();
    });
  }

  /** Each pool thread one task at a time; this thread's turn asked for whatever is left. */
  private pump(): void {
    this.fillPool(1);
    if (this.queue.length > 0 && !this.turnAsked) {
      this.turnAsked = true;
      setImmediate(() => this.takeOne());
    }
  }

  private fillPool(perThread: number): void {
    const room = (this.workers - 1) * perThread;
    while (this.pool !== null && this.inPool < room && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.inPool++;
      this.pool.run(job.task).then(
        (result) => { this.inPool--; this.poolStarting = false; job.resolve(result); this.pump(); },
        (error) => { this.inPool--; job.reject(error); this.pump(); },
      );
    }
  }

  /** This thread's turn: one task (the pool topped up first), then the pool's answers that came in meanwhile are handled before the next. */
  private takeOne(): void {
    this.turnAsked = false;
    const job = this.queue.shift();
    if (job === undefined) return;
    if (!this.poolStarting) this.fillPool(TASKS_PER_POOL_THREAD_WHILE_BUSY);
    try {
      job.resolve(this.runHere(job.task));
    } catch (error) {
      job.reject(error);
    }
    this.pump();
  }
}

/**
 * Run `body` with an executor of `workers` threads (this one and workers - 1 in a pool), and stop
 * the pool after it. `runHere` runs a task in this thread (a test counts them).
 */
export async function withExecutor<T>(workers: number, body: (executor: Executor) => Promise<T>, runHere: (task: WorkTask) => unknown = runTask): Promise<T> {
  if (workers === 1) return body(thisThread);
  const executor = new SharedExecutor(workers, runHere);
  const threads = workers - 1;
  const pool = workerBundle().then((url) => {
    const started = new Tinypool({ filename: url, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: TASKS_PER_POOL_THREAD_WHILE_BUSY });
    executor.attach(started);
    return started;
  });
  // A bundle that cannot be built is reported once the body is done (this thread has taken every task meanwhile).
  pool.catch(() => undefined);
  try {
    return await body(executor);
  } finally {
    await (await pool).destroy();
  }
}
