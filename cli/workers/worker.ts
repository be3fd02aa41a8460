/* worker - a worker thread of the pool: runs one task (properties/parallel/run-task.ts) and answers with plain data */
import { runTask } from '../../properties/parallel/run-task.ts';
import type { WorkTask } from '../../properties/parallel/executor.ts';

export default function work(task: WorkTask) {
  return runTask(task);
}
