/* bundle - the worker threads' code as one JavaScript file, built with esbuild when a pool starts
 *
 * A worker thread does not inherit the main thread's tsx loader (Node 20), and loading tsx and
 * the lab's TypeScript modules one by one took 0.5 to 1 s of CPU per thread on the development
 * machine; one bundled file loads in about a tenth of that (docs/scale.md). The bundle is the
 * same source, built with the options every bundle of the lab shares (../build/lab-bundle.js).
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { labBundleOptions } from '../build/lab-bundle.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** The bundle's file URL and a function that removes it (once the threads have loaded it). */
export async function workerBundle(): Promise<{ readonly url: string; remove(): void }> {
  // node_modules go into the bundle too: it is written outside the checkout, where Node would not find them.
  const result = await build({ ...labBundleOptions(WORKER), write: false });
  const directory = mkdtempSync(join(tmpdir(), 'smtp-lab-worker-'));
  const file = join(directory, 'worker.mjs');
  writeFileSync(file, result.outputFiles[0]!.contents);
  return { url: pathToFileURL(file).href, remove: () => rmSync(directory, { recursive: true, force: true }) };
}
