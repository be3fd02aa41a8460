/* calibrate - bad calibrate options are usage errors (exit 2) that name the problem, before any daemon starts */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/smtp-lab.js', 'calibrate', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });

describe('smtp-lab calibrate usage errors', () => {
  it('a --modes entry that is no TCP mode', () => {
    const result = cli('--modes', 'quickack,pp4');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--modes: 'pp4' is not a TCP mode (allowed: default, quickack, pp3)");
  });

  it('--modes without a racy mode, which leaves nothing to fit', () => {
    const result = cli('--modes', 'default');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--modes default: the fit needs a racy mode (quickack or pp3)');
  });

  it('--modes or --note with --recorded, which records nothing', () => {
    for (const option of [['--modes', 'default'], ['--note', 'quiet machine']]) {
      const result = cli('--recorded', ...option);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('--modes and --note describe a live recording');
    }
  });
});
