import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../scenarios/errors.ts';
import { loadScenario } from '../../scenarios/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'smtp-lab-scenarios-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(run: () => unknown): ScenarioError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return error as ScenarioError;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario files', () => {
  it('loads a file on a built-in base, then applies --set', () => {
    const path = file('slow.json', JSON.stringify({ base: 'mailu-2024.06', values: { 'postfix.xclient_lookup_ms': 100, 'tcp.profile': 'quickack' } }));
    const s = loadScenario({ scenario: path, sets: ['tcp.profile=nodelay'] });
    expect(s.name).toBe('slow');
    expect(s.values).toMatchObject({ 'front.model': 'dovecot-2.3', 'postfix.xclient_lookup_ms': 100, 'tcp.profile': 'nodelay' });
    expect(s.description).toBe(`Mailu 2024.06: Dovecot 2.3 submission proxy -> Postfix 3.9 defaults, changed by ${path}`);
  });

  it('uses the name and description the file gives; no base means the key defaults', () => {
    const s = loadScenario({ scenario: file('x.json', '{"name": "mine", "description": "d", "values": {"front.model": "nginx"}}') });
    expect([s.name, s.description, s.get('front.model'), s.get('postfix.mail_version')]).toEqual(['mine', 'd', 'nginx', '3.9']);
  });

  it('broken JSON names the file, line and column', () => {
    const path = file('broken.json', '{\n  "base": "lockstep",\n}\n');
    expect(errorOf(() => loadScenario({ scenario: path })).message).toBe(`scenario file ${path}: invalid JSON at line 3, column 1: Expected double-quoted property name`);
  });

  it('truncated JSON points at its end', () => {
    const path = file('short.json', '{"values": {');
    expect(errorOf(() => loadScenario({ scenario: path })).message).toBe(`scenario file ${path}: invalid JSON at line 1, column 13: Expected property name or '}'`);
  });

  it('an empty file is broken JSON at its end', () => {
    const path = file('empty.json', '\n');
    expect(errorOf(() => loadScenario({ scenario: path })).message).toBe(`scenario file ${path}: invalid JSON at line 2, column 1: Unexpected end of JSON input`);
  });

  it('an unknown key names the key and the known ones', () => {
    const path = file('unknown.json', '{"values": {"postfix.xclient_lookup": 100}}');
    const error = errorOf(() => loadScenario({ scenario: path }));
    expect(error.key).toBe('postfix.xclient_lookup');
    expect(error.message).toMatch(new RegExp(`^scenario file ${path}: unknown scenario key 'postfix.xclient_lookup'; known keys: client.user, .*postfix.xclient_lookup_ms`));
  });

  it('a bad value names the key and the allowed values', () => {
    const path = file('bad.json', '{"values": {"tcp.profile": "reno"}}');
    expect(errorOf(() => loadScenario({ scenario: path })).message).toBe(`scenario file ${path}: tcp.profile: 'reno' is not allowed; allowed values: linux-default, pingpong3, quickack, nodelay`);
  });

  it('a wrong type is refused with what was expected', () => {
    const path = file('type.json', '{"values": {"postfix.smtpd_forbid_unauth_pipelining": false}}');
    expect(errorOf(() => loadScenario({ scenario: path })).message).toBe(
      `scenario file ${path}: postfix.smtpd_forbid_unauth_pipelining: expected a string, got a boolean (false); allowed values: yes, no`,
    );
    expect(errorOf(() => loadScenario({ scenario: file('arr.json', '[1]') })).message).toMatch(/expected a JSON object with the fields name, description, base, values$/);
    expect(errorOf(() => loadScenario({ scenario: file('vals.json', '{"values": [1]}') })).message).toMatch(/'values' must be an object of key: value, got \[1\]$/);
    expect(errorOf(() => loadScenario({ scenario: file('nm.json', '{"name": 7}') })).message).toMatch(/'name' must be a string, got 7$/);
  });

  it('unknown fields and unknown bases are refused', () => {
    expect(errorOf(() => loadScenario({ scenario: file('f.json', '{"set": {}}') })).message).toMatch(/unknown field 'set'; allowed fields: name, description, base, values$/);
    expect(errorOf(() => loadScenario({ scenario: file('b.json', '{"base": "mailu"}') })).message).toMatch(/unknown base scenario 'mailu'; built-in scenarios: mailu-2024.06, /);
  });

  it('a missing file or unknown name lists the built-ins', () => {
    expect(errorOf(() => loadScenario({ scenario: join(dir, 'nope.json') })).message).toBe(
      `scenario '${join(dir, 'nope.json')}' is neither a built-in scenario (mailu-2024.06, mailu-2024.06-pr3322, mailu-2.0, mailu-2024.06.57, lockstep, postfix-3.7, nginx-port25, haproxy-proxy-protocol, real-stack, real-stack-forbid-no) nor a readable file (ENOENT)`,
    );
  });

  it('--set errors come through loadScenario unchanged', () => {
    expect(errorOf(() => loadScenario({ sets: ['auth.fault=slow'] })).message).toBe("auth.fault: 'slow' is not allowed; allowed values: none, timeout, http500, refused");
  });
});
