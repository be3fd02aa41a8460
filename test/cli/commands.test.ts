/* commands - the CLI as a user runs it: exit codes, JSON shapes, clear errors for bad input */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function lab(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/smtp-lab.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('smtp-lab', () => {
  it('--help lists the commands; no command is a usage error', () => {
    const help = lab('--help');
    expect(help.code).toBe(0);
    for (const name of ['demo', 'run', 'repro', 'check', 'replay', 'bench']) expect(help.out).toContain(name);
    expect(lab().code).toBe(2);
  });

  it('run --json gives the documented shape and the real stack outcome', () => {
    const result = lab('run', '--scenario', 'mailu-2024.06', '--set', 'tcp.profile=linux-default', '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.out);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['scenario', 'seed', 'client', 'backend', 'postfix', 'queue']));
    expect(json.client.authReply).toBe('235 2.7.0 Logged in.');
    expect(typeof json.client.authToReplyMs).toBe('number');
    expect(json.backend.connections).toBe(1);
    expect(json.queue[0]).toEqual({ id: expect.any(String), from: 'alice@example.test', to: ['bob@example.test'], size: expect.any(Number) });
  });

  it('run --repeat summarises the AUTH replies', () => {
    const json = JSON.parse(lab('run', '--set', 'postfix.xclient_lookup_ms=100', '--repeat', '3', '--json').out);
    expect(json.runs).toHaveLength(3);
    expect(json.summary.authReply).toEqual({ '454 4.7.0 Account is temporarily unavailable.': 3 });
  });

  it('bad input is exit 2 with a message naming the key or option and what is allowed', () => {
    const unknownKey = lab('run', '--set', 'tcp.profil=quickack');
    expect(unknownKey.code).toBe(2);
    expect(unknownKey.err).toMatch(/unknown scenario key 'tcp\.profil'/);
    const badValue = lab('run', '--set', 'tcp.profile=fast');
    expect(badValue.code).toBe(2);
    expect(badValue.err).toMatch(/tcp\.profile.*linux-default, pingpong3, quickack, nodelay/);
    const badOption = lab('check', '--runz', '5');
    expect(badOption.code).toBe(2);
    expect(badOption.err).toMatch(/--runz.*allowed options/);
    expect(lab('replay', 'not-a-token').code).toBe(2);
  });

  it('a broken scenario file is a clear error, not a crash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-lab-cli-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "base": "mailu-2024.06", "values": { "tcp.profile": ');
    const result = lab('run', '--scenario', file);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/broken\.json.*line 1/);
  });

  it('repro reproduces, writes the diagram files, and its replay token replays the same trace', () => {
    const out = mkdtempSync(join(tmpdir(), 'smtp-lab-repro-'));
    const repro = lab('repro', '--json', '--out', out);
    expect(repro.code).toBe(0);
    const json = JSON.parse(repro.out);
    expect(json).toMatchObject({ reproduced: true, scenario: 'mailu-2024.06' });
    expect(json.runsToFailure).toBeGreaterThan(0);
    expect(json.shrinkSteps).toBeGreaterThanOrEqual(0);
    for (const name of ['trace.html', 'trace.svg', 'trace.mmd', 'trace.jsonl', 'report.json']) expect(existsSync(join(out, name))).toBe(true);
    expect(readFileSync(join(out, 'trace.mmd'), 'utf8')).toMatch(/^sequenceDiagram/);
    const replayed = JSON.parse(lab('replay', json.replay, '--json', '--out', out).out);
    expect(replayed.counterexample).toEqual(json.counterexample);
  });

  it('repro on the lock-step scenario does not reproduce: exit 1', () => {
    const result = lab('repro', '--scenario', 'lockstep', '--runs', '40', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.out).reproduced).toBe(false);
  });

  it('check --json lists each property with runs, result and counterexample', () => {
    const result = lab('check', '--runs', '30', '--json', '--property', 'fixed-sequencing', '--scenario', 'mailu-2024.06');
    expect(result.code).toBe(1);
    const [entry] = JSON.parse(result.out).results;
    expect(entry).toMatchObject({ property: 'fixed-sequencing', result: 'failed', ok: false });
    expect(entry.counterexample).not.toBeNull();
    expect(entry.replay).toEqual(expect.any(String));
  });
});
