/* import-audit - the operator's two commands as a new user runs them: import the shipped fixtures, audit the scenario file */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmtpLab } from './run-smtp-lab.ts';

const FIXTURES = resolve(import.meta.dirname, '../../import/fixtures');
const workDir = () => mkdtempSync(join(tmpdir(), 'smtp-lab-audit-'));
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1)!;

describe('smtp-lab import', () => {
  it('writes the scenario file and prints the three lists with file and line', async () => {
    const dir = workDir();
    const result = await runSmtpLab(['import', join(FIXTURES, 'mailu-2024.06'), '--out', 'mailu.json'], dir);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^## Mapped \(\d+\)$/m);
    expect(result.stdout).toMatch(/^## Relevant but unsupported \(\d+\): the answer does not cover these$/m);
    expect(result.stdout).toMatch(/^## Ignored as irrelevant to this path \(\d+\)$/m);
    expect(result.stdout).toMatch(/- `mail_version = 3\.9\.0` \(.*postconf-mail_version\.txt:4\) -> `postfix\.mail_version = 3\.9`/);
    expect(result.stdout).toContain('Next: smtp-lab audit mailu.json');
    expect(JSON.parse(readFileSync(join(dir, 'mailu.json'), 'utf8'))).toMatchObject({ name: 'mailu-2024.06', values: { 'front.model': 'dovecot-2.3', 'postfix.mail_version': '3.9' } });
  });

  it('--json gives the lists as data', async () => {
    const result = await runSmtpLab(['import', join(FIXTURES, 'mailu-2024.06-pr3322'), '--out', 'pr.json', '--json'], workDir());
    const json = JSON.parse(result.stdout);
    expect(Object.keys(json)).toEqual(['scenarioFile', 'scenario', 'path', 'files', 'mapped', 'unsupported', 'assumed', 'ignored']);
    expect(json.mapped.find((entry: { key: string }) => entry.key === 'postfix.smtpd_forbid_unauth_pipelining')).toMatchObject({ value: 'no', keyValue: 'no', at: expect.stringMatching(/main\.cf:37$/) });
  });

  it('bad input is exit 2 naming the file and line, or the argument', async () => {
    const dir = workDir();
    writeFileSync(join(dir, 'main.cf'), 'mail_version = 3.9.0\nsmtpd_forbid_unauth_pipelining = perhaps\n');
    const bad = await runSmtpLab(['import', join(dir, 'main.cf'), '--out', join(dir, 'x.json')], dir);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/smtp-lab import: .*main\.cf:2: smtpd_forbid_unauth_pipelining: "perhaps" is not a boolean/);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
    expect((await runSmtpLab(['import'], dir)).exitCode).toBe(2);
    const port = await runSmtpLab(['import', join(FIXTURES, 'mailu-2024.06'), '--port', 'smtp'], dir);
    expect([port.exitCode, port.stderr]).toEqual([2, expect.stringMatching(/--port must be an integer from 1 to 65535, got 'smtp'/)]);
  });
});

describe('smtp-lab audit', () => {
  it("a directory with --port 25 audits Mailu's port-25 path (nginx, no login) by the properties that apply", async () => {
    const result = await runSmtpLab(['audit', join(FIXTURES, 'mailu-2024.06'), '--port', '25'], workDir());
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('client -> nginx port 25 -> Postfix port 25');
    expect(lastLine(result.stdout)).toBe("Verdict: not affected: no generated traces: the scenario's client does not log in (client.auth = none); generated clients do; the properties that apply hold");
  });

  it('the README flow on the Mailu 2024.06 fixtures: affected, with the 454 explained, the counterexample drawn and the fixes', async () => {
    const dir = workDir();
    expect((await runSmtpLab(['import', join(FIXTURES, 'mailu-2024.06'), '--out', 'mailu.json'], dir)).exitCode).toBe(0);
    const result = await runSmtpLab(['audit', 'mailu.json'], dir);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^\*\*affected: \d+ of \d+ correct clients refused on 300 generated traces/m);
    expect(result.stdout).toContain('## Why: the 454');
    expect(result.stdout).toContain('`454 4.7.0 Account is temporarily unavailable.`');
    expect(result.stdout).toMatch(/replay: smtp-lab replay \S+/);
    expect(result.stdout).toMatch(/- \*\*Mailu's PR 3322: smtpd_forbid_unauth_pipelining = no\*\*: holds: 0 of the same traces refused/);
    expect(result.stdout).toMatch(/- \*\*the newest Dovecot release, 2\.4\.4\*\*: does not hold/);
    expect(lastLine(result.stdout)).toMatch(/^Verdict: affected: /);
    expect(existsSync(join(dir, 'lab-output/audit/trace.html'))).toBe(true);
    const token = /replay: smtp-lab replay (\S+)/.exec(result.stdout)![1]!;
    expect((await runSmtpLab(['replay', token], dir)).exitCode).toBe(0);
  }, 180_000);

  it('the README flow on the PR 3322 fixtures, straight from the directory: not affected (improper pipelining still logged)', async () => {
    const dir = workDir();
    const result = await runSmtpLab(['audit', join(FIXTURES, 'mailu-2024.06-pr3322')], dir);
    expect(result.exitCode).toBe(0);
    expect(lastLine(result.stdout)).toMatch(/^Verdict: not affected \(improper pipelining still logged\): 0 of \d+ correct clients refused/);
    expect(JSON.parse(readFileSync(join(dir, 'lab-output/audit/scenario.json'), 'utf8')).values['postfix.smtpd_forbid_unauth_pipelining']).toBe('no');
  }, 180_000);

  it("the README flow on HAProxy's fixture, straight from the directory: HAProxy with send-proxy in front of Postfix, not affected", async () => {
    const dir = workDir();
    const result = await runSmtpLab(['audit', join(FIXTURES, 'haproxy-postfix')], dir);
    expect(result.exitCode).toBe(0);
    expect(lastLine(result.stdout)).toMatch(/^Verdict: not affected: 0 of \d+ correct clients refused on 300 generated traces; Postfix never saw the proxy pipeline$/);
    expect(JSON.parse(readFileSync(join(dir, 'lab-output/audit/scenario.json'), 'utf8')).values).toMatchObject({ 'front.model': 'haproxy', 'front.send_proxy': 'v1', 'postfix.smtpd_upstream_proxy_protocol': 'haproxy' });
  }, 180_000);

  it('--json, and the same input gives the same output', async () => {
    const dir = workDir();
    const args = ['audit', 'mailu-2024.06', '--traces', '30', '--runs', '5', '--search-runs', '50', '--json'];
    const [first, second] = [await runSmtpLab(args, dir), await runSmtpLab(args, dir)];
    expect(first.stdout).toBe(second.stdout);
    const json = JSON.parse(first.stdout);
    expect(json).toMatchObject({ verdict: 'affected', seed: 1, runs: { traces: 30, searchRuns: 50, propertyRuns: 5 }, search: { property: 'bug-exists', result: 'found' } });
    expect(json.fixes.map((fix: { fix: string }) => fix.fix)).toEqual(['pr3322', 'lockstep', 'newer-dovecot', 'fast-lookup']);
  }, 180_000);

  it('bad input is exit 2', async () => {
    const dir = workDir();
    const unknown = await runSmtpLab(['audit', 'no-such-scenario'], dir);
    expect([unknown.exitCode, unknown.stderr]).toEqual([2, expect.stringMatching(/'no-such-scenario' is neither a built-in scenario/)]);
    writeFileSync(join(dir, 'nginx.conf'), 'mail {\n  server {\n    listen 587\n  }\n}\n');
    const broken = await runSmtpLab(['audit', dir], dir);
    expect([broken.exitCode, broken.stderr]).toEqual([2, expect.stringMatching(/nginx\.conf:3: 'listen 587' is not ended by ';'/)]);
    expect((await runSmtpLab(['audit', 'mailu-2024.06', '--traces', '0'], dir)).exitCode).toBe(2);
    const portOnScenario = await runSmtpLab(['audit', 'mailu-2024.06', '--port', '25'], dir);
    expect([portOnScenario.exitCode, portOnScenario.stderr]).toEqual([2, expect.stringMatching(/--port and --backend-port choose the path through a directory/)]);
    expect((await runSmtpLab(['audit'], dir)).exitCode).toBe(2);
  });
});
