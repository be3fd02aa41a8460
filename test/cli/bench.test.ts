/* bench - smtp-lab bench --quick: every figure measured small, in seconds, and BENCHMARKS.md written only when asked */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmtpLab } from './run-smtp-lab.ts';

describe('smtp-lab bench --quick', () => {
  it('prints each figure and writes nothing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'smtp-lab-bench-'));
    const result = await runSmtpLab(['bench', '--quick'], cwd);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toMatch(/^[\d,]+ sessions\/s \(mailu-2024\.06, one core, per CPU-second, one batch: [\d,]+\)$/);
    expect(lines[1]).toMatch(/^[\d,]+ sessions\/s \(lockstep\)$/);
    expect(lines[2]).toMatch(/^[\d,]+ sessions\/s \(the bug's refused session: real-stack, postfix\.smtpd_forbid_unauth_pipelining=yes postfix\.xclient_lookup_ms=100\)$/);
    expect(lines.slice(3, 5)).toEqual(['real stack, delivered: not measured by --quick', 'real stack, refused: not measured by --quick']);
    expect(lines[5]).toMatch(/^bug found for 3\/3 seeds; median \d+(\.5)? generated runs, [\d.,]+ ms to the first counterexample; shrinking [\d.,]+ ms in [\d.]+ steps \(medians\)$/);
    expect(lines[6]).toMatch(/^repro process wall time: median [\d,]+ ms \([\d,]+\)$/);
    // The check twice: a short job and a long one, whose ratio shows what a thread's warm-up costs.
    expect(lines.slice(7, 12).map((line) => line.split(' ').slice(1, 6).join(' '))).toEqual(['check fixed-sequencing on lockstep, 40', 'check fixed-sequencing on lockstep, 80', 'explore lockstep, 0 deviations (every', 'matrix with 1 sessions per', 'demo (npm start) with 10']);
    for (const line of lines.slice(7, 12)) expect(line).toMatch(/^speed-up, (check|explore|matrix|demo) .+: [\d.]+× \(1 thread [\d.]+ s; \d+ threads [\d.]+ s; CPU per run [\d.]+ s and [\d.]+ s, on the main thread [\d.]+ s and [\d.]+ s; load average [\d.]+ → [\d.]+\)$/);
    expect(lines[12]).toMatch(/^heap over 1,000 sessions: (?:[\d.]+, ){9}[\d.]+ MiB \(first tenth [\d.]+, last [\d.]+\); peak RSS [\d,]+ MiB$/);
    expect(existsSync(join(cwd, 'BENCHMARKS.md'))).toBe(false);
  });

  it('--write writes BENCHMARKS.md, saying it was a quick run', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'smtp-lab-bench-'));
    const result = await runSmtpLab(['bench', '--quick', '--write', '--seeds', '1', '--sessions', '100'], cwd);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/\nwrote BENCHMARKS\.md\n$/);
    const written = readFileSync(join(cwd, 'BENCHMARKS.md'), 'utf8');
    expect(written).toMatch(/^# Benchmarks\n\nMeasured by `npm run bench -- --quick` on /);
    expect(written).toContain('| generated runs to the first counterexample (median over 1 seeds) |');
    expect(written).toContain('| `smtp-lab repro` process wall time incl. shrinking (median of 1) |');
    expect(written).toContain('| heap after each tenth of 100 sessions |');
    expect(written).toMatch(/\| speed-up with \d+ worker threads against 1 \(`--workers`\): check fixed-sequencing on lockstep, 40 generated runs \| ≥ 1\.8× on 2 cores \| [\d.]+× .*, measured \d{4}-\d\d-\d\d \|/);
  });

  it('--write without --quick, or --quick with --no-write, is a usage error', async () => {
    for (const args of [['bench', '--write'], ['bench', '--quick', '--no-write']]) {
      const result = await runSmtpLab(args, tmpdir());
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/--write|--no-write/);
    }
  });
});
