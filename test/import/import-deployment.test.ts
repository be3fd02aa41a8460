/* import-deployment - configuration lines to scenario values, the fixtures to the built-in scenarios, and bad input by file and line */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDeployment, type ImportResult } from '../../import/index.ts';
import { knownKeys } from '../../models/postfix/config.ts';
import { loadScenario, SCENARIO_KEYS, type ScenarioKey } from '../../scenarios/index.ts';
import { deployment, importError } from './import-files.ts';

const FIXTURES = join(import.meta.dirname, '../../import/fixtures');

const DOVECOT = 'protocols = submission\nservice submission-login {\n  inet_listener submission {\n    port = 587\n  }\n}\n';
const dovecotWith = (lines: string, port = 587) => `${lines}protocols = submission\nservice submission-login {\n  inet_listener submission {\n    port = ${port}\n  }\n}\n`;
const NGINX = (server: string, top = '') => `${top}mail {\n  server {\n    listen 587;\n    protocol smtp;\n${server}  }\n}\n`;
const POSTFIX = (lines: string) => ({ 'main.cf': `mail_version = 3.9.0\n${lines}` });
/** HAProxy's keys have their own rows (test/import/haproxy-import.test.ts); these are the ones its fixture sets. */
const HAPROXY = (server: string, backend = '') => ({ 'haproxy.cfg': `frontend smtp\n  bind :587\n  default_backend postfix\nbackend postfix\n  server smtpd 10.0.0.2:10025${server}\n${backend}` });

interface Row {
  readonly key: ScenarioKey;
  readonly files: Record<string, string>;
  readonly value: string | number;
  /** file:line of the setting that set it (the file's name only). */
  readonly at: string;
}

