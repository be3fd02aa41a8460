/* lab-bundle - what every esbuild bundle of the lab's TypeScript for Node shares
 *
 * Plain JavaScript, so that bin/smtp-lab.js can build the CLI before any TypeScript loader runs
 * (compiled-cli.js); cli/workers/bundle.ts builds the worker threads' bundle with the same options.
 * A bundle is the same source: `import.meta.dirname` and `import.meta.url` are replaced in each
 * module by that module's own, so a file read beside a module (scenarios/builtin.ts) is found, and
 * keepNames keeps class and function names (error names are printed in verdicts) as the source
 * has them.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The esbuild plugin that loads each .ts module with its own import.meta written in. `onSource`
 * sees every module's path and text as they went into the bundle (compiled-cli.js keys its cache
 * on them).
 */
export function ownImportMeta(onSource = () => {}) {
  return {
    name: 'own-import-meta',
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        onSource(args.path, source);
        return {
          loader: 'ts',
          contents: source
            .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
            .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        };
      });
    },
  };
}

/** esbuild options for a Node bundle of `entry` (an absolute .ts path), as ESM in one file. */
export function labBundleOptions(entry, onSource) {
  return {
    entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', keepNames: true, logLevel: 'silent',
    plugins: [ownImportMeta(onSource)],
  };
}
