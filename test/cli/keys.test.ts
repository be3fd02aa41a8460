/* keys - smtp-lab keys: every scenario key with allowed values and default, then the built-in scenarios */
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runSmtpLab } from './run-smtp-lab.ts';

interface KeysJson {
  keys: { key: string; allowed: string; default: string; description: string }[];
  scenarios: { name: string; description: string; values: Record<string, string | number> }[];
}

/** The built-in scenarios the README names. */
const README_SCENARIOS = ['mailu-2024.06', 'mailu-2024.06-pr3322', 'mailu-2.0', 'mailu-2024.06.57', 'lockstep', 'postfix-3.7', 'nginx-port25', 'haproxy-proxy-protocol', 'real-stack', 'real-stack-forbid-no'];

describe('smtp-lab keys', () => {
  it('--json lists each key once with allowed values and default, and the README\'s scenarios, which set only listed keys', async () => {
    const result = await runSmtpLab(['keys', '--json'], tmpdir());
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const json = JSON.parse(result.stdout) as KeysJson;
    const names = json.keys.map((k) => k.key);
    expect(new Set(names).size).toBe(names.length);
    for (const row of json.keys) expect(row).toEqual({ key: expect.stringMatching(/^[a-z]+\.[a-z0-9_]+$/), allowed: expect.any(String), default: expect.any(String), description: expect.any(String) });
    expect(json.keys.find((k) => k.key === 'tcp.profile')).toMatchObject({ allowed: 'linux-default, pingpong3, quickack, nodelay', default: 'linux-default' });
    expect(json.keys.find((k) => k.key === 'front.login_proxy_max_reconnects')).toMatchObject({ default: '3' });
    expect(names).toEqual(expect.arrayContaining(['postfix.xclient_lookup_ms', 'postfix.smtpd_forbid_unauth_pipelining']));

    expect(json.scenarios.map((s) => s.name)).toEqual(README_SCENARIOS);
    for (const scenario of json.scenarios) {
      for (const [key, value] of Object.entries(scenario.values)) {
        expect(names, `${scenario.name} sets ${key}`).toContain(key);
        const allowed = json.keys.find((k) => k.key === key)!.allowed;
        // A list of words is a closed set; other "allowed" texts describe a range in prose.
        if (/^[\w.-]+(, [\w.-]+)+$/.test(allowed)) expect(allowed.split(', '), `${scenario.name}: ${key}=${value}`).toContain(String(value));
      }
    }
  });

  it('prints the same keys and scenarios as text', async () => {
    const [text, json] = await Promise.all([runSmtpLab(['keys'], tmpdir()), runSmtpLab(['keys', '--json'], tmpdir())]);
    expect(text.exitCode).toBe(0);
    const { keys, scenarios } = JSON.parse(json.stdout) as KeysJson;
    for (const row of keys) expect(text.stdout).toContain(`${row.key}\n    ${row.description}\n    allowed: ${row.allowed}; default: ${row.default}\n`);
    const listed = text.stdout.split('\nbuilt-in scenarios:\n')[1]!.trimEnd().split('\n');
    expect(listed.map((line) => line.trim().split(/ +/)[0])).toEqual(scenarios.map((s) => s.name));
  });

  it('refuses an unknown option: exit 2', async () => {
    const result = await runSmtpLab(['keys', '--all'], tmpdir());
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--all.*allowed options: --json/);
  });
});
