/* main - the playground bundle's entry: the page when there is a document, else the find-a-failure worker
 *
 * One bundle serves both so the page can start its worker from its own inline script (a Blob
 * URL): a page opened from file:// may not load a worker script from a file.
 */
import { startPage } from './page.ts';
import { startWorker, type WorkerScope } from './worker.ts';

if (typeof document === 'undefined') startWorker(self as unknown as WorkerScope);
else startPage();