/** One row per way a key is set; the completeness test below wants every key the fixtures set to have one. */
const ROWS: readonly Row[] = [
  { key: 'front.model', files: { 'dovecot.conf': DOVECOT }, value: 'dovecot-2.3', at: 'dovecot.conf:1' },
  { key: 'front.model', files: { 'doveconf.txt': `# 2.4.3 (e4fd6e2fbb): /etc/dovecot/dovecot.conf\ndovecot_config_version = 2.4.0\n${DOVECOT}` }, value: 'dovecot-2.4', at: 'doveconf.txt:1' },
  { key: 'front.version', files: { 'doveconf.txt': `# 2.3.21.1 (d492236fa0): /etc/dovecot/dovecot.conf\n${DOVECOT}` }, value: '2.3.21.1', at: 'doveconf.txt:1' },
  { key: 'front.port', files: { 'dovecot.conf': dovecotWith('', 1587) }, value: 1587, at: 'dovecot.conf:4' },
  { key: 'front.login_proxy_max_reconnects', files: { 'dovecot.conf': dovecotWith('login_proxy_max_reconnects = 7\n') }, value: 7, at: 'dovecot.conf:1' },
  { key: 'front.login_proxy_timeout', files: { 'dovecot.conf': dovecotWith('login_proxy_timeout = 5 secs\n') }, value: 5000, at: 'dovecot.conf:1' },
  { key: 'front.login_proxy_timeout', files: { 'dovecot.conf': dovecotWith('login_proxy_timeout = 500ms\n') }, value: 500, at: 'dovecot.conf:1' },
  // Dovecot's settings on the path (docs/front-settings.md), with its units (settings-parser.c, checked with doveconf 2.3.19.1)
  { key: 'front.hostname', files: { 'dovecot.conf': dovecotWith('hostname = smtp.example.org\n') }, value: 'smtp.example.org', at: 'dovecot.conf:1' },
  { key: 'front.login_greeting', files: { 'dovecot.conf': dovecotWith('login_greeting = Hello there.\n') }, value: 'Hello there.', at: 'dovecot.conf:1' },
  { key: 'front.auth_mechanisms', files: { 'dovecot.conf': dovecotWith('auth_mechanisms = LOGIN plain\n') }, value: 'login plain', at: 'dovecot.conf:1' },
  { key: 'front.auth_mechanisms', files: { 'dovecot.conf': `${DOVECOT}protocol submission {\n  auth_mechanisms = login\n}\n` }, value: 'login', at: 'dovecot.conf:8' },
  { key: 'front.submission_backend_capabilities', files: { 'dovecot.conf': dovecotWith('submission_backend_capabilities = 8bitmime,BINARYMIME\n') }, value: '8bitmime BINARYMIME', at: 'dovecot.conf:1' },
  { key: 'front.submission_max_mail_size', files: { 'dovecot.conf': dovecotWith('submission_max_mail_size = 10M\n') }, value: 10_485_760, at: 'dovecot.conf:1' },
  { key: 'front.submission_max_mail_size', files: { 'dovecot.conf': dovecotWith('submission_max_mail_size = 5 kiB\n') }, value: 5120, at: 'dovecot.conf:1' },
  { key: 'front.submission_max_mail_size', files: { 'dovecot.conf': dovecotWith('submission_max_mail_size = 50000000\n') }, value: 50_000_000, at: 'dovecot.conf:1' },
  { key: 'front.submission_client_workarounds', files: { 'dovecot.conf': dovecotWith('submission_client_workarounds = whitespace-before-path, exotic-backend\n') }, value: 'exotic-backend', at: 'dovecot.conf:1' },
  { key: 'front.submission_client_workarounds', files: { 'dovecot.conf': dovecotWith('submission_client_workarounds = mailbox-for-path whitespace-before-path\n') }, value: '', at: 'dovecot.conf:1' },
  { key: 'front.auth_failure_delay', files: { 'dovecot.conf': dovecotWith('auth_failure_delay = 5 secs\n') }, value: 5, at: 'dovecot.conf:1' },
  { key: 'front.auth_failure_delay', files: { 'dovecot.conf': dovecotWith('auth_failure_delay = 2000 msecs\n') }, value: 2, at: 'dovecot.conf:1' },
  { key: 'front.auth_failure_delay', files: { 'dovecot.conf': dovecotWith('auth_failure_delay = 1 m\n') }, value: 60, at: 'dovecot.conf:1' },
  { key: 'front.auth_failure_delay', files: { 'dovecot.conf': dovecotWith('auth_failure_delay = 0\n') }, value: 0, at: 'dovecot.conf:1' },
  { key: 'front.login_proxy_timeout', files: { 'dovecot.conf': dovecotWith('login_proxy_timeout = 1 min\n') }, value: 60_000, at: 'dovecot.conf:1' },
  { key: 'front.model', files: { 'nginx.conf': NGINX('') }, value: 'nginx', at: 'nginx.conf:4' },
  { key: 'front.port', files: { 'nginx.conf': NGINX('') }, value: 587, at: 'nginx.conf:3' },
  { key: 'front.version', files: { 'nginx.conf': NGINX('', 'nginx version: nginx/1.29.2\n') }, value: '1.29.2', at: 'nginx.conf:1' },
  { key: 'front.smtp_auth', files: { 'nginx.conf': NGINX('    smtp_auth plain login;\n') }, value: 'login plain', at: 'nginx.conf:5' },
  { key: 'front.smtp_auth', files: { 'nginx.conf': NGINX('    smtp_auth none;\n') }, value: 'none', at: 'nginx.conf:5' },
  { key: 'client.auth', files: { 'nginx.conf': NGINX('    smtp_auth none;\n') }, value: 'none', at: 'nginx.conf:5' },
  { key: 'front.xclient', files: { 'nginx.conf': NGINX('    xclient off;\n') }, value: 'off', at: 'nginx.conf:5' },
  { key: 'front.max_errors', files: { 'nginx.conf': NGINX('    max_errors 9;\n') }, value: 9, at: 'nginx.conf:5' },
  { key: 'front.proxy_timeout', files: { 'nginx.conf': NGINX('    proxy_timeout 10s;\n') }, value: '10s', at: 'nginx.conf:5' },
  // inherited from mail { } (ngx_mail_proxy_merge_conf()), the server's own line winning
  { key: 'front.proxy_timeout', files: { 'nginx.conf': NGINX('').replace('mail {\n', 'mail {\n  proxy_timeout 1m30s;\n') }, value: '1m30s', at: 'nginx.conf:2' },
  { key: 'front.proxy_timeout', files: { 'nginx.conf': NGINX('    proxy_timeout 500ms;\n').replace('mail {\n', 'mail {\n  proxy_timeout 1h;\n') }, value: '500ms', at: 'nginx.conf:6' },
  // nginx's settings on the path: the server's own line or mail { }'s (ngx_mail_core_merge_srv_conf(), ngx_mail_smtp_merge_srv_conf())
  { key: 'front.server_name', files: { 'nginx.conf': NGINX('    server_name smtp.example.org;\n') }, value: 'smtp.example.org', at: 'nginx.conf:5' },
  { key: 'front.server_name', files: { 'nginx.conf': NGINX('').replace('mail {\n', 'mail {\n  server_name mx.example.org;\n') }, value: 'mx.example.org', at: 'nginx.conf:2' },
  { key: 'front.smtp_capabilities', files: { 'nginx.conf': NGINX('    smtp_capabilities PIPELINING "SIZE 10240000" 8BITMIME;\n') }, value: 'PIPELINING "SIZE 10240000" 8BITMIME', at: 'nginx.conf:5' },
  { key: 'front.proxy_pass_error_message', files: { 'nginx.conf': NGINX('    proxy_pass_error_message on;\n') }, value: 'on', at: 'nginx.conf:5' },
  { key: 'front.timeout', files: { 'nginx.conf': NGINX('    timeout 5m;\n') }, value: '5m', at: 'nginx.conf:5' },
  { key: 'front.smtp_client_buffer', files: { 'nginx.conf': NGINX('    smtp_client_buffer 8k;\n') }, value: '8k', at: 'nginx.conf:5' },
  { key: 'front.send_proxy', files: HAPROXY(' send-proxy'), value: 'v1', at: 'haproxy.cfg:5' },
  { key: 'front.timeout_client', files: HAPROXY(''), value: 0, at: 'haproxy.cfg:1' },
  { key: 'front.timeout_server', files: HAPROXY('', '  timeout server 1m\n'), value: 60_000, at: 'haproxy.cfg:6' },
  { key: 'front.timeout_connect', files: HAPROXY('', '  timeout connect 10s\n'), value: 10_000, at: 'haproxy.cfg:6' },
  { key: 'postfix.mail_version', files: POSTFIX(''), value: '3.9', at: 'main.cf:1' },
  { key: 'postfix.mail_version', files: { 'main.cf': 'mail_version = 3.7.11\n' }, value: '3.7.11', at: 'main.cf:1' },
  { key: 'postfix.smtpd_forbid_unauth_pipelining', files: POSTFIX('smtpd_forbid_unauth_pipelining = NO\n'), value: 'no', at: 'main.cf:2' },
  {
    key: 'postfix.smtpd_forbid_unauth_pipelining',
    files: { ...POSTFIX('smtpd_forbid_unauth_pipelining = yes\n'), 'master.cf': 'smtp inet n - n - - smtpd\n10025 inet n - n - - smtpd\n  -o smtpd_forbid_unauth_pipelining=no\n' },
    value: 'no',
    at: 'master.cf:3',
  },
  // Not set in main.cf nor by -o: Postfix's default, empty (postfix-defaults.test.ts has the rest of that rule).
  { key: 'postfix.smtpd_authorized_xclient_hosts', files: { ...POSTFIX(''), 'master.cf': 'smtp inet n - n - - smtpd\n10025 inet n - n - - smtpd\n' }, value: '', at: 'master.cf:2' },
  { key: 'postfix.smtpd_timeout', files: POSTFIX('smtpd_timeout = 5m\n'), value: 300, at: 'main.cf:2' },
  { key: 'postfix.smtpd_upstream_proxy_protocol', files: POSTFIX('smtpd_upstream_proxy_protocol = haproxy\n'), value: 'haproxy', at: 'main.cf:2' },
  { key: 'postfix.smtpd_upstream_proxy_timeout', files: POSTFIX('smtpd_upstream_proxy_timeout = 10s\n'), value: 10, at: 'main.cf:2' },
];

