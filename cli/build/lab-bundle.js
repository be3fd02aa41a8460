/* lab-bundle - what every esbuild bundle of the lab's TypeScript for Node shares
 *
 * Plain JavaScript, so that bin/smtp-lab.js can build the CLI before any TypeScript loader runs
 * (compiled-cli.js); cli/workers/bundle.ts builds the worker threads' bundle with the same options.
 * A bundle is the same source: `import.meta.dirname` and `import.meta.url` are replaced in each
 * module by that module's own, so a file read beside a module (scenarios/builtin.ts) is found.
 *
 * Without keepNames: it wraps every named function and arrow in a defineProperty('name') call that
 * runs each time the function is created, which for the closures the models make per command and
 * per request cost ~7 % of the simulator's sessions per CPU-second (BENCHMARKS.md, sixth pass).
 * What it kept is not read anywhere: the names esbuild changes are those of helpers it renames
 * where two modules share a top-level name (isAscii2) and of five classes it names _Decider,
 * _Digest, _Prng, _PrngChoices, _RealStack; every error class that prints its name sets it
 * (sim/errors.ts, ScriptSyntaxError) or inherits Error's, and stack traces map back to the
 * TypeScript with --enable-source-maps.
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
    entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', keepNames: false, logLevel: 'silent',
    plugins: [ownImportMeta(onSource)],
  };
}
