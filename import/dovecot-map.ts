/* dovecot-map - Dovecot's submission-login proxy onto the lab: release, the client's listener, proxy settings
 *
 * Which Dovecot: `doveconf -n` names the release in its first line. A plain dovecot.conf does not;
 * its syntax still tells the line (2.4 refuses a configuration without dovecot_config_version), and
 * within 2.3 the lab takes its default release and lists what the 2.3 releases differ in (the gates
 * of models/front/releases.ts DOVECOT_GATES that fall within 2.3). A 2.4 configuration without the
 * release is refused, since 2.4.3 changed what an XCLIENT refusal does. A distribution's package
 * prints its upstream release (Debian 12's 1:2.3.19.1+dfsg1-2.1+deb12u7 prints 2.3.19.1), so the
 * release is taken as printed and, when doveconf's "# OS:" line names a distribution the lab has a
 * build of (DOVECOT_BUILDS), the mapping says which front.version that build is.
 * Where the login proxy goes is the passdb's answer, not a setting: Mailu's login.lua asks the auth
 * service, which answers port 10025 for submission (core/admin/mailu/internal/nginx.py get_server);
 * a static passdb names `port=` in its args.
 */
import { DEFAULT_FRONT_RELEASE, DOVECOT_BUILDS, DOVECOT_GATES } from '../models/front/releases.ts';
import { labDovecotConfig, LIB_SMTP_CAPABILITIES } from '../models/front/config.ts';
import type { ScenarioKey } from '../scenarios/keys.ts';
import { FRONT_RELEASES } from '../scenarios/front-releases.ts';
import { POSTFIX_SUBMISSION_PORT } from '../scenarios/topology.ts';
import { assign } from './assign.ts';
import { emptyResult, ignored, TLS_NOT_MODELLED, unsupported, type MapperResult } from './entries.ts';
import { sectionsOf, type DovecotConfig, type DovecotSection } from './doveconf.ts';
import { plainPortAssumed, type FrontListener } from './front-listener.ts';
import type { BackendPort } from './postfix-map.ts';
import { dovecotSize, dovecotTime } from './dovecot-values.ts';
import { ConfigError, whereText, type Setting, type Where } from './source.ts';


function bool(setting: Setting | undefined): boolean {
  return setting !== undefined && /^(yes|y|1|true)$/i.test(setting.value.trim());
}

/** Every client listener of submission-login with a port. */
export function dovecotListeners(config: DovecotConfig): FrontListener[] {
  return sectionsOf(config.root, 'service', 'submission-login').flatMap((service) =>
    sectionsOf(service, 'inet_listener').flatMap((listener): FrontListener[] => {
      const port = listener.settings.get('port');
      if (port === undefined || port.value === '0') return [];
      if (!/^\d+$/.test(port.value)) throw new ConfigError(port.where, `port = ${port.value}: not a port number`);
      return [{ front: 'dovecot', port: Number(port.value), tls: bool(listener.settings.get('ssl')), proxyProtocol: bool(listener.settings.get('haproxy')), name: listener.name, setting: port }];
    }),
  );
}

/** The front model and release; `front.version` only when the input names it. */
function release(config: DovecotConfig, result: MapperResult): void {
  const versionSetting = config.root.settings.get('dovecot_config_version');
  if (config.release !== null) {
    const modelled = [...FRONT_RELEASES['dovecot-2.3'], ...FRONT_RELEASES['dovecot-2.4']];
    if (!modelled.includes(config.release.value)) throw new ConfigError(config.release.where, `Dovecot ${config.release.value} is not a release the lab models (${modelled.join(', ')})`);
    const line = config.release.value.startsWith('2.4.') ? 'dovecot-2.4' : 'dovecot-2.3';
    result.keys.push(assign('front.model', line, config.release));
    result.keys.push(assign('front.version', config.release.value, config.release, distributionBuildNote(config)));
    return;
  }
  if (versionSetting !== undefined) {
    throw new ConfigError(versionSetting.where, 'a Dovecot 2.4 configuration without the release: 2.4.0-2.4.2 retry a refused XCLIENT and 2.4.3+ do not, so give `doveconf -n` output (its first line names the release)');
  }
  const where = config.root.settings.values().next().value?.where ?? config.root.where;
  result.keys.push(assign('front.model', 'dovecot-2.3', { name: '(no dovecot_config_version: 2.3 syntax)', value: '', where }, 'the file does not name its release; 2.4 would refuse it without dovecot_config_version'));
  result.entries.push({ list: 'assumed', key: 'front.version', value: labDovecotConfig.version, reason: `the file does not name the 2.3 release (doveconf -n prints it); the lab takes ${DEFAULT_FRONT_RELEASE['dovecot-2.3']}. ${within23Text()}` });
}

