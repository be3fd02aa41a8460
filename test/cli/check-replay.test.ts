/* check-replay - `check` runs what applies to a scenario and says why the rest does not; `replay` holds only on the same verdict */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeReplayToken, encodeReplayToken } from '../../properties/replay-token.ts';
import { PROPERTIES } from '../../properties/suite.ts';

function lab(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/smtp-lab.js', ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('smtp-lab check --scenario', () => {
  it.each(['lockstep', 'mailu-2024.06-pr3322'])('passes on %s, listing the properties that do not apply with their reason', (scenario) => {
    const result = lab('check', '--scenario', scenario, '--runs', '120', '--json');
    const json = JSON.parse(result.out);
    expect(json.results.map((r: { property: string; result: string }) => `${r.property}:${r.result}`)).not.toContainEqual(expect.stringMatching(/:(failed|coverage-missing|crashed|not-found)$/));
    expect(json.notApplicable.map((n: { property: string }) => n.property)).toContain('bug-exists');
    expect(result.code).toBe(0);
  });

  it('fails on mailu-2024.06: correct clients refused', () => {
    const result = lab('check', '--scenario', 'mailu-2024.06', '--runs', '60', '--json', '--property', 'workaround');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.out).results[0]).toMatchObject({ property: 'workaround', result: 'failed' });
  });

  it('--property accepts every property of the suite', () => {
    const ids = PROPERTIES.map((p) => p.id);
    expect(ids).toEqual(['bug-exists', 'fixed-sequencing', 'workaround', 'differential', 'safety', 'liveness', 'wrong-password', 'proxy-identity', 'proxy-no-pipelining', 'proxy-early-talker']);
    const result = lab('check', '--runs', '20', '--json', ...ids.flatMap((id) => ['--property', id]));
    expect(JSON.parse(result.out).results.map((r: { property: string }) => r.property)).toEqual(ids);
  });
});

describe('smtp-lab replay', () => {
  const out = mkdtempSync(join(tmpdir(), 'smtp-lab-replay-'));
  const repro = JSON.parse(lab('repro', '--json', '--out', out).out) as { replay: string };

  it('exits 0 when the trace gives the verdict it was printed with', () => {
    const replayed = lab('replay', repro.replay, '--json', '--out', out);
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.out).reproduced).toBe(true);
  });

  it('exits 1 when the same trace now gives another verdict, and prints both', () => {
    const token = decodeReplayToken(repro.replay);
    const other = encodeReplayToken({ ...token, verdict: 'correct client got 454 after 2 backend connections' });
    const replayed = lab('replay', other, '--out', out);
    expect(replayed.code).toBe(1);
    expect(replayed.out).toContain('the trace fails differently now');
    expect(replayed.out).toContain('printed: correct client got 454 after 2 backend connections');
  });

  it('exits 1 when the trace no longer fails at all', () => {
    const token = decodeReplayToken(repro.replay);
    const fixed = encodeReplayToken({ ...token, scenario: 'lockstep' });
    const replayed = lab('replay', fixed, '--out', out);
    expect(replayed.code).toBe(1);
    expect(replayed.out).toMatch(/^the trace no longer fails/);
  });
});