/** Parameters whose addresses are the deployment's own: checked, never copied into a key (postfix-map.ts). */
const LAYOUT = ['smtpd_authorized_xclient_hosts', 'mynetworks', 'smtpd_client_event_limit_exceptions', 'smtpd_forbid_bare_newline_exclusions'];

/** Every other Postfix parameter the key table has as postfix.<parameter>, with a value other than its default. */
const PARAMETER_KEYS = SCENARIO_KEYS.filter((spec) => spec.name.startsWith('postfix.') && knownKeys.includes(spec.name.slice(8)) && !LAYOUT.includes(spec.name.slice(8)) && spec.name !== 'postfix.mail_version');

function otherValue(key: ScenarioKey): string {
  const value = loadScenario({ scenario: 'mailu-2024.06' }).get(key);
  if (value === 'yes') return 'no';
  if (value === 'no') return 'yes';
  return typeof value === 'number' ? String(value + 1) : String(value);
}

const entryOf = (result: ImportResult, key: ScenarioKey) => result.mapped.find((entry) => entry.key === key);

describe('every mapped key, from a configuration line to the scenario value', () => {
  it.each(ROWS.map((row) => [`${row.key} = ${row.value} (${row.at})`, row] as const))('%s', (_name, row) => {
    const result = deployment(row.files);
    expect(result.scenario.get(row.key)).toBe(row.value);
    const entry = entryOf(result, row.key)!;
    expect(`${entry.setting.where.file.split('/').at(-1)}:${entry.setting.where.line}`).toBe(row.at);
  });

  it.each(PARAMETER_KEYS.map((spec) => [spec.name] as const))('%s from its main.cf parameter', (key) => {
    const value = otherValue(key);
    const result = deployment(POSTFIX(`${key.slice(8)} = ${value}\n`));
    expect(String(result.scenario.get(key))).toBe(value);
    expect(entryOf(result, key)?.setting.where.line).toBe(2);
  });

  it('every key the fixtures set has a row above', () => {
    const tested = new Set<ScenarioKey>([...ROWS.map((row) => row.key), ...PARAMETER_KEYS.map((spec) => spec.name)]);
    const imports = [
      ...readdirSync(FIXTURES).map((set) => importDeployment({ paths: [join(FIXTURES, set)] })),
      importDeployment({ paths: [join(FIXTURES, 'mailu-2024.06')], port: 25 }),
    ];
    const set = imports.flatMap((result) => result.mapped.flatMap((entry) => (entry.key === null ? [] : [entry.key])));
    expect(set.length).toBeGreaterThan(10);
    expect(set.filter((key) => !tested.has(key))).toEqual([]);
  });
});

