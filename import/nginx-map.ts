/* nginx-map - nginx's mail proxy onto the lab: the chosen `server` in `mail { }`, with what it inherits
 *
 * A mail server's smtp_auth, xclient, max_errors and proxy_timeout may be set in `mail { }` and inherited
 * (ngx_mail_core_module merge); the server's own line wins. `nginx -T` does not print the release;
 * `nginx -v` does, and the importer reads its "nginx version: nginx/1.26.1" line when the file
 * has it (the release decides XCLIENT LOGIN's xtext encoding from 1.29.2, models/front/releases.ts).
 * Where nginx sends a login is the auth service's answer: Mailu's sends authenticated sessions to
 * 10025 and `smtp_auth none` ones to 25 (core/admin/mailu/internal/nginx.py get_server).
 */
import { NGINX_GATES } from '../models/front/releases.ts';
import { mailuNginxConfig } from '../models/front/config.ts';
import { labMilliseconds } from '../models/front/nginx-parse-time.ts';
import { nginxWordsText } from '../models/front/nginx-words.ts';
import { POSTFIX_SMTP_PORT, POSTFIX_SUBMISSION_PORT } from '../scenarios/topology.ts';
import { assign } from './assign.ts';
import { emptyResult, ignored, TLS_NOT_MODELLED, unsupported, type MapperResult } from './entries.ts';
import { plainPortAssumed, type FrontListener } from './front-listener.ts';
import { directivesNamed, type NginxConfig, type NginxDirective } from './nginx-conf.ts';
import type { BackendPort } from './postfix-map.ts';
import type { ScenarioKey } from '../scenarios/keys.ts';
import { ConfigError, type Setting } from './source.ts';


const settingOf = (directive: NginxDirective): Setting => ({ name: directive.name, value: directive.args.join(' '), where: directive.where });

/** A msec directive's milliseconds as ngx_conf_set_msec_slot() reads them; what `nginx -t` refuses is refused at its line. */
function nginxMilliseconds(setting: Setting): number {
  const ms = labMilliseconds(setting.name, setting.value);
  if (typeof ms === 'string') throw new ConfigError(setting.where, ms);
  return ms;
}

function mailBlock(config: NginxConfig): NginxDirective | null {
  const blocks = directivesNamed(config.directives, 'mail');
  if (blocks.length > 1) throw new ConfigError(blocks[1]!.where, "a second 'mail' block: nginx allows one");
  return blocks[0] ?? null;
}

function protocolOf(server: NginxDirective, mail: NginxDirective): string {
  const own = directivesNamed(server.block ?? [], 'protocol')[0] ?? directivesNamed(mail.block ?? [], 'protocol')[0];
  return own?.args[0] ?? '(none)';
}

/** The SMTP servers' client listeners. */
export function nginxListeners(config: NginxConfig): FrontListener[] {
  const mail = mailBlock(config);
  if (mail === null) return [];
  return directivesNamed(mail.block ?? [], 'server').filter((server) => protocolOf(server, mail) === 'smtp').flatMap((server) =>
    directivesNamed(server.block ?? [], 'listen').map((listen): FrontListener => {
      const port = /(?:^|:)(\d+)$/.exec(listen.args[0] ?? '');
      if (!port) throw new ConfigError(listen.where, `listen ${listen.args.join(' ')}: no port the lab can read`);
      return { front: 'nginx', port: Number(port[1]), tls: listen.args.includes('ssl'), proxyProtocol: listen.args.includes('proxy_protocol'), name: '', setting: settingOf(listen) };
    }),
  );
}

function smtpAuth(directive: NginxDirective, result: MapperResult): void {
  const setting = settingOf(directive);
  const methods = directive.args.map((method) => method.toLowerCase());
  if (methods.length === 1 && methods[0] === 'none') {
    result.keys.push(assign('front.smtp_auth', 'none', setting));
    result.keys.push(assign('client.auth', 'none', setting, 'smtp_auth none: clients deliver without logging in'));
    return;
  }
  const modelled = methods.filter((method) => method === 'plain' || method === 'login').sort();
  const others = methods.filter((method) => method !== 'plain' && method !== 'login');
  if (others.length > 0) result.entries.push(unsupported(setting, `${others.join(', ')}: the lab's clients and nginx model use PLAIN and LOGIN only`));
  if (modelled.length === 0) throw new ConfigError(setting.where, `smtp_auth ${setting.value}: neither plain nor login, so no client the lab generates can log in`);
  result.keys.push(assign('front.smtp_auth', modelled.join(' '), setting));
}

