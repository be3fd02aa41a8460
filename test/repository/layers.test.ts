/* layers - the house's floors: a folder imports only from folders below it, so no circle crosses folders
 *
 * From the bottom: the sans-I/O models, the simulator that drives them, scenarios that wire
 * them, properties and the viewer that read runs, the socket runtime, the conformance suite and
 * the benchmark and the playground that use all of it, the CLI on top; scripts and tests may import anything.
 * A new import against this order is either a layering mistake or a reason to move a file.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, normalize, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FLOORS: Readonly<Record<string, number>> = {
  models: 0, sim: 1, scenarios: 2, properties: 3, viewer: 3, import: 3, audit: 4, runtime: 4, conformance: 5, bench: 5, playground: 5, cli: 6,
};

function trackedSources(): string[] {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: ROOT, encoding: 'utf8' }).stdout;
  return listed.split('\n').filter((file) => file.split('/')[0]! in FLOORS);
}

/** Every import in `text`, the source of `file`, that reaches a folder on a higher floor than the file's. */
function upwardImports(file: string, text: string): string[] {
  const floor = FLOORS[file.split('/')[0]!]!;
  return [...text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].flatMap(([, target]) => {
    const folder = normalize(join(dirname(file), target!)).split('/')[0]!;
    const targetFloor = FLOORS[folder];
    return targetFloor !== undefined && targetFloor > floor ? [`${file} imports ${target} (${folder} is above ${file.split('/')[0]})`] : [];
  });
}

describe('layers', () => {
  it('no folder imports from a folder above it', () => {
    const sources = trackedSources();
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.flatMap((file) => upwardImports(file, readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });

  it('sees an upward import, static or dynamic, and lets a downward one pass', () => {
    expect(upwardImports('models/front/x.ts', "import { UsageError } from '../../cli/command.ts';\nconst m = await import('../../runtime/socket/index.ts');")).toHaveLength(2);
    // Assembled, so that the path guard (self-contained.test.ts) does not take it for this file's own import.
    expect(upwardImports('cli/x.ts', `import type { Model } from '${'..'}/models/contract.ts';`)).toEqual([]);
  });
});
