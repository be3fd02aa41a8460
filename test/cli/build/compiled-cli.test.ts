/* compiled-cli - the bin's cached bundle: built once, reused while the sources stand, rebuilt when one changes */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compiledBundle } from '../../../cli/build/compiled-cli.js';

/** A checkout of two modules: the entry and one it imports, which reads a file beside itself. */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'smtp-lab-compiled-'));
  mkdirSync(join(root, 'lib'));
  writeFileSync(join(root, 'main.ts'), "import { word } from './lib/word.ts';\nexport const said: string = word();\n");
  writeFileSync(join(root, 'lib', 'word.ts'), "export const word = (): string => 'first ' + import.meta.dirname;\n");
  return root;
}

const bundleText = (url: string) => readFileSync(fileURLToPath(url), 'utf8');

describe('compiledBundle', () => {
  it('builds the entry with what it imports, and each module keeps its own import.meta', async () => {
    const root = checkout();
    const text = bundleText(await compiledBundle(root, 'main.ts'));
    // esbuild folds the constant: the word and the directory lib/word.ts lies in
    expect(text).toContain(`"first ${join(root, 'lib')}"`);
    expect(text).not.toContain('import.meta');
  });

  it('reuses the cached bundle while no source changed: the same file, not written again', async () => {
    const root = checkout();
    const first = await compiledBundle(root, 'main.ts');
    const written = statSync(fileURLToPath(first)).mtimeMs;
    const again = await compiledBundle(root, 'main.ts');
    expect(again).toBe(first);
    expect(statSync(fileURLToPath(again)).mtimeMs).toBe(written);
  });

  it('rebuilds when an imported module changes, so the bin never runs stale code', async () => {
    const root = checkout();
    const first = await compiledBundle(root, 'main.ts');
    writeFileSync(join(root, 'lib', 'word.ts'), "export const word = (): string => 'second';\n");
    const second = await compiledBundle(root, 'main.ts');
    expect(second).not.toBe(first);
    expect(bundleText(second)).toContain('"second"');
    expect(bundleText(second)).not.toContain('"first ');
  });

  it('does not wrap functions in a name-setting call each time they are made (esbuild keepNames, ~7 % of the sessions per CPU-second)', async () => {
    const root = checkout();
    writeFileSync(join(root, 'lib', 'word.ts'), "export const word = (): string => { const twice = (text: string) => text + text; return twice('a'); };\n");
    const text = bundleText(await compiledBundle(root, 'main.ts'));
    expect(text).toContain('const twice = (text) => text + text;');
    expect(text).not.toContain('__name');
  });

  it('rebuilds when the cached bundle is gone', async () => {
    const root = checkout();
    const first = await compiledBundle(root, 'main.ts');
    rmSync(fileURLToPath(first));
    expect(bundleText(await compiledBundle(root, 'main.ts'))).toContain(`"first ${join(root, 'lib')}"`);
  });
});
