/* explore - the command as a user runs it: help, the verdicts and their bounds, the replay of the shortest schedule, bad input */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function lab(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/smtp-lab.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('smtp-lab explore', () => {
  it('--help names the bounds and the exit codes', () => {
    const help = lab('explore', '--help');
    expect(help.code).toBe(0);
    for (const option of ['--deviations', '--faults', '--max-decisions', '--max-runs', '--property', '--json']) expect(help.out).toContain(option);
  });

  it('lockstep holds within bounds it prints, with what was not enumerated', () => {
    const result = lab('explore', '--scenario', 'lockstep', '--set', 'tcp.profile=nodelay', '--deviations', '0');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/fixed-sequencing holds on lockstep for every schedule within bounds B = \(≤ 0 deviations, ≤ 0 fault placements, ≤ 2000 decisions per run\) \(\d+ schedules, \d+ states\)/);
    expect(result.out).toContain('not enumerated:');
    expect(result.out).toContain('bound reached:');
  });

  it('mailu-2024.06 fails in some schedules; the shortest one is drawn and its token replays it', () => {
    const out = mkdtempSync(join(tmpdir(), 'smtp-lab-explore-'));
    const found = lab('explore', '--scenario', 'mailu-2024.06', '--set', 'tcp.profile=pingpong3', '--deviations', '0', '--json', '--out', out);
    expect(found.code).toBe(0);
    const json = JSON.parse(found.out);
    expect(json).toMatchObject({ verdict: 'found', ok: true, property: 'bug-exists' });
    expect(json.sentence).toMatch(/^mailu-2024\.06 fails in \d+ of \d+ schedules within bounds B/);
    expect(json.counts.schedules).toBeGreaterThan(0);
    const replayed = JSON.parse(lab('replay', json.shortest.replay, '--json', '--out', out).out);
    expect(replayed).toMatchObject({ reproduced: true, verdict: json.shortest.verdict });
  });

  it('explores the scheduling decisions too: wake-up latency and the run-queue wait at their representatives, no crash', () => {
    // real-stack has the wake-up model (its two-piece latency); the run-queue wait's quantiles are set here
    const result = lab('explore', '--scenario', 'real-stack', '--set', 'sim.run_queue_wait_per_mille=500', '--set', 'sim.run_queue_wait_quantiles_us=600,900,5000,20000',
      '--deviations', '1', '--max-runs', '40', '--workers', '1', '--json', '--out', mkdtempSync(join(tmpdir(), 'smtp-lab-explore-')));
    expect(result.err).not.toMatch(/Error: decision/);
    const json = JSON.parse(result.out);
    expect(json.counts).toMatchObject({ crashed: 0 });
    expect(json.counts.schedules).toBeGreaterThan(1);
  });

  it('bad input is exit 2 naming the option', () => {
    const bad = lab('explore', '--faults', '3');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--faults must be an integer from 0 to 2');
    expect(lab('explore', '--property', 'nope').code).toBe(2);
  });
});
