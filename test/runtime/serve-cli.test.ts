/* serve-cli - bad serve options are usage errors (exit 2) naming what is allowed */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/smtp-lab.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });

describe('smtp-lab serve usage errors', () => {
  it('an unknown backend exits 2 and lists the backends', () => {
    const result = cli('serve', '--backend', 'exim');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--backend must be one of model, real, smtp-server, got 'exim'");
  });

  it('an unknown scenario key exits 2 before anything listens', () => {
    const result = cli('serve', '--set', 'front.modle=lockstep');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('front.modle');
  });
});