/** What the 2.3 releases differ in on the lab's path: the gates whose first release is a later 2.3 one, and the builds. */
function within23Text(): string {
  const first = FRONT_RELEASES['dovecot-2.3'][0]!;
  const gates = Object.entries(DOVECOT_GATES).filter(([, gate]) => gate.since.startsWith('2.3.') && gate.since !== first);
  const builds = Object.keys(DOVECOT_BUILDS).filter((build) => DOVECOT_BUILDS[build]!.upstream.startsWith('2.3.'));
  const differ = gates.length === 0 ? `No front-model gate falls within 2.3 (from ${first})` : `Within 2.3 the releases differ in ${gates.map(([name, gate]) => `${name} (from ${gate.since})`).join(', ')}`;
  const builtText = builds.length === 0 ? '' : `; distribution builds: ${builds.map((build) => `${build} (${DOVECOT_BUILDS[build]!.backports.join(', ')} backported)`).join(', ')}`;
  return `${differ}${builtText}; set front.version to the deployment's release.`;
}

/**
 * The build a distribution's package of the printed release is, when doveconf's OS line names that
 * distribution: Debian's "+deb<N>u<M>" builds on "Debian <N>". The package's update level is not
 * printed, so the release is kept as printed and the note names the build the lab has.
 */
function distributionBuildNote(config: DovecotConfig): string {
  const os = config.os?.value ?? '';
  const builds = Object.keys(DOVECOT_BUILDS).filter((build) => {
    const debian = /\+deb(\d+)u\d+$/.exec(build);
    return DOVECOT_BUILDS[build]!.upstream === config.release?.value && debian !== null && new RegExp(`\\bDebian ${debian[1]}(\\.|\\s|$)`).test(os);
  });
  if (builds.length === 0) return '';
  return `doveconf -n prints the upstream release, and its OS line says ${os.replace(/^.*?\b(Debian \S+).*$/, '$1')}, whose package is a build of it: front.version=${builds.join(' or ')} if the package is that update (${builds.map((build) => DOVECOT_BUILDS[build]!.backports.join(', ')).join('; ')} backported)`;
}

/** Where the login proxy sends clients, read from the passdb. */
function backendOf(config: DovecotConfig): BackendPort {
  for (const passdb of sectionsOf(config.root, 'passdb')) {
    const args = passdb.settings.get('args');
    const driver = passdb.settings.get('driver')?.value;
    const port = /(?:^|\s)port=(\d+)/.exec(args?.value ?? '');
    if (port) return { port: Number(port[1]), because: `the passdb answers port=${port[1]} (${whereText(args!.where)})` };
    if (driver === 'lua') return { port: POSTFIX_SUBMISSION_PORT, because: `the Lua passdb (${whereText(passdb.where)}) is taken as Mailu's login.lua, whose auth service answers port ${POSTFIX_SUBMISSION_PORT} for submission` };
  }
  return { port: POSTFIX_SUBMISSION_PORT, because: `no passdb names a proxy port; the lab's auth service answers ${POSTFIX_SUBMISSION_PORT} (Mailu's)` };
}

type Mapping = (setting: Setting, result: MapperResult) => void;
const key = (to: ScenarioKey, value: (setting: Setting) => string, note?: (setting: Setting) => string): Mapping =>
  (setting, result) => { result.keys.push(assign(to, value(setting), setting, note?.(setting) ?? '')); };

/** The mechanisms the model runs (docs/front-settings.md: the others are not modelled). */
const MODELLED_MECHANISMS = ['plain', 'login'];

/**
 * auth_mechanisms (auth-settings.c, read by the auth process, which hands them to the login process in this
 * order: the EHLO's AUTH line, measured on Debian's 2.3.19.1). Others are listed as unsupported; none of
 * PLAIN and LOGIN leaves no client the lab generates a way in.
 */
function authMechanisms(setting: Setting, result: MapperResult): void {
  const names = setting.value.trim().toLowerCase().split(/[\s,]+/).filter((name) => name !== '');
  const modelled = [...new Set(names.filter((name) => MODELLED_MECHANISMS.includes(name)))];
  const others = names.filter((name) => !MODELLED_MECHANISMS.includes(name));
  if (modelled.length === 0) throw new ConfigError(setting.where, `auth_mechanisms = ${setting.value}: neither plain nor login, so no client the lab generates can log in`);
  if (others.length > 0) result.entries.push(unsupported(setting, `${others.join(', ')}: offered in the EHLO's AUTH line and run by the real auth process; the lab's Dovecot runs PLAIN and LOGIN only`));
  result.keys.push(assign('front.auth_mechanisms', modelled.join(' '), setting));
}

