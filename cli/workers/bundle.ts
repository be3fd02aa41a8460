/* bundle - the worker threads' code as one JavaScript file, built with esbuild when a pool starts
 *
 * A worker thread does not inherit the main thread's tsx loader (Node 20), and loading tsx and
 * the lab's TypeScript modules one by one took 0.5 to 1 s of CPU per thread on the development
 * machine; one bundled file loads in about a tenth of that (docs/scale.md). The bundle is the
 * same source: `import.meta.dirname` and `import.meta.url` are replaced in each module by that
 * module's own, so a file read beside a module (scenarios/builtin.ts) is found, and keepNames
 * keeps class and function names (error names are printed in verdicts) as the source has them.
 */
import { build, type Plugin } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** Each module's import.meta.dirname and import.meta.url, written in as its own. */
const ownImportMeta: Plugin = {
  name: 'own-import-meta',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, (args) => ({
      loader: 'ts',
      contents: readFileSync(args.path, 'utf8')
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
    }));
  },
};

/** The bundle's file URL and a function that removes it (once the threads have loaded it). */
export async function workerBundle(): Promise<{ readonly url: string; remove(): void }> {
  const result = await build({
    entryPoints: [WORKER], bundle: true, platform: 'node', format: 'esm', target: 'node20', keepNames: true, write: false, logLevel: 'silent',
    plugins: [ownImportMeta],
  });
  const directory = mkdtempSync(join(tmpdir(), 'smtp-lab-worker-'));
  const file = join(directory, 'worker.mjs');
  writeFileSync(file, result.outputFiles[0]!.contents);
  return { url: pathToFileURL(file).href, remove: () => rmSync(directory, { recursive: true, force: true }) };
}
