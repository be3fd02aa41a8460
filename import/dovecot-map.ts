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
import { labDovecotConfig } from '../models/front/config.ts';
import { FRONT_RELEASES } from '../scenarios/front-releases.ts';
import { POSTFIX_SUBMISSION_PORT } from '../scenarios/topology.ts';
import { assign } from './assign.ts';
import { emptyResult, ignored, sameAs, TLS_NOT_MODELLED, unsupported, type MapperResult } from './entries.ts';
import { sectionsOf, type DovecotConfig, type DovecotSection } from './doveconf.ts';
import { plainPortAssumed, type FrontListener } from './front-listener.ts';
import type { BackendPort } from './postfix-map.ts';
import { ConfigError, whereText, type Setting } from './source.ts';


/** Dovecot time values (settings-parser.c settings_get_time_msecs): a number and a unit; no unit is seconds. */
const TIME_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1, msec: 1, msecs: 1, millisecond: 1, milliseconds: 1,
  '': 1000, s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
};

function milliseconds(setting: Setting): string {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(setting.value.trim());
  const unit = match ? TIME_UNITS_MS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new ConfigError(setting.where, `${setting.name} = ${setting.value}: not a Dovecot time (a number with ms, secs, mins or hours)`);
  return String(Number(match[1]) * unit);
}

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

const KEYS: Readonly<Record<string, (setting: Setting) => ReturnType<typeof assign>>> = {
  login_proxy_max_reconnects: (s) => assign('front.login_proxy_max_reconnects', s.value, s),
  login_proxy_timeout: (s) => assign('front.login_proxy_timeout', milliseconds(s), s, `${s.value} in ms`),
};

const list = (text: string) => text.trim().toLowerCase().split(/\s+/).sort().join(' ');

function mapSettings(section: DovecotSection, path: string, listener: FrontListener, result: MapperResult): void {
  for (const setting of section.settings.values()) {
    const named = { ...setting, name: `${path}${setting.name}` };
    const { name } = setting;
    if (name in KEYS) result.keys.push(KEYS[name]!(named));
    else if (path === '' && name === 'protocols') {
      if (!setting.value.split(/\s+/).includes('submission')) throw new ConfigError(setting.where, `protocols = ${setting.value}: this Dovecot does not serve submission, so it is not a submission front`);
      result.entries.push({ list: 'mapped', setting: named, key: null, value: 'submission', note: 'submission-login is the front' });
    } else if (path === '' && name === 'ssl') {
      if (/^no$/i.test(setting.value)) result.entries.push({ list: 'mapped', setting: named, key: null, value: 'no', note: 'no TLS, as the lab' });
      else result.entries.push(unsupported(named, TLS_NOT_MODELLED));
    } else if (path === '' && name === 'auth_mechanisms') result.fixed.push(sameAs(named, () => labDovecotConfig.auth_mechanisms.join(' '), 'generated clients log in with PLAIN or LOGIN, which the lab\'s Dovecot offers', list));
    else if (path === '' && name === 'submission_backend_capabilities') result.fixed.push(sameAs(named, () => labDovecotConfig.submission_backend_capabilities.join(' '), 'the capabilities the proxy assumes of the backend', list));
    else if (path === '' && name === 'dovecot_config_version') result.entries.push({ list: 'mapped', setting: named, key: null, value: setting.value, note: '2.4 configuration syntax' });
    else if (path.startsWith('passdb')) result.entries.push(name === 'driver' && setting.value === 'lua'
      ? { list: 'mapped', setting: named, key: null, value: 'lua', note: "taken as Mailu's login.lua, which asks Mailu's auth service: the lab's auth model" }
      : name === 'driver' ? unsupported(named, "the lab's passdb is Mailu's auth service behind login.lua; this passdb decides logins and proxying itself") : ignored(named, 'the passdb\'s arguments: read for the proxy port only'));
    else result.entries.push(ignored(named, 'not read by submission-login on the proxy path (mail storage, other protocols, logging, names)'));
  }
  for (const child of section.sections) {
    const childPath = `${path}${child.kind}${child.name ? ` ${child.name}` : ''}/`;
    if (child.kind === 'inet_listener' && path === 'service submission-login/') mapListener(child, childPath, listener, result);
    else if (child.kind === 'passdb' || (child.kind === 'service' && child.name === 'submission-login')) mapSettings(child, childPath, listener, result);
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

/** The Dovecot front's mapping for the chosen listener. */
export function mapDovecot(config: DovecotConfig, listener: FrontListener): { result: MapperResult; backend: BackendPort } {
  const result = emptyResult();
  release(config, result);
  if (!config.root.settings.has('protocols')) throw new ConfigError(config.root.where, "no 'protocols' setting: Dovecot's default (imap pop3 lmtp) has no submission");
  mapSettings(config.root, '', listener, result);
  return { result, backend: backendOf(config) };
}
