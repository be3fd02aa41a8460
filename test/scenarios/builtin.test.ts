import { describe, expect, it } from 'vitest';
import { BUILTIN_NAMES } from '../../scenarios/builtin.ts';
import { clientScriptOf } from '../../scenarios/client-script.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { SCENARIO_KEYS } from '../../scenarios/keys.ts';

describe('built-in scenarios', () => {
  it('include the ones the issue names', () => {
    expect(BUILTIN_NAMES).toEqual(expect.arrayContaining(['mailu-2.0', 'mailu-2024.06', 'mailu-2024.06-pr3322', 'mailu-2024.06.57', 'lockstep', 'postfix-3.7', 'nginx-port25']));
  });

  it('Mailu releases carry the front and the component releases they ship', () => {
    const release = (name: string) => {
      const s = loadScenario({ scenario: name });
      return [s.get('front.model'), s.get('front.version'), s.get('postfix.mail_version')];
    };
    expect(release('mailu-2.0')).toEqual(['nginx', '1.24.0', '3.8.9']);
    expect(release('mailu-2024.06.57')).toEqual(['dovecot-2.3', '2.3.21.1', '3.9.9']);
    expect(loadScenario({ scenario: 'mailu-2.0' }).get('front.smtp_auth')).toBe('login plain');
  });

  it('mailu-1.9 is refused with the reason: its nginx 1.20 is outside the modelled releases', () => {
    expect(() => loadScenario({ scenario: 'mailu-1.9' })).toThrow(/not offered: .*nginx 1\.20\.2.*starts at 1\.22\.0.*173f16f73/);
  });

  for (const name of BUILTIN_NAMES) {
    it(`${name} resolves every key, frozen`, () => {
      const scenario = loadScenario({ scenario: name });
      expect(scenario.name).toBe(name);
      expect(Object.keys(scenario.values)).toEqual(SCENARIO_KEYS.map((k) => k.name));
      expect(Object.isFrozen(scenario)).toBe(true);
      expect(Object.isFrozen(scenario.values)).toBe(true);
      expect(() => {
        (scenario.values as unknown as Record<string, unknown>)['tcp.profile'] = 'quickack';
      }).toThrow(TypeError);
    });
  }

  const table = BUILTIN_NAMES.map((name) => {
    const s = loadScenario({ scenario: name });
    return [name, s.get('front.model'), s.get('postfix.mail_version'), s.get('postfix.smtpd_forbid_unauth_pipelining'), s.get('front.port')];
  });

  it('set the front, the Postfix release and its forbid default as described', () => {
    expect(table).toEqual([
      ['mailu-2024.06', 'dovecot-2.3', '3.9', 'yes', 587],
      ['mailu-2024.06-pr3322', 'dovecot-2.3', '3.9', 'no', 587],
      ['mailu-2.0', 'nginx', '3.8.9', 'no', 587],
      ['mailu-2024.06.57', 'dovecot-2.3', '3.9.9', 'no', 587],
      ['lockstep', 'lockstep', '3.9', 'yes', 587],
      ['postfix-3.7', 'dovecot-2.3', '3.7.11', 'no', 587],
      ['nginx-port25', 'nginx', '3.9', 'yes', 25],
      ['haproxy-proxy-protocol', 'haproxy', '3.9', 'yes', 587],
      ['real-stack', 'dovecot-2.3', '3.7.11', 'yes', 1587],
      ['real-stack-forbid-no', 'dovecot-2.3', '3.7.11', 'no', 1587],
    ]);
  });

  it('defaults: the issue client, Dovecot reconnects, loopback timings', () => {
    const s = loadScenario();
    expect(s.name).toBe('mailu-2024.06');
    expect(s.values).toMatchObject({
      'client.user': 'alice@example.test',
      'client.password': 'secret',
      'client.helo': 'client.example.test',
      'client.auth': 'PLAIN',
      'client.auth_initial_response': 'yes',
      'client.from': 'alice@example.test',
      'client.pipelining': 'no',
      'front.login_proxy_max_reconnects': 3,
      'tcp.profile': 'linux-default',
      'auth.fault': 'none',
      'postfix.xclient_lookup_ms': 0,
    });
    expect(s.overrides).toEqual({});
  });

  it('derived defaults follow the keys they depend on, unless set', () => {
    expect(loadScenario({ sets: ['postfix.mail_version=3.8.4'] }).get('postfix.smtpd_forbid_unauth_pipelining')).toBe('no');
    expect(loadScenario({ sets: ['postfix.mail_version=3.10.1'] }).get('postfix.smtpd_forbid_unauth_pipelining')).toBe('yes');
    expect(loadScenario({ sets: ['client.user=carol@x.test'] }).get('client.from')).toBe('carol@x.test');
    expect(loadScenario({ sets: ['client.auth=LOGIN'] }).get('client.auth_initial_response')).toBe('no');
    expect(loadScenario({ scenario: 'real-stack', sets: ['postfix.mail_version=3.9'] }).get('postfix.smtpd_forbid_unauth_pipelining')).toBe('yes');
  });

  it('--set overrides apply in order and are listed as overrides', () => {
    const s = loadScenario({ scenario: 'mailu-2024.06', sets: ['tcp.profile=quickack', 'postfix.xclient_lookup_ms=100', 'tcp.profile=pingpong3'] });
    expect(s.get('tcp.profile')).toBe('pingpong3');
    expect(s.overrides).toEqual({ 'postfix.xclient_lookup_ms': 100, 'tcp.profile': 'pingpong3' });
  });

  it('the client keys make the swaks script', () => {
    const script = clientScriptOf(loadScenario({ sets: ['client.pipelining=yes', 'client.auth=LOGIN', 'client.password=wrong'] }), '10.0.0.2');
    expect(script.connectTo).toEqual({ host: '10.0.0.2', port: 587 });
    expect(script.groups.map((g) => g.steps.map((s) => s.kind))).toEqual([['ehlo'], ['auth'], ['mail', 'rcpt', 'data'], ['message'], ['quit']]);
    expect(script.groups[1]?.steps[0]).toEqual({ kind: 'auth', mechanism: 'LOGIN', user: 'alice@example.test', password: 'wrong', initialResponse: false });
    const port25 = clientScriptOf(loadScenario({ scenario: 'nginx-port25' }), '10.0.0.2');
    expect(port25.groups.map((g) => g.steps[0]?.kind)).toEqual(['ehlo', 'mail', 'rcpt', 'data', 'message', 'quit']);
  });
});
