/* record - bad record options are usage errors (exit 2) that name the problem, before anything runs */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/smtp-lab.js', 'record', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });

describe('smtp-lab record usage errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-lab-record-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('without --out', () => {
    const result = cli();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--out DIR is required');
  });

  it('into a directory that is not empty', () => {
    writeFileSync(join(dir, 'runs.tsv'), '');
    const result = cli('--out', dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('not empty; records are written into a new or empty directory');
  });

  it('with an --only that matches no recorded run', () => {
    const result = cli('--out', join(dir, 'new'), '--only', '^Z9');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--only ^Z9: no recorded run or cell matches');
  });
});