/** The client listener's `so_keepalive=` parameter (ngx_mail_core_listen()), checked as `nginx -t` checks it. */
function soKeepalive(listen: NginxDirective, result: MapperResult): void {
  const parameter = listen.args.find((arg) => arg.startsWith('so_keepalive='));
  if (parameter !== undefined) result.keys.push(assign('front.so_keepalive', parameter.slice('so_keepalive='.length), settingOf(listen)));
}

function mapDirective(directive: NginxDirective, result: MapperResult, listener: FrontListener): void {
  const setting = settingOf(directive);
  switch (directive.name) {
    case 'smtp_auth':
      return smtpAuth(directive, result);
    case 'xclient':
      result.keys.push(assign('front.xclient', setting.value, setting));
      return;
    case 'max_errors':
      result.keys.push(assign('front.max_errors', setting.value, setting));
      return;
    case 'listen':
      if (Number(/(\d+)$/.exec(directive.args[0] ?? '')?.[1]) !== listener.port) result.entries.push(ignored(setting, 'another port of this server'));
      else if (listener.proxyProtocol) result.entries.push(unsupported(setting, 'proxy_protocol: a PROXY header before SMTP on the client side, which the lab\'s nginx does not read'));
      else {
        if (listener.tls) result.entries.push(unsupported(setting, TLS_NOT_MODELLED), plainPortAssumed(listener));
        else result.keys.push(assign('front.port', String(listener.port), setting));
        soKeepalive(directive, result);
      }
      return;
    case 'protocol':
      result.keys.push(assign('front.model', 'nginx', setting, 'nginx mail proxy for SMTP'));
      return;
    case 'starttls':
      if (setting.value === 'off') result.entries.push(ignored(setting, 'no STARTTLS, as the lab'));
      else result.entries.push(unsupported(setting, TLS_NOT_MODELLED));
      return;
    case 'server_name':
      result.keys.push(assign('front.server_name', setting.value, setting));
      return;
    case 'proxy_pass_error_message':
      result.keys.push(assign('front.proxy_pass_error_message', setting.value, setting, 'what the client hears when the backend refuses the handshake'));
      return;
    case 'timeout':
      result.keys.push(assign('front.timeout', setting.value, setting, 'how long nginx waits for the client before login and for each backend reply of the handshake'));
      return;
    case 'proxy_timeout':
      result.keys.push(assign('front.proxy_timeout', setting.value, setting, "once proxying, how long nginx waits for the client's next event"));
      return;
    case 'smtp_capabilities':
      result.keys.push(assign('front.smtp_capabilities', nginxWordsText(directive.args), setting, 'what nginx advertises to the client before login'));
      return;
    case 'smtp_greeting_delay':
      if (nginxMilliseconds(setting) === 0) result.entries.push({ list: 'mapped', setting, key: null, value: '0', note: 'no delay, as the lab' });
      else result.entries.push(unsupported(setting, 'nginx holds its greeting this long and answers a client that speaks first "503 5.5.0 Improper use of SMTP command pipelining" and closes (ngx_mail_smtp_greeting(), ngx_mail_smtp_invalid_pipelining()); the lab\'s nginx greets at once'));
      return;
    case 'smtp_client_buffer':
      result.keys.push(assign('front.smtp_client_buffer', setting.value, setting, 'the longest command line, and what pipelined lines share'));
      return;
    case 'resolver':
      // ngx_mail_smtp_init_session(): without a resolver, or when the client's address has no name, s->host is "[UNAVAILABLE]".
      result.entries.push(setting.value === 'off'
        ? { list: 'mapped', setting, key: null, value: 'off', note: 'no lookup: the client is [UNAVAILABLE], as the lab' }
        : unsupported(setting, "nginx looks the client's address up and, when a name is found that resolves back to it, sends it as XCLIENT NAME= and Client-Host (ngx_mail_smtp_resolve_addr_handler(), _resolve_name_handler()); the lab's clients have no name: [UNAVAILABLE], as when no PTR record answers"));
      return;
    case 'auth_http':
      if (/\/auth\/email$/.test(setting.value)) result.entries.push({ list: 'mapped', setting, key: null, value: mailuNginxConfig.auth_http.uri, note: "Mailu's auth endpoint: the lab's auth model" });
      else result.entries.push(unsupported(setting, "the lab's auth service is Mailu's (/internal/auth/email); this one answers differently"));
      return;
    case 'proxy_protocol':
      if (setting.value === 'on') result.entries.push(unsupported(setting, 'a PROXY header to the backend: the lab\'s nginx passes the client with XCLIENT'));
      else result.entries.push(ignored(setting, 'off'));
      return;
    default:
      if (/^ssl_/.test(directive.name)) result.entries.push(ignored(setting, 'TLS material (see listen/starttls for whether TLS is used)'));
      else result.entries.push(ignored(setting, 'not on the SMTP proxy path the lab models (logging, other protocols, the auth request\'s headers)'));
  }
}