/** client.c client_parse_backend_capabilities(): lib-smtp's names; another is warned about and skipped, and so is left out here. */
function backendCapabilities(setting: Setting, result: MapperResult): void {
  const names = setting.value.split(/[\s,]+/).filter((name) => name !== '');
  const known = names.filter((name) => (LIB_SMTP_CAPABILITIES as readonly string[]).includes(name.toUpperCase()));
  const unknown = names.filter((name) => !known.includes(name));
  const note = unknown.length === 0 ? '' : `${unknown.join(', ')} left out: Dovecot warns "Unknown SMTP capability in submission_backend_capabilities" and skips it`;
  result.keys.push(assign('front.submission_backend_capabilities', known.join(' '), setting, note));
}

/** The workarounds submission-login knows (submission-login-settings.c submission_login_client_workaround_list, 2.3.19.1 and 2.4.4). */
const SUBMISSION_LOGIN_WORKAROUNDS: Readonly<Record<string, string>> = {
  'exotic-backend': '',
  'implicit-auth-external': 'no effect in the lab: it lets a client with a TLS certificate skip AUTH (client-authenticate.c cmd_mail()), and the lab\'s clients present none',
  'whitespace-before-path': 'no effect on submission-login (0 in its list; the submission service reads it)',
  'mailbox-for-path': 'no effect on submission-login (0 in its list; the submission service reads it)',
};

/** submission_login_settings_parse_workarounds(): an unknown name stops Dovecot ("Unknown workaround"). */
function clientWorkarounds(setting: Setting, result: MapperResult): void {
  const names = setting.value.split(/[\s,]+/).filter((name) => name !== '').map((name) => name.toLowerCase());
  const unknown = names.find((name) => !(name in SUBMISSION_LOGIN_WORKAROUNDS));
  if (unknown !== undefined) throw new ConfigError(setting.where, `submission_client_workarounds: Unknown workaround: ${unknown} (Dovecot does not start)`);
  const notes = names.filter((name) => SUBMISSION_LOGIN_WORKAROUNDS[name] !== '').map((name) => `${name}: ${SUBMISSION_LOGIN_WORKAROUNDS[name]}`);
  result.keys.push(assign('front.submission_client_workarounds', names.includes('exotic-backend') ? 'exotic-backend' : '', setting, notes.join('; ')));
}

/** login_greeting is STR_VARS (login-settings.c): a %variable is expanded per client, which the key does not do. */
function loginGreeting(setting: Setting, result: MapperResult): void {
  if (setting.value.includes('%')) result.entries.push(unsupported(setting, 'a %variable, which Dovecot expands in the greeting; the lab\'s greeting is fixed text'));
  else result.keys.push(assign('front.login_greeting', unquoted(setting.value), setting));
}

/** A value doveconf prints in double quotes when it has blanks at its ends. */
const unquoted = (value: string) => value.trim().replace(/^"(.*)"$/, '$1');

/** The settings submission-login reads on the lab's path, each onto its key (docs/front-settings.md). */
const KEYS: Readonly<Record<string, Mapping>> = {
  login_proxy_max_reconnects: key('front.login_proxy_max_reconnects', (s) => s.value),
  // SET_TIME_MSECS (login-settings.c)
  login_proxy_timeout: key('front.login_proxy_timeout', (s) => String(dovecotTime(s, 'milliseconds')), (s) => `${s.value} in ms`),
  // empty: the machine's name (submission_login_settings_check(): my_hostdomain()), as unstated
  hostname: (setting, result) => {
    if (setting.value.trim() !== '') return key('front.hostname', (s) => s.value.trim())(setting, result);
    result.entries.push(unsupported(setting, "empty: the machine's name (submission_login_settings_check(): my_hostdomain()), which the input does not give"));
    unstatedHostname(result, setting.where);
  },
  login_greeting: loginGreeting,
  auth_mechanisms: authMechanisms,
  submission_backend_capabilities: backendCapabilities,
  // SET_SIZE
  submission_max_mail_size: key('front.submission_max_mail_size', (s) => String(dovecotSize(s)), (s) => `${s.value} in bytes`),
  submission_client_workarounds: clientWorkarounds,
  // SET_TIME (auth-settings.c): whole seconds
  auth_failure_delay: key('front.auth_failure_delay', (s) => String(dovecotTime(s, 'seconds')), (s) => `${s.value} in seconds`),
  login_trusted_networks: trustedNetworks,
};

