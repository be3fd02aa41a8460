/* browser-seams - how the Node-only corners of the lab become browser code, at bundle time only
 *
 * The models and the simulator are sans-I/O, but a few files reach for Node: Buffer (latin1,
 * base64, UTF-8), node:net's isIPv4/isIPv6/isIP, node:fs and node:path (the recorded calibration
 * read by scenarios/builtin.ts, scenario files in scenarios/load.ts). esbuild resolves those
 * imports to playground/shims/ and injects the Buffer shim as the global, so no model file is
 * forked and Node runs exactly the code it always ran.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const SHIMS = fileURLToPath(new URL('../shims/', import.meta.url));
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

/** What the lab reads from disk while loading, made readable in the page (playground/shims/fs.ts). */
const EMBEDDED_FILES = ['scenarios/real-stack.calibration.json'];

const MODULE_SHIMS: Readonly<Record<string, string>> = { 'node:net': 'net.ts', 'node:path': 'path.ts' };

export const browserSeams: Plugin = {
  name: 'smtp-lab-browser-seams',
  setup(build) {
    build.onResolve({ filter: /^node:(net|path)$/ }, (args) => ({ path: `${SHIMS}${MODULE_SHIMS[args.path]!}` }));
    build.onResolve({ filter: /^node:fs$/ }, () => ({ path: 'node:fs', namespace: 'smtp-lab-fs' }));
    build.onLoad({ filter: /.*/, namespace: 'smtp-lab-fs' }, async () => {
      const embeds = await Promise.all(
        EMBEDDED_FILES.map(async (file) => `writeFileSync(${JSON.stringify(basename(file))}, ${JSON.stringify(await readFile(`${REPOSITORY}${file}`, 'utf8'))});`),
      );
      const shim = JSON.stringify(`${SHIMS}fs.ts`);
      return { contents: `import { writeFileSync } from ${shim};\n${embeds.join('\n')}\nexport * from ${shim};\n`, loader: 'js', resolveDir: SHIMS };
    });
  },
};

/** esbuild options that go with the plugin: Buffer as a global, and the directory builtin.ts reads beside (any: files are found by name). */
export const browserSeamOptions: { inject: string[]; define: Record<string, string> } = {
  inject: [`${SHIMS}buffer-global.ts`],
  define: { 'import.meta.dirname': '"."' },
};