/**
 * nginx's own value of each setting neither the server nor mail { } states, where it differs from the lab's
 * Mailu preset: server_name is the machine's name (ngx_mail_core_merge_srv_conf(): cf->cycle->hostname),
 * smtp_capabilities none, proxy_pass_error_message off (ngx_mail_smtp_merge_srv_conf(), ngx_mail_proxy_merge_conf()).
 */
function unstatedDefaults(mail: NginxDirective, result: MapperResult): void {
  const unset = (key: ScenarioKey) => !result.keys.some((assignment) => assignment.key === key);
  const where = { name: 'mail', value: '{ ... }', where: mail.where };
  if (unset('front.server_name')) result.keys.push({ ...assign('front.server_name', mailuNginxConfig.server_name, where), assumed: "nginx's default is the machine's name (gethostname()), which the input does not give; Mailu's name stands in: set front.server_name to the machine's" });
  if (unset('front.smtp_capabilities')) result.keys.push({ ...assign('front.smtp_capabilities', '', where), assumed: "not set: nginx's default, none (the EHLO lists the name and AUTH)" });
  if (unset('front.proxy_pass_error_message')) result.keys.push({ ...assign('front.proxy_pass_error_message', 'off', where), assumed: "not set: nginx's default, off (a backend's refusal reaches the client as 451 4.3.2 Internal server error)" });
}

/** The nginx front's mapping for the chosen listener. */
export function mapNginx(config: NginxConfig, file: string, listener: FrontListener): { result: MapperResult; backend: BackendPort } {
  const result = emptyResult();
  const mail = mailBlock(config)!;
  if (config.release !== null) result.keys.push(assign('front.version', config.release.value, config.release));
  else result.entries.push({ list: 'assumed', key: 'front.version', value: mailuNginxConfig.version, reason: `${file} does not name the release (\`nginx -v\` prints it); releases before ${NGINX_GATES.xclient_login_xtext.since} behave alike here, later ones xtext-encode XCLIENT LOGIN` });
  for (const directive of config.directives) if (directive !== mail) result.entries.push(ignored(settingOf(directive), directive.block ? 'not the mail { } block' : 'outside mail { }'));
  let server: NginxDirective | undefined;
  for (const directive of mail.block ?? []) {
    if (directive.name !== 'server') mapDirective(directive, result, listener);
    else if ((directive.block ?? []).some((d) => d.name === 'listen' && d.where === listener.setting.where)) server = directive;
    else result.entries.push(ignored({ name: 'server', value: directivesNamed(directive.block ?? [], 'listen').map((l) => l.args.join(' ')).join('; '), where: directive.where }, `another server (protocol ${protocolOf(directive, mail)})`));
  }
  for (const directive of server?.block ?? []) mapDirective(directive, result, listener);
  unstatedDefaults(mail, result);
  const authNone = result.keys.some((k) => k.key === 'front.smtp_auth' && k.value === 'none');
  const backend = authNone
    ? { port: POSTFIX_SMTP_PORT, because: `Mailu's auth service sends smtp_auth-none sessions to port ${POSTFIX_SMTP_PORT}` }
    : { port: POSTFIX_SUBMISSION_PORT, because: `Mailu's auth service sends authenticated sessions to port ${POSTFIX_SUBMISSION_PORT}` };
  return { result, backend };
}