describe('the shipped fixtures', () => {
  const keyForKey = (result: ImportResult, builtin: string, except: (key: string) => boolean = () => false) => {
    const expected = loadScenario({ scenario: builtin }).values;
    const keys = Object.keys(expected).filter((key) => !except(key));
    expect(Object.fromEntries(keys.map((key) => [key, result.scenario.values[key as ScenarioKey]]))).toEqual(Object.fromEntries(keys.map((key) => [key, expected[key as ScenarioKey]])));
  };

  /**
   * Mailu's Dovecot states hostname = mail.example.test and submission_max_mail_size = 50000000; the built-in
   * Mailu scenarios keep the lab's front.example.test and no SIZE value, so that their traces (test/golden) stay.
   */
  const MAILU_DOVECOT_NAMING = (key: string) => key === 'front.hostname' || key === 'front.submission_max_mail_size';

  it('Mailu 2024.06 as its templates render is the built-in mailu-2024.06, key for key but for its Dovecot\'s name and SIZE', () => {
    const result = importDeployment({ paths: [join(FIXTURES, 'mailu-2024.06')] });
    keyForKey(result, 'mailu-2024.06', MAILU_DOVECOT_NAMING);
    expect([result.scenario.get('front.hostname'), result.scenario.get('front.submission_max_mail_size')]).toEqual(['mail.example.test', 50_000_000]);
    expect(result.path).toBe('client -> Dovecot port 465 (TLS) -> Postfix port 10025');
  });

  it("with PR 3322's line it is mailu-2024.06-pr3322, key for key but for its Dovecot's name and SIZE", () => {
    keyForKey(importDeployment({ paths: [join(FIXTURES, 'mailu-2024.06-pr3322')] }), 'mailu-2024.06-pr3322', MAILU_DOVECOT_NAMING);
  });

  it("Mailu 2024.06's port 25 (--port 25) is nginx-port25, key for key, with master.cf's smtp service", () => {
    const result = importDeployment({ paths: [join(FIXTURES, 'mailu-2024.06')], port: 25 });
    keyForKey(result, 'nginx-port25');
    expect(result.mapped.find((entry) => entry.setting.name === 'master.cf service smtp')).toBeDefined();
  });

  it("Mailu 2.0's nginx alone, with the Postfix and Mailu releases given by --set, is mailu-2.0, key for key", () => {
    // nginx -T names neither release; the Mailu release decides how the auth service reads the credentials.
    keyForKey(importDeployment({ paths: [join(FIXTURES, 'nginx-only')], sets: ['postfix.mail_version=3.8.9', 'auth.mailu_version=2.0.43'] }), 'mailu-2.0');
  });

  it('the recorded Debian 12 stack is real-stack in every configuration key (its scheduling keys are calibrated, not configured)', () => {
    keyForKey(importDeployment({ paths: [join(FIXTURES, 'debian-12')] }), 'real-stack', (key) => key.startsWith('sim.') || key === 'auth.latency_ms');
  });

  it('Mailu 2024.06: the 10025 service\'s -o overrides are read, TLS is listed as unsupported, nothing unread is left out', () => {
    const result = importDeployment({ paths: [join(FIXTURES, 'mailu-2024.06')] });
    const mapped = (name: string) => result.mapped.find((entry) => entry.setting.name === name);
    expect(mapped('smtpd_discard_ehlo_keywords')?.setting.where.file).toMatch(/master\.cf$/);
    expect(mapped('smtpd_sasl_auth_enable')?.value).toBe('yes');
    expect(result.unsupported.map((entry) => entry.setting.name)).toEqual(expect.arrayContaining(['ssl', 'TLS_FLAVOR', 'smtpd_client_restrictions']));
    expect(result.assumed.find((entry) => entry.key === 'front.port')?.reason).toMatch(/465 with TLS only/);
    expect(result.assumed.find((entry) => entry.key === 'postfix.smtpd_forbid_unauth_pipelining')).toMatchObject({ value: 'yes' });
    const lines = readFileSync(join(FIXTURES, 'mailu-2024.06/main.cf'), 'utf8').split('\n').filter((line) => /^[a-z]/.test(line)).length;
    const fromMain = [...result.mapped, ...result.ignored, ...result.unsupported].filter((entry) => entry.setting.where.file.endsWith('/main.cf')).length;
    expect(fromMain).toBe(lines);
  });

  it('the recipient table: Mailu\'s socketmap is a table the lab cannot read (unsupported), the 10025 service\'s smtpd_reject_unlisted_recipient=no a key; Debian\'s static: finds everyone (ignored); an inline table is the key as written', () => {
    const mailu = importDeployment({ paths: [join(FIXTURES, 'mailu-2024.06')] });
    expect(mailu.unsupported.find((entry) => entry.setting.name === 'virtual_mailbox_maps')?.reason).toMatch(/^a table the lab cannot read/);
    expect(mailu.mapped.find((entry) => entry.setting.name === 'smtpd_reject_unlisted_recipient')).toMatchObject({ key: 'postfix.smtpd_reject_unlisted_recipient', value: 'no' });
    const debian = importDeployment({ paths: [join(FIXTURES, 'debian-12')] });
    expect(debian.ignored.find((entry) => entry.setting.name === 'virtual_mailbox_maps')?.reason).toMatch(/^static: finds every address/);
    const inline = deployment({ 'main.cf': 'mail_version = 3.9.0\nvirtual_mailbox_maps = inline:{ alice@example.test=1 }\n', 'dovecot.conf': DOVECOT });
    expect(inline.mapped.find((entry) => entry.setting.name === 'virtual_mailbox_maps')).toMatchObject({ key: 'postfix.virtual_mailbox_maps', value: 'inline:{ alice@example.test=1 }' });
  });

  it("Dovecot's release: a distribution's package prints its upstream release, so the OS line names the build; an unnamed 2.3 lists what the 2.3 releases differ in", () => {
    const debian = importDeployment({ paths: [join(FIXTURES, 'debian-12')] });
    const version = (result: ImportResult) => result.mapped.find((entry) => entry.key === 'front.version');
    expect(version(debian)).toMatchObject({ value: '2.3.19.1' });
    expect(version(debian)?.note).toMatch(/OS line says Debian 12\.11, whose package is a build of it: front\.version=2\.3\.19\.1\+deb12u7 .*login_checks_response_base64 backported/);
    const doveconf = (os: string, release = '2.3.19.1') => deployment({ 'doveconf.txt': `# ${release} (9b53102964): /etc/dovecot/dovecot.conf\n# OS: ${os}\n${DOVECOT}` });
    // another distribution, another Debian, or another release: no build the lab has
    for (const other of [doveconf('Linux 6.1.0 x86_64 Ubuntu 24.04'), doveconf('Linux 6.1.0 x86_64 Debian 11.9'), doveconf('Linux 6.1.0 x86_64 Debian 120'), doveconf('Linux 6.1.0 x86_64 Debian 12.11', '2.3.21.1')]) {
      expect(version(other)?.note).toBe('');
    }
    expect(version(doveconf('Linux 6.1.0 x86_64 Debian 12'))?.note).toMatch(/2\.3\.19\.1\+deb12u7/);
    const unnamed = deployment({ 'dovecot.conf': DOVECOT }).assumed.find((entry) => entry.key === 'front.version');
    expect(unnamed?.reason).toMatch(/the lab takes 2\.3\.19\.1\. Within 2\.3 the releases differ in login_command_parameters_limit \(from 2\.3\.18\); distribution builds: 2\.3\.19\.1\+deb12u7/);
  });

  it("the transports, inet_interfaces and local_recipient_maps: the recorded stack's error:5.7.1 and 127.0.0.1 are keys, its passwd table is assumed; Mailu's transport_maps is a table the lab cannot read", () => {
    const debian = importDeployment({ paths: [join(FIXTURES, 'debian-12')] });
    const key = (result: ImportResult, name: string) => result.mapped.find((entry) => entry.setting.name === name);
    expect(key(debian, 'default_transport')).toMatchObject({ key: 'postfix.default_transport', value: 'error:5.7.1 no outbound delivery in this lab' });
    expect(key(debian, 'relay_transport')).toMatchObject({ key: 'postfix.relay_transport', value: 'error:5.7.1 no outbound delivery in this lab' });
    expect(key(debian, 'inet_interfaces')).toMatchObject({ key: 'postfix.inet_interfaces', value: '127.0.0.1' });
    expect(debian.assumed.find((entry) => entry.key === 'postfix.local_recipient_maps')?.value).toMatch(/passwd\.byname \$alias_maps"; alias_maps = \(empty\)\)$/);
    const mailu = importDeployment({ paths: [join(FIXTURES, 'mailu-2024.06')] });
    expect(key(mailu, 'virtual_transport')).toMatchObject({ key: 'postfix.virtual_transport', value: 'lmtp:inet:192.168.203.2:2525' });
    // not stated: Postfix's defaults (smtp, relay, all), not the recorded stack's
    expect([key(mailu, 'default_transport')?.value, key(mailu, 'relay_transport')?.value, key(mailu, 'inet_interfaces')?.value]).toEqual(['smtp', 'relay', 'all']);
    expect(mailu.unsupported.find((entry) => entry.setting.name === 'transport_maps')?.reason).toMatch(/^a table the lab cannot read: it may send a recipient to the error: or retry: transport.*postfix\.transport_maps=inline:/);
    const stated = (line: string) => deployment({ 'main.cf': `mail_version = 3.9.0\n${line}\n`, 'dovecot.conf': DOVECOT });
    expect(key(stated('local_recipient_maps = inline:{ root=x, bob=x }'), 'local_recipient_maps')).toMatchObject({ key: 'postfix.local_recipient_maps', value: 'inline:{ root=x, bob=x }' });
    expect(stated('local_recipient_maps = proxy:unix:passwd.byname').unsupported.find((entry) => entry.setting.name === 'local_recipient_maps')?.reason).toMatch(/a table the lab cannot read, so it keeps its own/);
    expect(key(stated('proxy_interfaces = 192.0.2.1'), 'proxy_interfaces')).toMatchObject({ key: 'postfix.proxy_interfaces', value: '192.0.2.1' });
  });

  it("virtual aliases, transport_maps and relayhost (routing-config.ts): an inline table or a value is its key; Mailu's socketmap and lmdb tables are unsupported, saying what the lab does", () => {
    const key = (result: ImportResult, name: string) => result.mapped.find((entry) => entry.setting.name === name);
    const reason = (result: ImportResult, name: string) => result.unsupported.find((entry) => entry.setting.name === name)?.reason;
    const mailu = importDeployment({ paths: [join(FIXTURES, 'mailu-2024.06')] });
    expect(key(mailu, 'virtual_alias_domains')).toMatchObject({ key: 'postfix.virtual_alias_domains', value: '' });
    expect(key(mailu, 'relayhost')).toMatchObject({ key: 'postfix.relayhost', value: '' });
    expect(reason(mailu, 'virtual_alias_maps')).toMatch(/^a table the lab cannot read: with smtpd_reject_unlisted_recipient = yes an address found there is accepted whatever its class.*postfix\.virtual_alias_maps=inline:/);
    const stated = (lines: string) => deployment({ 'main.cf': `mail_version = 3.9.0\n${lines}\n`, 'dovecot.conf': DOVECOT });
    const table = 'inline:{ {x.test = error:5.7.1 no route}, {* = smtp} }';
    expect(key(stated(`transport_maps = ${table}`), 'transport_maps')).toMatchObject({ key: 'postfix.transport_maps', value: table });
    expect(key(stated('virtual_alias_maps = inline:{ alias.test=x, bob@alias.test=x }'), 'virtual_alias_maps')).toMatchObject({ key: 'postfix.virtual_alias_maps', value: 'inline:{ alias.test=x, bob@alias.test=x }' });
    expect(key(stated('relayhost = [relay.example.test]:587'), 'relayhost')).toMatchObject({ key: 'postfix.relayhost', value: '[relay.example.test]:587' });
    // virtual_alias_domains unstated: its default $virtual_alias_maps, which the key keeps (the model asks the table); stated, the domains it evaluates to
    const unstated = stated('virtual_alias_maps = inline:{ alias.test=x, bob@alias.test=x }');
    expect(key(unstated, 'virtual_alias_domains')).toMatchObject({ key: 'postfix.virtual_alias_domains', value: '$virtual_alias_maps' });
    expect(unstated.scenario.get('postfix.virtual_alias_domains')).toBe('$virtual_alias_maps');
    expect(key(stated('virtual_alias_maps = inline:{ alias.test=x }\nvirtual_alias_domains = $virtual_alias_maps, other.test'), 'virtual_alias_domains')).toMatchObject({ value: 'alias.test, other.test' });
    expect(reason(stated('virtual_alias_domains = hash:/etc/postfix/valias'), 'virtual_alias_domains')).toMatch(/a table the import cannot read: the virtual alias domains/);
    // Postfix's default virtual_alias_maps, $virtual_maps, is empty: so is the default virtual_alias_domains
    expect(key(deployment({ 'main.cf': 'mail_version = 3.9.0\n', 'dovecot.conf': DOVECOT }), 'virtual_alias_domains')?.setting.value).toMatch(/^\(not set: Postfix's default, mail_params\.h DEF_VIRT_ALIAS_DOMS "\$virtual_alias_maps" = \(empty\): no domain\)$/);
    expect(() => stated('relayhost = $mydomain')).toThrow(/main\.cf:2: .*relayhost/);
  });

  it("the fronts' settings: Mailu's and the recorded stack's as stated, Dovecot's and nginx's own values where unstated, and what the lab cannot take listed with the reason", () => {
    const mailu = importDeployment({ paths: [join(FIXTURES, 'mailu-2024.06')] });
    const mapped = (result: ImportResult, name: string) => result.mapped.find((entry) => entry.setting.name === name);
    expect(mapped(mailu, 'auth_mechanisms')).toMatchObject({ key: 'front.auth_mechanisms', value: 'plain login' });
    expect(mapped(mailu, 'submission_client_workarounds')).toMatchObject({ key: 'front.submission_client_workarounds', value: '', note: expect.stringMatching(/mailbox-for-path: no effect on submission-login/) });
    // ssl = required on an implicit-TLS listener: every client is secured, so disable_plaintext_auth's default changes nothing
    expect(mailu.unsupported.map((entry) => entry.setting.name)).not.toContain('disable_plaintext_auth');
    expect(mailu.assumed.find((entry) => entry.key === 'front.login_greeting')).toMatchObject({ value: 'Dovecot ready.' });
    const debian = importDeployment({ paths: [join(FIXTURES, 'debian-12')] });
    expect(debian.assumed.find((entry) => entry.key === 'front.login_greeting')).toMatchObject({ value: 'Dovecot (Debian) ready.', reason: expect.stringMatching(/OS line names Debian/) });
    expect(mapped(debian, 'disable_plaintext_auth')).toMatchObject({ key: null, note: 'PLAIN and LOGIN in the clear, as the lab' });
    // a bare dovecot.conf: Dovecot's own defaults, not the lab's
    const bare = deployment({ 'dovecot.conf': DOVECOT });
    const assumed = (key: string) => bare.assumed.find((entry) => entry.key === key);
    expect([assumed('front.auth_mechanisms')?.value, assumed('front.submission_backend_capabilities')?.value, assumed('front.login_greeting')?.value, assumed('front.auth_failure_delay')?.value])
      .toEqual(['plain', '8BITMIME', 'Dovecot ready.', '2']);
    expect(assumed('front.hostname')?.reason).toMatch(/machine's name \(submission_login_settings_check\(\): my_hostdomain\(\)\)/);
    expect(bare.unsupported.find((entry) => entry.setting.name === 'disable_plaintext_auth')?.reason).toMatch(/Plaintext authentication disabled/);
    const stated = (line: string) => deployment({ 'dovecot.conf': dovecotWith(line) });
    expect(stated('auth_mechanisms = plain cram-md5\n').unsupported.find((entry) => entry.setting.name === 'auth_mechanisms')?.reason).toMatch(/^cram-md5: offered in the EHLO's AUTH line/);
    expect(stated('login_trusted_networks = 10.0.0.0/8\n').unsupported.find((entry) => entry.setting.name === 'login_trusted_networks')?.reason).toMatch(/may send XCLIENT itself/);
    expect(stated('login_greeting = %{hostname} ready\n').unsupported.find((entry) => entry.setting.name === 'login_greeting')).toBeDefined();
    expect(mapped(stated('submission_backend_capabilities = 8BITMIME SMTPUTF8\n'), 'submission_backend_capabilities')).toMatchObject({ value: '8BITMIME', note: expect.stringMatching(/SMTPUTF8 left out: Dovecot warns/) });
    expect(mapped(stated('auth_allow_cleartext = yes\n'), 'auth_allow_cleartext')).toMatchObject({ key: null });
    // nginx: Mailu's lines are keys; unset ones nginx's defaults; the resolver and the greeting delay are on the path
    const nginx = importDeployment({ paths: [join(FIXTURES, 'nginx-only')] });
    expect(['server_name', 'proxy_pass_error_message', 'smtp_capabilities'].map((name) => mapped(nginx, name)?.key)).toEqual(['front.server_name', 'front.proxy_pass_error_message', 'front.smtp_capabilities']);
    expect(nginx.unsupported.find((entry) => entry.setting.name === 'resolver')?.reason).toMatch(/XCLIENT NAME= and Client-Host/);
    const plain = deployment({ 'nginx.conf': NGINX('    smtp_greeting_delay 3s;\n    smtp_client_buffer 4k;\n    resolver off;\n') });
    expect(plain.unsupported.find((entry) => entry.setting.name === 'smtp_greeting_delay')?.reason).toMatch(/503 5\.5\.0 Improper use of SMTP command pipelining/);
    expect(mapped(plain, 'smtp_client_buffer')).toMatchObject({ key: 'front.smtp_client_buffer', value: '4k' });
    expect(mapped(plain, 'resolver')).toMatchObject({ key: null });
    expect(plain.assumed.filter((entry) => ['front.server_name', 'front.smtp_capabilities', 'front.proxy_pass_error_message'].includes(entry.key)).map((entry) => entry.value)).toEqual(['mail.example.test', '', 'off']);
  });

  it("the fronts' values refused at their line as the daemons refuse them", () => {
    expect(importError({ 'dovecot.conf': dovecotWith('auth_failure_delay = 5\n') })).toMatch(/dovecot\.conf:1: auth_failure_delay = 5: Time interval '5' is missing units/);
    expect(importError({ 'dovecot.conf': dovecotWith('auth_failure_delay = 1500ms\n') })).toMatch(/dovecot\.conf:1: auth_failure_delay = 1500ms: Milliseconds not supported for this setting/);
    expect(importError({ 'dovecot.conf': dovecotWith('submission_max_mail_size = 3x\n') })).toMatch(/dovecot\.conf:1: submission_max_mail_size = 3x: Invalid size: 3x/);
    expect(importError({ 'dovecot.conf': dovecotWith('submission_client_workarounds = fast\n') })).toMatch(/dovecot\.conf:1: submission_client_workarounds: Unknown workaround: fast/);
    expect(importError({ 'dovecot.conf': dovecotWith('auth_mechanisms = cram-md5\n') })).toMatch(/dovecot\.conf:1: auth_mechanisms = cram-md5: neither plain nor login/);
    expect(importError({ 'nginx.conf': NGINX('    smtp_client_buffer 4q;\n') })).toMatch(/nginx\.conf:5: smtp_client_buffer = 4q: front\.smtp_client_buffer: '4q' is not allowed: "smtp_client_buffer" directive invalid value/);
  });

  it('every fixture file says where it came from', () => {
    for (const set of readdirSync(FIXTURES)) {
      for (const file of readdirSync(join(FIXTURES, set))) {
        const head = readFileSync(join(FIXTURES, set, file), 'utf8').split('\n').slice(0, 8).join('\n');
        expect(head, `${set}/${file}`).toMatch(/github\.com\/(Mailu\/Mailu|haproxy\/haproxy|vdukhovni\/postfix)|conformance\/records/);
      }
    }
  });
});

describe('bad or partial input: an error naming the file and line', () => {
  it('Postfix files that do not name the release', () => {
    expect(importError({ 'main.cf': 'smtpd_timeout = 300s\n' })).toMatch(/main\.cf: the Postfix files do not say which release runs; add the output of `postconf mail_version`/);
  });

  it('a release the lab does not model, a parameter the release lacks, a value Postfix refuses', () => {
    expect(importError({ 'main.cf': 'mail_version = 3.4.14\n' })).toMatch(/main\.cf:1: mail_version = 3\.4\.14 is not a Postfix release the lab models/);
    expect(importError({ 'main.cf': 'mail_version = 3.7.5\nsmtpd_forbid_unauth_pipelining = yes\n' })).toMatch(/main\.cf:2: smtpd_forbid_unauth_pipelining: Postfix 3\.7\.5 has no parameter/);
    expect(importError(POSTFIX('smtpd_forbid_unauth_pipelining = maybe\n'))).toMatch(/main\.cf:2: .*"maybe" is not a boolean/);
    expect(importError(POSTFIX('smtpd_timeout = soon\n'))).toMatch(/main\.cf:2: smtpd_timeout: "soon" is not a time value/);
    // transports.ts transportProblem(), config.ts inetInterfacesProblem()
    expect(importError(POSTFIX('default_transport = error:$myhostname is closed\n'))).toMatch(/main\.cf:2: default_transport: .*does not expand \$parameters/);
    expect(importError(POSTFIX('inet_interfaces = localhost\n'))).toMatch(/main\.cf:2: inet_interfaces: "localhost" is not an IPv4 or IPv6 address/);
  });

  it('a master.cf with no service where the front relays', () => {
    expect(importError({ 'dovecot.conf': DOVECOT, ...POSTFIX(''), 'master.cf': 'smtp inet n - n - - smtpd\n' })).toMatch(/master\.cf: no inet service listens on port 10025, where no passdb names a proxy port/);
  });

  it('a Dovecot that does not serve submission, or a 2.4 configuration without its release', () => {
    expect(importError({ 'dovecot.conf': DOVECOT.replace('protocols = submission', 'protocols = imap') })).toMatch(/dovecot\.conf:1: protocols = imap: this Dovecot does not serve submission/);
    expect(importError({ 'dovecot.conf': `dovecot_config_version = 2.4.0\n${DOVECOT}` })).toMatch(/dovecot\.conf:1: a Dovecot 2\.4 configuration without the release/);
    expect(importError({ 'doveconf.txt': `# 2.2.36 (1f10bfa63): /etc/dovecot/dovecot.conf\n${DOVECOT}` })).toMatch(/doveconf\.txt:1: Dovecot 2\.2\.36 is not a release the lab models/);
    expect(importError({ 'dovecot.conf': dovecotWith('login_proxy_timeout = soon\n') })).toMatch(/dovecot\.conf:1: login_proxy_timeout = soon: Invalid time interval: soon/);
  });

  it('nginx without a mechanism the lab has, or a value the key table refuses', () => {
    expect(importError({ 'nginx.conf': NGINX('    smtp_auth cram-md5;\n') })).toMatch(/nginx\.conf:5: smtp_auth cram-md5: neither plain nor login/);
    expect(importError({ 'nginx.conf': NGINX('    max_errors 0;\n') })).toMatch(/nginx\.conf:5: max_errors = 0: front\.max_errors: '0' is not allowed/);
    // ngx_conf_set_msec_slot(): a msec time has no years or months
    expect(importError({ 'nginx.conf': NGINX('    proxy_timeout 1y;\n') })).toMatch(/nginx\.conf:5: proxy_timeout = 1y: front\.proxy_timeout: '1y' is not allowed: "proxy_timeout" directive invalid value/);
    expect(importError({ 'nginx.conf': NGINX('    timeout 1M;\n') })).toMatch(/nginx\.conf:5: timeout = 1M: front\.timeout: '1M' is not allowed: "timeout" directive invalid value/);
  });

  it("the client listener's so_keepalive is front.so_keepalive; another listener's is not read; a value nginx -t refuses is refused at its line", () => {
    const listens = (first: string, second: string) => ({ 'nginx.conf': `mail {\n  server {\n    listen ${first};\n    listen ${second};\n    protocol smtp;\n  }\n}\n` });
    const imported = deployment(listens('587 so_keepalive=30m::10', '25'));
    expect(entryOf(imported, 'front.so_keepalive')).toMatchObject({ value: '30m::10', setting: { where: { line: 3 } } });
    expect(imported.scenario.get('front.so_keepalive')).toBe('30m::10');
    expect(entryOf(deployment(listens('587', '25 so_keepalive=on')), 'front.so_keepalive')).toBeUndefined();
    expect(importError(listens('587 so_keepalive=1:2:3:4', '25'))).toMatch(/nginx\.conf:3: listen = 587 so_keepalive=1:2:3:4: front\.so_keepalive: '1:2:3:4' is not allowed: invalid so_keepalive value: "1:2:3:4"/);
  });

  it('two configurations of one daemon, a port no front serves, several paths and no choice', () => {
    expect(importError({ 'a.conf': DOVECOT, 'b.conf': DOVECOT })).toMatch(/a\.conf, .*b\.conf: two Dovecot dovecot\.conf \/ doveconf -n configurations/);
    expect(importError({ 'dovecot.conf': DOVECOT }, { port: 25 })).toMatch(/--port 25: no front in the input listens there; the fronts listen on 587 \(dovecot\)/);
    expect(importError({ 'nginx.conf': 'mail {\n  server { listen 25; protocol smtp; }\n  server { listen 2525; protocol smtp; }\n}\n' })).toMatch(/the fronts listen on 25 \(nginx\), 2525 \(nginx\) and none is a submission port.*--port N/);
  });

  it('a file of no known format, a missing path, an empty directory', () => {
    expect(importError({ 'notes.txt': 'hello there\n' })).toMatch(/notes\.txt:1: cannot tell which configuration this is/);
    expect(() => importDeployment({ paths: ['/nonexistent/smtp-lab'] })).toThrow(/\/nonexistent\/smtp-lab: no such file or directory/);
    const empty = mkdtempSync(join(tmpdir(), 'smtp-lab-empty-'));
    mkdirSync(join(empty, 'sub'));
    expect(() => importDeployment({ paths: [empty] })).toThrow(/the directory holds no files/);
  });
});
