/// <reference lib="dom" />
/* worker - the find-a-failure search off the page's thread: one request in, progress and one result out
 *
 * The worker runs the same bundle as the page (playground/browser/main.ts starts it when there is
 * no document), so a pasted scenario is written to the worker's own copy of the file shim first.
 */
import { findFailure, type FindProgress, type FindRequest, type FindResult } from '../find-failure.ts';
import { writeFileSync } from '../shims/fs.ts';

export interface WorkerRequest extends FindRequest {
  /** The pasted scenario file's text, readable as `scenario` (its file name). */
  readonly pasted: string | null;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly progress: FindProgress }
  | { readonly type: 'done'; readonly result: FindResult }
  | { readonly type: 'error'; readonly message: string };

/** Progress is sent at most this often: a search runs thousands of traces a second. */
const PROGRESS_EVERY_MS = 100;

/** What the worker needs of its global scope (the DOM library, which the page uses, has no worker types beside it). */
export interface WorkerScope {
  addEventListener(type: 'message', listener: (message: MessageEvent<WorkerRequest>) => void): void;
  postMessage(message: WorkerMessage): void;
}

export function startWorker(scope: WorkerScope): void {
  scope.addEventListener('message', (message) => {
    const request = message.data;
    const post = (reply: WorkerMessage): void => scope.postMessage(reply);
    let lastProgress = 0;
    try {
      if (request.pasted !== null) writeFileSync(request.scenario, request.pasted);
      const result = findFailure(request, (progress) => {
        const now = Date.now();
        if (now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        post({ type: 'progress', progress });
      });
      post({ type: 'done', result });
    } catch (error) {
      post({ type: 'error', message: (error as Error).message });
    }
  });
}
