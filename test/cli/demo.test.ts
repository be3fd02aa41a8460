/* demo - smtp-lab demo (npm start), the main job: bug reproduced and shrunk, then the fix and the workaround on the same traces */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmtpLab } from './run-smtp-lab.ts';

const COUNTEREXAMPLE_FILES = ['trace.html', 'trace.svg', 'trace.mmd', 'trace.jsonl', 'report.json'];

describe('smtp-lab demo', () => {
  it('as npm start runs it: exit 0, the three-scenario table, the verdict, and the counterexample in ./lab-output', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'smtp-lab-demo-'));
    const result = await runSmtpLab(['demo'], cwd);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const out = result.stdout;
    expect(out).toMatch(/^smtp-lab demo, seed 1\n/);
    expect(out).toContain('== 1. repro on mailu-2024.06');
    expect(out).toContain('== 2. the same 1000 generated traces + the shrunk counterexample on mailu-2024.06, mailu-2024.06-pr3322, lockstep');

    const row = (scenario: string) => new RegExp(`^${scenario.replace(/\./g, '\\.')} +1001 +(\\d+) +(\\d+) +(.+)$`, 'm').exec(out);
    expect(out).toMatch(/^scenario +traces +failed +improper logged +why$/m);
    const buggy = row('mailu-2024.06');
    const workaround = row('mailu-2024.06-pr3322');
    const lockstep = row('lockstep');
    expect(Number(buggy?.[1])).toBeGreaterThan(0);
    expect(buggy?.[3]).toMatch(/× 454 after 554 SMTP protocol synchronization/);
    expect(workaround?.[1]).toBe('0');
    expect(workaround?.[3]).toBe(`none refused; Postfix still logged improper pipelining in ${workaround?.[2]}`);
    expect(lockstep?.slice(1)).toEqual(['0', '0', 'none']);
    expect(out).toContain(`RESULT: the bug is real (${buggy?.[1]} of 1001 traces refuse a correct client on mailu-2024.06)`);

    for (const name of COUNTEREXAMPLE_FILES) expect(existsSync(join(cwd, 'lab-output', name)), name).toBe(true);
    const replay = /^replay the counterexample: smtp-lab replay (\S+)$/m.exec(out)?.[1];
    expect(replay).toEqual(expect.any(String));
    const replayed = await runSmtpLab(['replay', replay!, '--out', 'replayed'], cwd);
    expect(replayed.exitCode).toBe(0);
  });

  it('--json: the verdict and each scenario\'s tally, files where --out says', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'smtp-lab-demo-'));
    const result = await runSmtpLab(['demo', '--seed', '2', '--traces', '40', '--out', 'cx', '--json'], cwd);
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ seed: 2, reproduced: true, traces: 41, ok: true, replay: expect.any(String) });
    expect(json.runsToFailure).toBeGreaterThan(0);
    expect(json.scenarios.map((s: { scenario: string }) => s.scenario)).toEqual(['mailu-2024.06', 'mailu-2024.06-pr3322', 'lockstep']);
    const [buggy, workaround, lockstep] = json.scenarios;
    expect(buggy).toMatchObject({ traces: 41, failures: expect.any(Number) });
    expect(buggy.pipeliningFailures).toBeGreaterThan(0);
    expect(workaround).toMatchObject({ traces: 41, failures: 0, pipeliningFailures: 0, why: {} });
    expect(lockstep).toMatchObject({ traces: 41, failures: 0, improperLogged: 0, why: {} });
    for (const name of COUNTEREXAMPLE_FILES) expect(existsSync(join(cwd, 'cx', name)), name).toBe(true);
    expect(readFileSync(join(cwd, 'cx', 'trace.mmd'), 'utf8')).toMatch(/^sequenceDiagram/);
    expect(existsSync(join(cwd, 'lab-output'))).toBe(false);
  });

  it('refuses bad input: exit 2', async () => {
    const result = await runSmtpLab(['demo', '--traces', '0'], tmpdir());
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--traces must be an integer from 1/);
  });
});
