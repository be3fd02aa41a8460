/* bundle - the page's script and style, built once per process from viewer/browser
 *
 * esbuild (already present: tsx runs on it) bundles app.ts and the model/SVG code it
 * shares with the exports into one IIFE, so the page carries everything it needs inline
 * and works opened from disk or served from 127.0.0.1 without any network.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const BROWSER_DIR = fileURLToPath(new URL('./browser/', import.meta.url));

export interface PageAssets {
  readonly script: string;
  readonly style: string;
}

let assets: Promise<PageAssets> | null = null;

export function pageAssets(): Promise<PageAssets> {
  assets ??= buildAssets();
  return assets;
}

async function buildAssets(): Promise<PageAssets> {
  const [result, style] = await Promise.all([
    build({
      entryPoints: [`${BROWSER_DIR}app.ts`],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      charset: 'utf8',
      legalComments: 'none',
      logLevel: 'silent',
    }),
    readFile(`${BROWSER_DIR}page.css`, 'utf8'),
  ]);
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error('esbuild produced no output for viewer/browser/app.ts');
  return { script, style };
}
