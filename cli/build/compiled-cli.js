/* compiled-cli - the CLI as one JavaScript file: built by esbuild on first use, cached until a source changes
 *
 * bin/smtp-lab.js runs this bundle rather than the TypeScript through tsx's loader, which cost
 * about a quarter of a second of start-up and a tenth of the simulator's throughput
 * (BENCHMARKS.md). The cache (node_modules/.cache/smtp-lab/) is keyed on the text of every module
 * that went into the bundle, on this file and lab-bundle.js, on esbuild's version and on the
 * checkout's path: any edit, checkout or pull rebuilds it at the next start (about half a second),
 * so the bin never runs stale code and a fresh clone needs no build step (`npm ci && npm start`).
 * Checking the key reads the ~250 sources once (~15 ms). Tests keep the loader: vitest runs the
 * sources themselves.
 *
 * Processes started together may each build; each writes its bundle under a content-addressed
 * name and renames it into place, so no process reads a half-written file. A source map is
 * written beside the bundle: `node --enable-source-maps bin/smtp-lab.js` prints TypeScript
 * lines in stack traces.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { labBundleOptions } from './lab-bundle.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Bundles another process may still be about to load are kept this long after a newer one replaces them. */
const KEEP_REPLACED_MS = 10 * 60 * 1000;

/**
 * Where a checkout's bundles live, and the manifest of one entry's bundle: one per checkout and
 * entry, so a mutation-testing sandbox whose node_modules links to this one's keeps its own, and
 * the CLI's bundle and the worker threads' (workerBundle) do not replace each other.
 */
function cacheOf(root, entry) {
  const directory = join(root, 'node_modules', '.cache', 'smtp-lab');
  return { root, directory, manifest: join(directory, `manifest-${createHash('sha256').update(`${root}\0${entry}`).digest('hex').slice(0, 16)}.json`) };
}

/** What the bundle depends on besides its inputs: the builder's own code, esbuild's release and where the checkout is. */
function builderKey(root) {
  const esbuild = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('esbuild/package.json'), 'utf8')).version;
  const own = ['compiled-cli.js', 'lab-bundle.js'].map((file) => readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8'));
  return [esbuild, root, ...own].join('\0');
}

/** The cache key of a bundle: the builder's key and each input (path relative to the checkout, text). */
function digestOf(key, inputs) {
  const hash = createHash('sha256').update(key);
  for (const [path, text] of inputs) hash.update(`\0${path}\0${text.length}\0`).update(text);
  return hash.digest('hex');
}

/** The cached bundle's file when its key still matches the sources on disk, else null. */
function cachedBundle(cache, key) {
  try {
    const manifest = JSON.parse(readFileSync(cache.manifest, 'utf8'));
    const inputs = manifest.inputs.map((path) => [path, readFileSync(join(cache.root, path), 'utf8')]);
    if (digestOf(key, inputs) !== manifest.digest) return null;
    const bundle = join(cache.directory, manifest.bundle);
    statSync(bundle);
    return bundle;
  } catch {
    return null; // no manifest yet, a source gone, or the bundle pruned: build again
  }
}

function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

async function build(cache, entry, key) {
  const { build: esbuild } = await import('esbuild');
  const sources = new Map();
  const options = labBundleOptions(join(cache.root, entry), (path, text) => sources.set(path, text));
  // node_modules stay imports: the bundle lives inside the checkout, so Node resolves them as the sources do.
  const result = await esbuild({
    ...options, absWorkingDir: cache.root, packages: 'external', metafile: true, write: false, sourcemap: 'linked', outfile: join(cache.directory, 'cli.mjs'),
  });
  // Each input with the text esbuild read (the plugin saw every .ts; anything else is read from disk).
  const inputs = Object.keys(result.metafile.inputs).map((input) => {
    const path = resolve(cache.root, input);
    return [relative(cache.root, path), sources.get(path) ?? readFileSync(path, 'utf8')];
  }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = digestOf(key, inputs);
  const name = `cli-${digest.slice(0, 16)}.mjs`;
  mkdirSync(cache.directory, { recursive: true });
  for (const output of result.outputFiles) {
    const map = output.path.endsWith('.map');
    writeAtomically(join(cache.directory, map ? `${name}.map` : name), map ? output.text : output.text.replace('//# sourceMappingURL=cli.mjs.map', `//# sourceMappingURL=${name}.map`));
  }
  writeAtomically(cache.manifest, JSON.stringify({ digest, bundle: name, inputs: inputs.map(([path]) => path) }));
  pruneReplaced(cache.directory);
  return join(cache.directory, name);
}

/** Remove the bundles no checkout's manifest names any more, once they are a while old. */
function pruneReplaced(directory) {
  const files = readdirSync(directory);
  const named = new Set(files.filter((file) => file.startsWith('manifest-')).map((file) => {
    try {
      return JSON.parse(readFileSync(join(directory, file), 'utf8')).bundle;
    } catch {
      return undefined; // a manifest being replaced: its bundle is kept by age
    }
  }));
  const now = Date.now();
  for (const file of files) {
    if (!file.startsWith('cli-') || named.has(file.replace(/\.map$/, ''))) continue;
    const path = join(directory, file);
    const stat = statSync(path, { throwIfNoEntry: false }); // another process may have pruned it first
    if (stat !== undefined && now - stat.mtimeMs > KEEP_REPLACED_MS) rmSync(path, { force: true });
  }
}

/** The file URL of the bundle of `entry` (a .ts path in the checkout at `root`), built first when the cached one is missing or stale. */
export async function compiledBundle(root, entry) {
  const cache = cacheOf(root, entry);
  const key = builderKey(root);
  return pathToFileURL(cachedBundle(cache, key) ?? (await build(cache, entry, key))).href;
}

/** The file URL of the CLI's bundle (cli/main.ts). */
export function compiledCli() {
  return compiledBundle(ROOT, join('cli', 'main.ts'));
}

/** The file URL of the worker threads' bundle (cli/workers/worker.ts), cached like the CLI's: a pool does not wait for esbuild. */
export function workerBundle() {
  return compiledBundle(ROOT, join('cli', 'workers', 'worker.ts'));
}
