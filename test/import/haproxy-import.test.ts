/* haproxy-import - a haproxy.cfg (with Postfix's files) to a scenario: each mapped key, defaults inheritance, what is ignored or unsupported, the fixture round trip, and bad input by file and line */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDeployment, type ImportResult } from '../../import/index.ts';
import { loadScenario, SCENARIO_KEYS, type ScenarioKey } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';
import { deployment, importError, scenarioFile } from './import-files.ts';

const FIXTURE = join(import.meta.dirname, '../../import/fixtures/haproxy-postfix');

/** A frontend on 587 relaying to one server, with `frontend` and `backend` lines added, after a defaults section. */
const cfg = (frontend = '', backend = '', defaults = '') =>
  `defaults\n  mode tcp\n${defaults}frontend smtp\n  bind :587\n  default_backend postfix\n${frontend}backend postfix\n  server smtpd 10.0.0.2:10025${backend}\n`;
const haproxy = (text: string) => ({ 'haproxy.cfg': text });
const entryOf = (result: ImportResult, key: ScenarioKey) => result.mapped.find((entry) => entry.key === key);
const at = (result: ImportResult, key: ScenarioKey) => `${entryOf(result, key)?.setting.where.line}`;
/** The imported scenario written as a scenario file, as `smtp-lab import --out` writes it. */
describe('each mapped key, from its haproxy.cfg line', () => {
  // [key, haproxy.cfg, value, line]
  const rows: readonly (readonly [ScenarioKey, string, string | number, number])[] = [
    ['front.model', cfg(), 'haproxy', 3],
    ['front.port', cfg(), 587, 4],
    ['front.send_proxy', cfg('', ' send-proxy'), 'v1', 7],
    ['front.send_proxy', cfg('', ' send-proxy-v2'), 'v2', 7],
    ['front.send_proxy', cfg('', ' send-proxy send-proxy-v2'), 'v2', 7],
    ['front.timeout_client', cfg('  timeout client 30s\n'), 30_000, 6],
    ['front.timeout_client', cfg('  timeout client 0\n'), 0, 6],
    ['front.timeout_client', cfg('  timeout client 1500us\n'), 2, 6],
    ['front.timeout_server', cfg('', '\n  timeout server 2m'), 120_000, 8],
    ['front.timeout_connect', cfg('', '\n  timeout connect 5000'), 5000, 8],
    ['front.retries', cfg('', '\n  retries 7'), 7, 8],
    ['front.clitcpka', cfg('  option clitcpka\n'), 'on', 6],
    ['front.clitcpka', cfg('  option tcpka\n'), 'on', 6],
    ['front.srvtcpka', cfg('', '\n  option tcpka'), 'on', 8],
    ['front.srvtcpka', cfg('', '\n  option srvtcpka'), 'on', 8],
    ['front.clitcpka_idle', cfg('  clitcpka-idle 30s\n'), '30s', 6],
    ['front.clitcpka_intvl', cfg('  clitcpka-intvl 10\n'), '10', 6],
    ['front.clitcpka_cnt', cfg('  clitcpka-cnt 0x3\n'), '0x3', 6],
    ['front.srvtcpka_idle', cfg('', '\n  srvtcpka-idle 2h'), '2h', 8],
    ['front.srvtcpka_intvl', cfg('', '\n  srvtcpka-intvl 1m'), '1m', 8],
    ['front.srvtcpka_cnt', cfg('', '\n  srvtcpka-cnt 5'), '5', 8],
  ];

  it.each(rows.map((row) => [`${row[0]} = ${row[2]} (line ${row[3]})`, ...row] as const))('%s', (_name, key, text, value, line) => {
    const result = deployment(haproxy(text));
    expect(result.scenario.get(key)).toBe(value);
    expect(at(result, key)).toBe(String(line));
  });

  it("every front.* key HAProxy reads has a row (or is every front's: front.version has none for HAProxy)", () => {
    const tested = new Set(rows.map((row) => row[0]));
    const keys = SCENARIO_KEYS.map((spec) => spec.name).filter((key) => ['front.send_proxy', 'front.retries'].includes(key) || /^front\.(timeout_|clitcpka|srvtcpka)/.test(key) || key === 'front.model' || key === 'front.port');
    expect(keys.filter((key) => !tested.has(key))).toEqual([]);
  });

  it("a timeout nothing sets is HAProxy's own, none: 0 with the section that lacks it", () => {
    const result = deployment(haproxy(cfg()));
    for (const key of ['front.timeout_client', 'front.timeout_server', 'front.timeout_connect'] as const) expect(result.scenario.get(key), key).toBe(0);
    expect(entryOf(result, 'front.timeout_server')).toMatchObject({ setting: { value: '(not set)', where: { line: 6 } }, note: expect.stringMatching(/HAProxy's default, no timeout/) });
  });

  it('retries is atol(): digits up to the first other character, none is 0', () => {
    expect(deployment(haproxy(cfg('', '\n  retries 2x'))).scenario.get('front.retries')).toBe(2);
    expect(deployment(haproxy(cfg('', '\n  retries x'))).scenario.get('front.retries')).toBe(0);
  });
});

describe('defaults: what a proxy starts from, and which side takes each setting', () => {
  it('a named defaults section referenced with from, and the last defaults for a proxy without from', () => {
    const text = 'defaults short\n  timeout client 5s\n  timeout server 6s\ndefaults long\n  timeout client 1h\n  timeout server 2h\n'
      + 'frontend smtp from short\n  bind :587\n  default_backend postfix\nbackend postfix\n  server s 10.0.0.2:10025\n';
    const result = deployment(haproxy(text));
    expect(result.scenario.get('front.timeout_client')).toBe(5000);
    expect(result.scenario.get('front.timeout_server')).toBe(7_200_000);
    expect(result.ignored.map((e) => `${e.setting.where.line} ${e.reason}`)).toEqual(expect.arrayContaining(["3 a backend setting the path's proxies do not take from here", "5 a frontend setting the path's proxies do not take from here"]));
  });

  it("a proxy's own line overrides its defaults' (the defaults line is listed as overridden); no option clears a defaults option", () => {
    const result = deployment(haproxy(cfg('  timeout client 10s\n  no option clitcpka\n', '', '  timeout client 1m\n  option tcpka\n')));
    expect(result.scenario.get('front.timeout_client')).toBe(10_000);
    expect(result.scenario.get('front.clitcpka')).toBe('off');
    expect(result.scenario.get('front.srvtcpka')).toBe('on');
    expect(result.ignored.find((e) => e.setting.where.line === 3)?.reason).toBe(`overridden by ${result.mapped.find((e) => e.key === 'front.timeout_client')!.setting.where.file}:8`);
    expect(entryOf(result, 'front.srvtcpka')?.setting.where.line).toBe(4);
  });

  it('defaults from defaults: a chain, oldest first', () => {
    const text = 'defaults base\n  mode tcp\n  timeout connect 3s\n  retries 1\ndefaults tuned from base\n  retries 9\nlisten smtp from tuned\n  bind :587\n  server s 10.0.0.2:10025\n';
    const result = deployment(haproxy(text));
    expect([result.scenario.get('front.timeout_connect'), result.scenario.get('front.retries')]).toEqual([3000, 9]);
    expect(result.path).toBe('client -> HAProxy port 587 -> Postfix port 10025');
  });

  it("a keyword on a proxy without its side is ignored, as HAProxy ignores it with a warning", () => {
    const result = deployment(haproxy(cfg('  timeout server 5s\n  retries 9\n', '\n  timeout client 5s')));
    expect(result.scenario.get('front.retries')).toBe(3);
    expect(result.ignored.filter((e) => /HAProxy ignores it: (frontend|backend) '\w+' has no (frontend|backend) capability/.test(e.reason)).map((e) => e.setting.where.line)).toEqual([6, 7, 10]);
  });
});

describe('the server line and its defaults, listen sections, the format by content', () => {
  it("default-server's send-proxy (in defaults or the backend) reaches the server unless the server's no-send-proxy takes it back", () => {
    const fromDefaults = deployment(haproxy(cfg('', '', '  default-server send-proxy-v2\n')));
    expect(entryOf(fromDefaults, 'front.send_proxy')).toMatchObject({ value: 'v2', setting: { where: { line: 3 } } });
    expect(fromDefaults.mapped.find((e) => e.setting.name === 'default-server')?.note).toMatch(/^server defaults: the path's server at .*:8 starts from them/);
    const takenBack = deployment(haproxy(cfg('', ' no-send-proxy', '  default-server send-proxy\n')));
    expect(takenBack.scenario.get('front.send_proxy')).toBe('none');
    expect(entryOf(takenBack, 'front.send_proxy')?.setting.where.line).toBe(8);
  });

  it('a listen is frontend and backend at once; with a default_backend it relays there', () => {
    const alone = deployment(haproxy('listen smtp\n  bind :2525\n  timeout client 5s\n  timeout server 6s\n  server s 10.0.0.2:10025 send-proxy\n'));
    expect([alone.scenario.get('front.port'), alone.scenario.get('front.timeout_client'), alone.scenario.get('front.timeout_server'), alone.scenario.get('front.send_proxy')]).toEqual([2525, 5000, 6000, 'v1']);
    const relaying = deployment(haproxy('listen smtp\n  bind :587\n  default_backend pf\n  server unused 10.0.0.9:25\nbackend pf\n  server s 10.0.0.2:10025\n'));
    expect(relaying.path).toBe('client -> HAProxy port 587 -> Postfix port 10025');
  });

  it('--port picks the path among HAProxy\'s and another front\'s listeners; the other front\'s file is one ignored line', () => {
    const files = { ...haproxy(cfg().replace('bind :587', 'bind :25,:2525')), 'nginx.conf': 'mail {\n  server {\n    listen 587;\n    protocol smtp;\n  }\n}\n' };
    expect(deployment(files).path).toBe('client -> nginx port 587 -> Postfix port 10025');
    const chosen = deployment(files, { port: 2525 });
    expect(chosen.path).toBe('client -> HAProxy port 2525 -> Postfix port 10025');
    expect(chosen.ignored.find((e) => e.setting.where.file.endsWith('nginx.conf'))?.reason).toMatch(/the client's path is port 2525 through haproxy; `--port N` imports one of nginx's ports \(587\)/);
    expect(importError(files, { port: 26 })).toMatch(/--port 26: no front in the input listens there; the fronts listen on 587 \(nginx\), 25 \(haproxy\), 2525 \(haproxy\)$/);
  });

  it('a haproxy.cfg under another name is told by its first section keyword', () => {
    const result = deployment({ 'edge.conf': `# the edge\n${cfg()}` });
    expect(result.files.map((f) => f.format)).toEqual(['haproxy']);
  });
});

describe('ignored and unsupported lines, with their reasons', () => {
  it('logging, limits and the global section are ignored; health checks, rules, TLS, mode http, several servers and independent-streams are unsupported', () => {
    const text = 'global\n  maxconn 100\n'
      + cfg('  log global\n  maxconn 50\n  tcp-request inspect-delay 5s\n  option independent-streams\n', ' check ssl\n  server other 10.0.0.3:10025\n  option smtpchk', '  option tcplog\n');
    const result = deployment(haproxy(text));
    const listed = (entries: ImportResult['ignored']) => entries.map((e) => `${e.setting.where.line} ${e.setting.name}`);
    expect(listed(result.ignored)).toEqual(expect.arrayContaining(['2 maxconn', '5 option tcplog', '9 log', '10 maxconn']));
    expect(listed(result.unsupported)).toEqual(expect.arrayContaining(['11 tcp-request', '12 option independent-streams', '14 server check', '14 server ssl', '15 server', '16 option smtpchk']));
    expect(result.unsupported.find((e) => e.setting.name === 'option smtpchk')?.reason).toMatch(/^health checks/);
    expect(deployment(haproxy(cfg('', '', '  mode http\n').replace('  mode tcp\n', ''))).unsupported.map((e) => e.setting.name)).toContain('mode');
  });

  it('accept-proxy on the bind line (a PROXY header from the client side) is unsupported, as Dovecot\'s haproxy = yes; ssl on it is TLS, the port assumed', () => {
    const proxied = deployment(haproxy(cfg().replace('bind :587', 'bind :587 accept-proxy')));
    expect(proxied.unsupported.find((e) => e.setting.name === 'bind')?.reason).toMatch(/^accept-proxy: a PROXY header before SMTP/);
    const tls = deployment(haproxy(cfg().replace('bind :587', 'bind :465 ssl crt mail.pem')));
    expect(tls.unsupported.find((e) => e.setting.name === 'bind')?.reason).toMatch(/^TLS/);
    expect(tls.assumed.find((e) => e.key === 'front.port')?.reason).toMatch(/HAProxy serves this path on 465 with TLS only/);
  });

  it('another frontend, an unused defaults section and a whole other section are one ignored line each; a line whose value is an environment variable is unsupported', () => {
    const text = `${cfg('  description "$SITE"\n')}frontend web\n  mode http\n  bind :80\n  default_backend postfix\nuserlist admins\n  user a insecure-password b\n`;
    const result = deployment(haproxy(text));
    expect(result.ignored.filter((e) => ['frontend', 'userlist'].includes(e.setting.name)).map((e) => e.setting.where.line)).toEqual([9, 13]);
    expect(result.unsupported.find((e) => e.setting.name === 'description')?.reason).toMatch(/environment variable SITE/);
  });
});

describe('the fixture: HAProxy send-proxy -> Postfix 3.9 reading it on 10025', () => {
  const result = importDeployment({ paths: [FIXTURE] });

  it('is the built-in haproxy-proxy-protocol, key for key', () => {
    const builtin = loadScenario({ scenario: 'haproxy-proxy-protocol' }).values;
    const keys = Object.keys(builtin) as ScenarioKey[];
    expect(keys.length).toBe(SCENARIO_KEYS.length);
    expect(Object.fromEntries(keys.map((key) => [key, result.scenario.values[key]]))).toEqual(builtin);
    expect(result.path).toBe('client -> HAProxy port 587 -> Postfix port 10025');
    // main.cf does not set it: Postfix's default ends in defer_unauth_destination (454 for a foreign recipient), the lab's preset in
    // reject_unauth_destination (554). Its address classes are keys, the layout's values: mydestination and virtual_mailbox_domains
    // stated, relay_domains Postfix's default at compatibility_level 0, $mydestination, empty.
    expect(result.unsupported.map((entry) => `${entry.setting.name} = ${entry.setting.value}`)).toEqual([
      "smtpd_relay_restrictions = (not set: Postfix's default, permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination)",
    ]);
    expect(result.mapped.filter((entry) => /^postfix\.(mydestination|virtual_mailbox_domains|relay_domains)$/.test(entry.key ?? '')).map((entry) => `${entry.key} = ${entry.value}`)).toEqual([
      'postfix.mydestination = ', 'postfix.virtual_mailbox_domains = example.test', 'postfix.relay_domains = ',
    ]);
  });

  it('its scenario file runs: the client logs in through HAProxy and Postfix takes the address from the PROXY header', () => {
    const report = runScenario(loadScenario({ scenario: scenarioFile(result), sets: ['client.auth=PLAIN'] }), { seed: 1 });
    expect(report.client.authReply).toMatch(/^235 /);
    expect(report.client.done).toBe(true);
  });
});

describe("the server's port picks the Postfix service, and the scenario gets that service's settings", () => {
  /** HAProxy on port 25 relaying to Postfix's port 25, beside Postfix's files. */
  const port25 = (postfix: Record<string, string>) => deployment({ ...haproxy(cfg().replace(':587', ':25').replace(':10025', ':25')), 'main.cf': 'mail_version = 3.9.0\n', ...postfix });
  /** A stock master.cf (postconf -M of a fresh install) with Mailu's authenticated 10025 beside it. */
  const MASTER = 'smtp inet n - n - - smtpd\n10025 inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n';

  it("port 25 with a stock master.cf is the smtp service with main.cf's settings: Postfix's default, no AUTH; the clients deliver without logging in", () => {
    const result = port25({ 'master.cf': MASTER });
    expect(result.path).toBe('client -> HAProxy port 25 -> Postfix port 25');
    expect(result.scenario.get('postfix.smtpd_sasl_auth_enable')).toBe('no');
    expect(`${entryOf(result, 'postfix.smtpd_sasl_auth_enable')?.setting.where.file.split('/').at(-1)}:${at(result, 'postfix.smtpd_sasl_auth_enable')}`).toBe('master.cf:1');
    expect(result.scenario.get('client.auth')).toBe('none');
    expect(result.ignored.find((entry) => entry.setting.name === 'master.cf service 10025')?.reason).toMatch(/not the service the front relays to \(port 25\)/);
  });

  it('its scenario runs as that smtpd: no AUTH in the EHLO reply, a login refused with 503, a delivery without one accepted', () => {
    const scenario = (sets: string[]) => loadScenario({ scenario: scenarioFile(port25({ 'master.cf': MASTER })), sets });
    const login = runScenario(scenario(['client.auth=PLAIN']), { seed: 1 });
    expect(login.client.authReply).toBe('503 5.5.1 Error: authentication not enabled');
    const delivery = runScenario(scenario([]), { seed: 1 });
    expect(delivery.client.replies[1]).toMatch(/^250-/);
    expect(delivery.client.replies[1]).not.toMatch(/AUTH/);
    expect(runScenario(loadScenario({ scenario: 'haproxy-proxy-protocol' }), { seed: 1 }).client.replies[1]).toMatch(/\n250-AUTH PLAIN LOGIN\n/);
    expect(delivery.client.acceptedMessages).toHaveLength(1);
  });

  it('main.cf or the service\'s -o turning SASL on is read as such, and then the clients log in', () => {
    const fromMain = port25({ 'main.cf': 'mail_version = 3.9.0\nsmtpd_sasl_auth_enable = yes\n', 'master.cf': MASTER });
    expect(fromMain.scenario.get('postfix.smtpd_sasl_auth_enable')).toBe('yes');
    expect(at(fromMain, 'postfix.smtpd_sasl_auth_enable')).toBe('2');
    expect(fromMain.scenario.get('client.auth')).toBe('PLAIN');
    const fromOverride = port25({ 'master.cf': `${MASTER.replace('smtp inet n - n - - smtpd\n', '')}smtp inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n` });
    expect(at(fromOverride, 'postfix.smtpd_sasl_auth_enable')).toBe('4');
  });

  it('the fixture\'s 10025 keeps its -o smtpd_sasl_auth_enable=yes', () => {
    const result = importDeployment({ paths: [FIXTURE] });
    expect(entryOf(result, 'postfix.smtpd_sasl_auth_enable')).toMatchObject({ value: 'yes', setting: { where: { line: 8 } } });
  });

  it('without master.cf the service is taken as main.cf alone, and that is listed as assumed', () => {
    const result = port25({});
    expect(result.scenario.get('postfix.smtpd_sasl_auth_enable')).toBe('no');
    expect(entryOf(result, 'postfix.smtpd_sasl_auth_enable')).toBeUndefined();
    expect(result.assumed.find((entry) => entry.key === 'client.auth')).toMatchObject({ value: 'none', reason: expect.stringMatching(/\(postfix\.smtpd_sasl_auth_enable is assumed too\)$/) });
    expect(result.assumed.find((entry) => entry.key === 'postfix.smtpd_sasl_auth_enable')).toMatchObject({ value: 'no', reason: expect.stringMatching(/^no master\.cf in the input: the service on port 25 \(server smtpd 10\.0\.0\.2:25 at .*haproxy\.cfg:7\) is taken as smtpd with main\.cf's settings/) });
    expect(deployment(haproxy(cfg())).assumed.find((entry) => entry.key === 'postfix.smtpd_sasl_auth_enable')).toMatchObject({ value: 'yes', reason: "no Postfix configuration in the input: the lab's" });
  });
});

describe('bad input: an error naming the file and line', () => {
  it('a value HAProxy refuses, or one the key table refuses, at its line', () => {
    expect(importError(haproxy(cfg('  timeout client 1.5s\n')))).toMatch(/haproxy\.cfg:6: unexpected character '\.' in 'timeout client'/);
    expect(importError(haproxy(cfg('  timeout client\n')))).toMatch(/haproxy\.cfg:6: 'timeout client' expects an integer value \(in milliseconds\)/);
    expect(importError(haproxy(cfg('  timeout client 30d\n')))).toMatch(/haproxy\.cfg:6: timer overflow in argument '30d' to 'timeout client'/);
    expect(importError(haproxy(cfg('  timeout cleint 5s\n')))).toMatch(/haproxy\.cfg:6: 'timeout' supports 'client', 'server'/);
    expect(importError(haproxy(cfg('  clitcpka-idle 30x\n')))).toMatch(/haproxy\.cfg:6: unexpected character 'x' in argument to <clitcpka-idle>\.$/);
    expect(importError(haproxy(cfg('  clitcpka-cnt\n')))).toMatch(/haproxy\.cfg:6: 'clitcpka-cnt' expects an integer value$/);
    expect(importError(haproxy(cfg('', '', '  timeout client 5x\n')))).toMatch(/haproxy\.cfg:3: unexpected character 'x' in 'timeout client'/); // refused although the frontend sets none
    expect(importError(haproxy(cfg('  timeout client 1s\n', '', '  timeout client 5x\n')))).toMatch(/haproxy\.cfg:3: /); // and although a later line overrides it
    expect(importError(haproxy(cfg('  mode smtp\n')))).toMatch(/haproxy\.cfg:6: unknown proxy mode 'smtp'/);
    expect(importError(haproxy(cfg('', '\n  retries')))).toMatch(/haproxy\.cfg:8: 'retries' expects an integer argument/);
    expect(importError(haproxy(cfg('  option\n')))).toMatch(/haproxy\.cfg:6: 'option' expects an option name/);
    expect(importError(haproxy(cfg().replace('default_backend postfix', 'default_backend')))).toMatch(/haproxy\.cfg:5: 'default_backend' expects a backend name/);
    expect(importError(haproxy(cfg('', '\n  retries 101')))).toMatch(/haproxy\.cfg:8: retries = 101: front\.retries: '101' is not allowed/);
    expect(importError(haproxy(cfg('  no option tcpka\n')))).toMatch(/haproxy\.cfg:6: negation\/default is not supported for option 'tcpka'/);
  });

  it('a path the import cannot follow: no default_backend, a missing backend, no server, a server on a UNIX socket or from the environment', () => {
    expect(importError(haproxy('frontend smtp\n  bind :587\n'))).toMatch(/haproxy\.cfg:1: frontend 'smtp' has no default_backend/);
    expect(importError(haproxy(cfg().replace('default_backend postfix', 'default_backend nowhere')))).toMatch(/haproxy\.cfg:5: unable to find required default_backend: 'nowhere'/);
    expect(importError(haproxy(cfg().replace('  server smtpd 10.0.0.2:10025', '  balance roundrobin')))).toMatch(/haproxy\.cfg:6: backend 'postfix' has no server line/);
    expect(importError(haproxy(cfg().replace('10.0.0.2:10025', 'unix@/run/postfix.sock')))).toMatch(/haproxy\.cfg:7: .*a UNIX socket/);
    expect(importError(haproxy(cfg().replace('10.0.0.2:10025', '"${PF}:10025"')))).toMatch(/haproxy\.cfg:7: .*environment variable PF/);
  });

  it('bind lines without a port, and the port the server names picks the master.cf service', () => {
    expect(importError(haproxy(cfg().replace('bind :587', 'bind 10.0.0.1')))).toMatch(/haproxy\.cfg:4: bind 10\.0\.0\.1: missing port number/);
    const files = { ...haproxy(cfg().replace('10.0.0.2:10025', '10.0.0.2')), 'main.cf': 'mail_version = 3.9.0\n', 'master.cf': 'submission inet n - n - - smtpd\n' };
    expect(deployment(files).path).toBe('client -> HAProxy port 587 -> Postfix port 587');
    expect(importError({ ...files, 'haproxy.cfg': cfg().replace('10.0.0.2:10025', '10.0.0.2:+1') })).toMatch(/no inet service listens on port 588, where server smtpd 10\.0\.0\.2:\+1 at .*haproxy\.cfg:7: the client's port \+1/);
  });
});