/**
 * login_trusted_networks: a client inside is trusted (client-common.c client_is_trusted()): submission-login
 * offers it XCLIENT and takes its XCLIENT (client.c client_connection_is_trusted(), smtp_server_reply_ehlo_add_xclient()),
 * forwarding the address it names, and counts it as secured. The lab's clients are never trusted.
 */
function trustedNetworks(setting: Setting, result: MapperResult): void {
  if (setting.value.trim() === '') result.entries.push({ list: 'mapped', setting, key: null, value: '', note: 'no client is trusted, as in the lab' });
  else result.entries.push(unsupported(setting, "a client in these networks may send XCLIENT itself (the EHLO offers it to trusted clients) and the proxy forwards the address it names; the lab's clients are never trusted"));
}

function mapSettings(section: DovecotSection, path: string, listener: FrontListener, result: MapperResult): void {
  for (const setting of section.settings.values()) {
    const named = { ...setting, name: `${path}${setting.name}` };
    const { name } = setting;
    if (name in KEYS) KEYS[name]!(named, result);
    else if (path === '' && name === 'protocols') {
      if (!setting.value.split(/\s+/).includes('submission')) throw new ConfigError(setting.where, `protocols = ${setting.value}: this Dovecot does not serve submission, so it is not a submission front`);
      result.entries.push({ list: 'mapped', setting: named, key: null, value: 'submission', note: 'submission-login is the front' });
    } else if (path === '' && name === 'ssl') {
      if (/^no$/i.test(setting.value)) result.entries.push({ list: 'mapped', setting: named, key: null, value: 'no', note: 'no TLS, as the lab' });
      else result.entries.push(unsupported(named, TLS_NOT_MODELLED));
    } else if (path === '' && (name === 'disable_plaintext_auth' || name === 'auth_allow_cleartext')) plaintextAuth(named, listener, result, section);
    else if (path === '' && name === 'dovecot_config_version') result.entries.push({ list: 'mapped', setting: named, key: null, value: setting.value, note: '2.4 configuration syntax' });
    else if (path.startsWith('passdb')) result.entries.push(name === 'driver' && setting.value === 'lua'
      ? { list: 'mapped', setting: named, key: null, value: 'lua', note: "taken as Mailu's login.lua, which asks Mailu's auth service: the lab's auth model" }
      : name === 'driver' ? unsupported(named, "the lab's passdb is Mailu's auth service behind login.lua; this passdb decides logins and proxying itself") : ignored(named, 'the passdb\'s arguments: read for the proxy port only'));
    else result.entries.push(ignored(named, 'not read by submission-login on the proxy path (mail storage, other protocols, logging)'));
  }
  for (const child of section.sections) {
    const childPath = `${path}${child.kind}${child.name ? ` ${child.name}` : ''}/`;
    if (child.kind === 'inet_listener' && path === 'service submission-login/') mapListener(child, childPath, listener, result);
    // protocol submission { }: the login process's settings for its protocol (settings_get_filter() by protocol)
    else if (child.kind === 'passdb' || (child.kind === 'service' && child.name === 'submission-login') || (child.kind === 'protocol' && child.name === 'submission')) mapSettings(child, childPath, listener, result);
    else result.entries.push(ignored({ name: childPath.slice(0, -1), value: '{ ... }', where: child.where }, 'a section not on the submission proxy path'));
  }
}

function mapListener(section: DovecotSection, path: string, listener: FrontListener, result: MapperResult): void {
  const port = section.settings.get('port');
  const setting = { name: `${path}port`, value: port?.value ?? '', where: port?.where ?? section.where };
  if (port === undefined || port.value === '0') result.entries.push(ignored(setting, 'disabled (port 0 or none)'));
  else if (Number(port.value) !== listener.port) result.entries.push(ignored(setting, `another listener (${section.name}); \`--port ${port.value}\` imports that path`));
  else if (listener.proxyProtocol) result.entries.push(unsupported(setting, 'haproxy = yes: a PROXY header before SMTP on the client side, which the lab\'s Dovecot front does not read'));
  else if (listener.tls) result.entries.push(unsupported(setting, TLS_NOT_MODELLED), plainPortAssumed(listener));
  else result.keys.push(assign('front.port', port.value, setting, `inet_listener ${section.name}`));
  for (const other of section.settings.values()) if (other.name !== 'port') result.entries.push(ignored({ ...other, name: `${path}${other.name}` }, 'read with the port above'));
}

/**
 * disable_plaintext_auth (2.3, default yes) or auth_allow_cleartext (2.4, default no): a client that is not
 * secured gets no PLAIN or LOGIN in the EHLO and "Plaintext authentication disabled." for its AUTH
 * (sasl-server.c sasl_server_get_advertised_mechs(), sasl_server_auth_begin(), 2.3.19.1). Secured is TLS, a
 * trusted network, or the client on the listener's own address (client-common.c client_common_init()); the
 * lab's Dovecot lets every client log in in the clear, as such a one.
 */
function plaintextAuth(setting: Setting | null, listener: FrontListener, result: MapperResult, root: DovecotSection): void {
  const stated = setting ?? { name: 'disable_plaintext_auth', value: '(not set: yes)', where: root.where };
  const allowed = setting !== null && (setting.name.endsWith('auth_allow_cleartext') ? bool(setting) : /^no$/i.test(setting.value.trim()));
  if (listener.tls) {
    if (setting !== null) result.entries.push({ list: 'mapped', setting, key: null, value: setting.value, note: 'no effect here: the client\'s connection is TLS, so secured' });
  } else if (allowed) result.entries.push({ list: 'mapped', setting: stated, key: null, value: setting.value, note: 'PLAIN and LOGIN in the clear, as the lab' });
  else result.entries.push(unsupported(stated, "a client on a plain connection from another address than the listener's, outside login_trusted_networks, is offered no PLAIN or LOGIN and refused \"Plaintext authentication disabled.\"; the lab's Dovecot takes them from every client"));
}

/** A setting the file does not state, with the value Dovecot then has (set, listed as assumed with the reason). */
function unstated(result: MapperResult, to: ScenarioKey, value: string, where: DovecotSection, reason: string): void {
  if (result.keys.some((assignment) => assignment.key === to)) return;
  result.keys.push({ ...assign(to, value, { name: to, value, where: where.where }), assumed: reason });
}

/** hostname empty or unset: the machine's name, which the input does not give; the lab's layout name stands in. */
function unstatedHostname(result: MapperResult, where: Where): void {
  const why = "Dovecot's default is the machine's name (submission_login_settings_check(): my_hostdomain()), which the input does not give; the lab's name stands in: set front.hostname to the machine's";
  result.keys.push({ ...assign('front.hostname', labDovecotConfig.hostname, { name: 'hostname', value: '', where }), assumed: why });
}

/**
 * Dovecot's own value of each front setting the file leaves unset, where it differs from the lab's preset
 * (auth-settings.c auth_mechanisms "plain"; client.c: no submission_backend_capabilities is 8BITMIME alone;
 * login-settings.c login_greeting PACKAGE_NAME " ready.", which Debian's package prints "Dovecot (Debian) ready.").
 */
function unstatedDefaults(config: DovecotConfig, result: MapperResult): void {
  if (!result.keys.some((assignment) => assignment.key === 'front.hostname')) unstatedHostname(result, config.root.where);
  unstated(result, 'front.auth_mechanisms', 'plain', config.root, "not set: Dovecot's default, plain (auth-settings.c)");
  unstated(result, 'front.submission_backend_capabilities', '8BITMIME', config.root, "not set: submission-login takes the backend to offer 8BITMIME alone (client.c client_parse_backend_capabilities())");
  const debian = /\bDebian\b/.test(config.os?.value ?? '');
  unstated(result, 'front.login_greeting', debian ? 'Dovecot (Debian) ready.' : 'Dovecot ready.', config.root,
    debian ? "not set: Debian's package greets \"Dovecot (Debian) ready.\" (doveconf -d on Debian 12's 2.3.19.1; doveconf's OS line names Debian)" : "not set: Dovecot's default \"Dovecot ready.\" (login-settings.c PACKAGE_NAME \" ready.\"; Debian's package says \"Dovecot (Debian) ready.\")");
}

/** The Dovecot front's mapping for the chosen listener. */
export function mapDovecot(config: DovecotConfig, listener: FrontListener): { result: MapperResult; backend: BackendPort } {
  const result = emptyResult();
  release(config, result);
  if (!config.root.settings.has('protocols')) throw new ConfigError(config.root.where, "no 'protocols' setting: Dovecot's default (imap pop3 lmtp) has no submission");
  mapSettings(config.root, '', listener, result);
  const cleartext = ['disable_plaintext_auth', 'auth_allow_cleartext'].map((name) => config.root.settings.get(name)).find((setting) => setting !== undefined);
  if (cleartext === undefined) plaintextAuth(null, listener, result, config.root);
  unstatedDefaults(config, result);
  return { result, backend: backendOf(config) };
}
