/* haproxy-map - HAProxy onto the lab: the proxy on the client's port, its backend and server, what each inherits
 *
 * haproxy/haproxy @50872daa6 (3.5-dev5), read, not copied; doc/configuration.txt 4 and 4.1:
 *  - the client's path is a `frontend` or `listen` with a `bind` on the client's port; it relays to
 *    its `default_backend` (a `listen` without one to its own servers), whose `server` is Postfix;
 *  - each proxy starts from its defaults section (./haproxy-cfg.ts); src/proxy.c
 *    proxy_defproxy_cpy() copies a setting only to the side it belongs to: `timeout client`,
 *    clitcpka-* and `default_backend` to a proxy with a frontend side (PR_CAP_FE), `timeout
 *    server`/`connect`, `retries` and srvtcpka-* to one with a backend side (PR_CAP_BE), the
 *    options and `mode` to both. A later line of the same setting wins; a keyword on a proxy without
 *    its side is ignored with a warning (warnifnotcap(), src/cfgparse-listen.c);
 *  - `option tcpka` sets clitcpka where the proxy has a frontend side and srvtcpka where it has a
 *    backend side; `no`/`default` are refused for it (cfg_parse_listen(): "negation/default is
 *    not supported"); `no option clitcpka` clears what a defaults section set
 *    (cfg_parse_listen_match_option());
 *  - times are parse_time_err(TIME_UNIT_MS) (models/front/haproxy-time.ts), 0 is no timeout,
 *    unset too (doc 4.2 "An unspecified timeout results in an infinite timeout");
 *    `retries` is atol() (cfg_parse_listen());
 *  - the server's PROXY header: `send-proxy` (SRV_PP_V1), `send-proxy-v2` (SRV_PP_V2) and their
 *    `no-` forms (src/server.c), from `default-server` lines first (the proxy's defsrv, copied from
 *    its defaults), then the server's own; with both, make_proxy_line() writes v2 (src/connection.c).
 * The server's port picks the master.cf service HAProxy relays to (postfix-map.ts), and the scenario's
 * Postfix takes that service's settings: port 25's `smtp inet` has main.cf's alone (no AUTH unless
 * main.cf says smtpd_sasl_auth_enable = yes), 10025 its -o overrides. The lab's HAProxy connects to
 * the lab's one Postfix listener; the port number itself changes nothing there.
 */
import { assign } from './assign.ts';
import { emptyResult, ignored, TLS_NOT_MODELLED, unsupported, type MapperResult } from './entries.ts';
import { plainPortAssumed, type FrontListener } from './front-listener.ts';
import { proxyNamed, settingsChain, type HaproxyConfig, type HaproxyLine, type HaproxySection } from './haproxy-cfg.ts';
import { HAPROXY_RULES, optionRule, serverParameterRule } from './haproxy-rules.ts';
import { atol, checkSetting, timeoutMs } from './haproxy-values.ts';
import type { BackendPort } from './postfix-map.ts';
import { ConfigError, whereText, type Setting } from './source.ts';

type Side = 'fe' | 'be';
const SIDE_NAME: Readonly<Record<Side, string>> = { fe: 'frontend', be: 'backend' };

/** A line as a setting: its keyword (with `timeout` and `option` their second word, after a no/default) and the rest. */
function settingOf(line: HaproxyLine): Setting {
  const keywordWords = line.words[0] === 'timeout' || line.words[0] === 'option' ? 2 : 1;
  const name = [...(line.modifier === null ? [] : [line.modifier]), ...line.words.slice(0, keywordWords)].join(' ');
  return { name, value: line.words.slice(keywordWords).join(' '), where: line.where };
}
const headerOf = (section: HaproxySection): Setting => ({ name: section.kind, value: section.name, where: section.where });

/** PR_CAP_FE / PR_CAP_BE of a section: `defaults` and `listen` have both. */
function sidesOf(section: HaproxySection): Side[] {
  if (section.kind === 'frontend') return ['fe'];
  if (section.kind === 'backend') return ['be'];
  return ['fe', 'be'];
}

/** Which side each timeout belongs to (src/proxy.c proxy_parse_timeout(): its `cap`). */
const TIMEOUT_SIDES: Readonly<Record<string, readonly Side[]>> = {
  client: ['fe'], 'client-hs': ['fe'], 'client-fin': ['fe'],
  server: ['be'], connect: ['be'], check: ['be'], queue: ['be'], tunnel: ['be'], 'server-fin': ['be'],
  tarpit: ['fe', 'be'], 'http-keep-alive': ['fe', 'be'], 'http-request': ['fe', 'be'],
};

/** The settings a line sets, as slot names per side ([] for a line that is not a setting that can be overridden). */
function slotsOf(line: HaproxyLine): { side: Side; slot: string }[] {
  const [keyword, name = ''] = line.words;
  const on = (sides: readonly Side[], slot: string) => sides.map((side) => ({ side, slot }));
  switch (keyword) {
    case 'timeout': {
      const sides = TIMEOUT_SIDES[name];
      if (sides === undefined) throw new ConfigError(line.where, `'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'handshake', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '${name}')`);
      return on(sides, `timeout ${name}`);
    }
    case 'mode': return on(['fe', 'be'], 'mode');
    case 'retries': return on(['be'], 'retries');
    case 'default_backend': return on(['fe'], 'default_backend');
    case 'clitcpka-idle': case 'clitcpka-intvl': case 'clitcpka-cnt': return on(['fe'], keyword);
    case 'srvtcpka-idle': case 'srvtcpka-intvl': case 'srvtcpka-cnt': return on(['be'], keyword);
    case 'option':
      if (name === 'clitcpka') return on(['fe'], 'option clitcpka');
      if (name === 'srvtcpka') return on(['be'], 'option srvtcpka');
      if (name === 'tcpka') return [...on(['fe'], 'option clitcpka'), ...on(['be'], 'option srvtcpka')];
      return on(['fe', 'be'], `option ${name}`);
    default: return [];
  }
}

/** The TCP ports a `bind` line listens on (src/tools.c str2sa_range(): `addr:port[-end]`, comma-separated). */
function bindPorts(line: HaproxyLine): number[] {
  const addresses = line.words[1];
  if (addresses === undefined) throw new ConfigError(line.where, "'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments");
  if (addresses.includes('$')) throw new ConfigError(line.where, `bind ${addresses}: the address comes from environment variable ${line.env.join(', ')}, which the import cannot see; write it out`);
  return addresses.split(',').flatMap((address) => {
    // UNIX sockets, inherited descriptors and UDP (QUIC) are not a port an SMTP client connects to
    if (/^(unix|abns|abnsz|fd|sockpair|quic4|quic6|udp|udp4|udp6)@/.test(address) || address.startsWith('/')) return [];
    const port = /:(\d+)(?:-(\d+))?$/.exec(address);
    if (!port) throw new ConfigError(line.where, `bind ${address}: missing port number`);
    const [low, high] = [Number(port[1]), Number(port[2] ?? port[1])];
    if (low < 1 || high > 65535 || high < low) throw new ConfigError(line.where, `bind ${address}: invalid port range`);
    return Array.from({ length: high - low + 1 }, (_, index) => low + index);
  });
}

/** The SMTP client's possible paths: every TCP port a frontend or listen section binds. */
export function haproxyListeners(config: HaproxyConfig): FrontListener[] {
  return config.sections.filter((section) => section.kind === 'frontend' || section.kind === 'listen').flatMap((section) =>
    section.lines.filter((line) => line.words[0] === 'bind').flatMap((line) =>
      bindPorts(line).map((port): FrontListener => ({ front: 'haproxy', port, tls: line.words.includes('ssl'), proxyProtocol: line.words.includes('accept-proxy'), name: section.name, setting: settingOf(line) })),
    ),
  );
}

/** The last line of a side's chain that sets `slot`, or null. */
function effective(chain: readonly HaproxySection[], side: Side, slot: string): HaproxyLine | null {
  let found: HaproxyLine | null = null;
  for (const section of chain) for (const line of section.lines) if (slotsOf(line).some((s) => s.side === side && s.slot === slot) && sidesOf(section).includes(side)) found = line;
  return found;
}

/** The backend the frontend relays to: its default_backend, or a listen's own servers. */
function pathBackend(config: HaproxyConfig, frontend: HaproxySection): HaproxySection {
  const line = effective(settingsChain(frontend), 'fe', 'default_backend');
  if (line === null) {
    if (frontend.kind === 'listen') return frontend;
    throw new ConfigError(frontend.where, `frontend '${frontend.name}' has no default_backend: the import follows it to the server (use_backend rules are not followed)`);
  }
  checkSetting(line);
  const name = line.words[1] ?? '';
  const backend = proxyNamed(config, name);
  if (backend === null || backend.kind === 'frontend') throw new ConfigError(line.where, `unable to find required default_backend: '${name}'`);
  return backend;
}

/** The server the path relays to and the PROXY header it sends, from its default-server lines and its own words. */
class ServerLine {
  constructor(readonly line: HaproxyLine, private readonly defaultServers: readonly HaproxyLine[]) {}

  /** The port it connects to: its own, the client's (no port), or the client's with an offset (doc 4.2 `server`). */
  port(clientPort: number): { port: number; because: string } {
    const [, name, address = ''] = this.line.words;
    const at = `server ${name} ${address} at ${whereText(this.line.where)}`;
    if (address.includes('$')) throw new ConfigError(this.line.where, `server ${name} ${address}: the address comes from environment variable ${this.line.env.join(', ')}, which the import cannot see; write it out`);
    if (/^(unix|abns|abnsz|sockpair)@/.test(address) || address.startsWith('/')) throw new ConfigError(this.line.where, `server ${name} ${address}: a UNIX socket; the lab's HAProxy connects to Postfix over TCP`);
    const port = /:([+-]?)(\d*)$/.exec(address.replace(/^(ipv4|ipv6)@/, ''));
    if (!port || port[2] === '') return { port: clientPort, because: `${at} names no port, so HAProxy connects to the client's ${clientPort}` };
    const value = Number(port[2]);
    if (port[1] === '') return { port: value, because: at };
    return { port: clientPort + (port[1] === '+' ? value : -value), because: `${at}: the client's port ${port[1]}${value}` };
  }

  /** Every parameter word with the line it is on: default-server lines first, then the server's own. */
  parameters(): { word: string; line: HaproxyLine }[] {
    return [...this.defaultServers.map((line) => ({ line, from: 1 })), { line: this.line, from: 3 }].flatMap(({ line, from }) => line.words.slice(from).map((word) => ({ word, line })));
  }
}

class HaproxyMapping {
  readonly result = emptyResult();
  private readonly feChain: HaproxySection[];
  private readonly beChain: HaproxySection[];

  constructor(private readonly config: HaproxyConfig, private readonly listener: FrontListener, private readonly frontend: HaproxySection, private readonly backend: HaproxySection) {
    this.feChain = settingsChain(frontend);
    this.beChain = settingsChain(backend);
  }

  /** The sections a side of the path takes its settings from, oldest first. */
  private chainOf(side: Side): HaproxySection[] {
    return side === 'fe' ? this.feChain : this.beChain;
  }

  /** The sides of the path a section's lines apply to. */
  private pathSides(section: HaproxySection): Side[] {
    return sidesOf(section).filter((side) => this.chainOf(side).includes(section));
  }

  map(): { result: MapperResult; backend: BackendPort } {
    const onPath = [...new Set([...this.feChain, ...this.beChain])];
    for (const section of this.config.sections) {
      if (section.kind === 'global') for (const line of section.lines) this.result.entries.push(ignored(settingOf(line), 'global: process-wide settings (daemon, logging, limits, TLS defaults, the stats socket), not the session'));
      else if (!onPath.includes(section)) this.result.entries.push(ignored(headerOf(section), section.kind === 'defaults' ? "defaults the client's path does not start from" : `not on the client's path (port ${this.listener.port})`));
    }
    this.result.keys.push(assign('front.model', 'haproxy', headerOf(this.frontend), `the ${this.frontend.kind} with the client's port: HAProxy relaying to Postfix`));
    this.unsetTimeouts();
    const server = this.server();
    for (const section of onPath) for (const line of section.lines) this.mapLine(line, section, server);
    return { result: this.result, backend: server.port(this.listener.port) };
  }

  /** A timeout neither the proxy nor its defaults set is HAProxy's: none (doc 4.2, `timeout client`). */
  private unsetTimeouts(): void {
    const timeouts = [['fe', 'client', this.frontend], ['be', 'server', this.backend], ['be', 'connect', this.backend]] as const;
    for (const [side, name, section] of timeouts) {
      if (effective(this.chainOf(side), side, `timeout ${name}`) !== null) continue;
      this.result.keys.push(assign(`front.timeout_${name}`, '0', { name: `timeout ${name}`, value: '(not set)', where: section.where }, `not set in ${section.kind} '${section.name}' nor its defaults: HAProxy's default, no timeout (haproxy -c warns 'missing timeouts')`));
    }
  }

  private server(): ServerLine {
    const servers = this.backend.lines.filter((line) => line.words[0] === 'server');
    if (servers.length === 0) throw new ConfigError(this.backend.where, `${this.backend.kind} '${this.backend.name}' has no server line: the import cannot tell where it relays`);
    const defaults = this.beChain.flatMap((section) => section.lines.filter((line) => line.words[0] === 'default-server'));
    return new ServerLine(servers[0]!, defaults);
  }

  private mapLine(line: HaproxyLine, section: HaproxySection, server: ServerLine): void {
    const setting = settingOf(line);
    const slots = slotsOf(line);
    const sides = this.pathSides(section);
    if (slots.length > 0) {
      checkSetting(line);
      const own = slots.filter((slot) => sidesOf(section).includes(slot.side));
      // warnifnotcap() (src/cfgparse.c): "'<keyword>' ignored because <kind> '<name>' has no <side> capability"
      if (own.length === 0) return void this.result.entries.push(ignored(setting, `HAProxy ignores it: ${section.kind} '${section.name}' has no ${SIDE_NAME[slots[0]!.side]} capability (a warning)`));
      const onPath = own.filter((slot) => sides.includes(slot.side));
      if (onPath.length === 0) return void this.result.entries.push(ignored(setting, `a ${SIDE_NAME[own[0]!.side]} setting the path's proxies do not take from here`));
      const winner = (slot: (typeof onPath)[number]) => effective(this.chainOf(slot.side), slot.side, slot.slot);
      const live = onPath.filter((slot) => winner(slot) === line);
      if (live.length === 0) return void this.result.entries.push(ignored(setting, `overridden by ${whereText(winner(onPath[0]!)!.where)}`));
      return this.mapSetting(line, setting, live.map((slot) => slot.side));
    }
    if (line.env.length > 0 && line.words[0] !== 'server' && line.words[0] !== 'bind') {
      this.result.entries.push(unsupported(setting, `its value comes from environment variable ${line.env.join(', ')} at HAProxy's start-up, which the import cannot see`));
      return;
    }
    switch (line.words[0]) {
      case 'bind': return this.bind(line, setting);
      case 'server': return this.serverLine(line, setting, server);
      case 'default-server': return this.serverParameters(line, server);
      default: {
        const rule = HAPROXY_RULES[line.words[0]!];
        this.result.entries.push(rule ? { list: rule.list, setting, reason: rule.reason } : ignored(setting, 'not on the SMTP relay path the lab models'));
      }
    }
  }

  /** A line that sets an overridable setting and is in force on the path's `sides`. */
  private mapSetting(line: HaproxyLine, setting: Setting, sides: readonly Side[]): void {
    const [keyword = '', name = ''] = line.words;
    if (line.env.length > 0) throw new ConfigError(line.where, `${setting.name} ${setting.value}: its value comes from environment variable ${line.env.join(', ')}, which the import cannot see; write it out`);
    if (keyword === 'timeout') {
      const ms = timeoutMs(line);
      if (name === 'client' || name === 'server' || name === 'connect') return void this.result.keys.push(assign(`front.timeout_${name}`, String(ms), setting, ms === 0 ? 'no timeout (TICK_ETERNITY)' : ''));
      const reason = TIMEOUT_REASONS[name];
      return void this.result.entries.push(reason ? unsupported(setting, reason) : ignored(setting, 'an HTTP, queue, check or tarpit timeout: not on a mode tcp relay with one server'));
    }
    if (keyword === 'mode') {
      if (name === 'tcp') return void this.result.entries.push({ list: 'mapped', setting, key: null, value: 'tcp', note: "HAProxy relays the bytes as they come, as the lab's does" });
      return void this.result.entries.push(unsupported(setting, `mode ${name} on the ${sides.map((side) => SIDE_NAME[side]).join(' and ')} side: the lab's HAProxy is mode tcp, relaying bytes without reading them`));
    }
    if (keyword === 'retries') return void this.result.keys.push(assign('front.retries', String(atol(name)), setting));
    if (keyword === 'default_backend') return void this.result.entries.push({ list: 'mapped', setting, key: null, value: name, note: "the backend the client's path relays to" });
    if (keyword.endsWith('tcpka-idle') || keyword.endsWith('tcpka-intvl') || keyword.endsWith('tcpka-cnt')) {
      return void this.result.keys.push(assign(`front.${keyword.replace('-', '_')}` as 'front.clitcpka_idle', name, setting));
    }
    return this.option(line, setting, sides);
  }

  /** `[no|default] option <name>` in force on `sides`. */
  private option(line: HaproxyLine, setting: Setting, sides: readonly Side[]): void {
    const name = line.words[1] ?? '';
    if (name === 'clitcpka' || name === 'srvtcpka' || name === 'tcpka') {
      const on = line.modifier === null ? 'on' : 'off';
      for (const side of sides) this.result.keys.push(assign(side === 'fe' ? 'front.clitcpka' : 'front.srvtcpka', on, setting));
      return;
    }
    if (line.modifier !== null) return void this.result.entries.push(ignored(setting, `${line.modifier === 'no' ? 'switched off' : "HAProxy's default"}: as the lab`));
    const rule = optionRule(name);
    this.result.entries.push({ list: rule.list, setting, reason: rule.reason });
  }

  private bind(line: HaproxyLine, setting: Setting): void {
    if (line.where !== this.listener.setting.where) return void this.result.entries.push(ignored(setting, `another address of ${this.frontend.kind} '${this.frontend.name}' (the path is port ${this.listener.port})`));
    if (this.listener.proxyProtocol) return void this.result.entries.push(unsupported(setting, "accept-proxy: a PROXY header before SMTP on the client side, which the lab's HAProxy does not read"));
    if (this.listener.tls) this.result.entries.push(unsupported(setting, TLS_NOT_MODELLED), plainPortAssumed(this.listener));
    else this.result.keys.push(assign('front.port', String(this.listener.port), setting));
  }

  private serverLine(line: HaproxyLine, setting: Setting, server: ServerLine): void {
    if (line !== server.line) {
      this.result.entries.push(unsupported(setting, `a second server: HAProxy balances clients over the servers (balance), the lab has one Postfix; the path is mapped to ${whereText(server.line.where)}`));
      return;
    }
    this.result.entries.push({ list: 'mapped', setting, key: null, value: 'Postfix smtpd', note: "the server: the lab's Postfix, at the lab's own address" });
    this.serverParameters(line, server);
  }

  /** The PROXY header from the server's and its default-server lines' words; each other word by its rule. */
  private serverParameters(line: HaproxyLine, server: ServerLine): void {
    const words = server.parameters();
    const mine = words.filter((word) => word.line === line);
    for (const { word } of mine) {
      const rule = serverParameterRule(word);
      if (rule !== null) this.result.entries.push({ list: rule.list, setting: { name: `${line.words[0]} ${word}`, value: line.words.join(' '), where: line.where }, reason: rule.reason });
    }
    if (line !== server.line) {
      const proxyWords = mine.filter(({ word }) => SEND_PROXY.test(word)).map(({ word }) => word);
      this.result.entries.push(proxyWords.length > 0
        ? { list: 'mapped', setting: settingOf(line), key: null, value: proxyWords.join(' '), note: `server defaults: the path's server at ${whereText(server.line.where)} starts from them (front.send_proxy)` }
        : ignored(settingOf(line), 'server defaults with no PROXY header setting'));
      return;
    }
    const proxy = { v1: false, v2: false };
    let last: HaproxyLine | null = null;
    for (const { word, line: from } of words) {
      const flag = SEND_PROXY.exec(word);
      if (!flag) continue;
      proxy[flag[2] ? 'v2' : 'v1'] = flag[1] === undefined;
      last = from;
    }
    if (last === null) return;
    const value = proxy.v2 ? 'v2' : proxy.v1 ? 'v1' : 'none';
    this.result.keys.push(assign('front.send_proxy', value, { name: last.words[0]!, value: last.words.slice(1).join(' '), where: last.where }, proxy.v1 && proxy.v2 ? 'send-proxy and send-proxy-v2: make_proxy_line() writes v2' : ''));
  }
}

/** The server keywords of the PROXY header (src/server.c srv_parse_send_proxy(), _v2(), and their no- forms). */
const SEND_PROXY = /^(no-)?send-proxy(-v2)?$/;

/** Timeouts on the path that change what the lab's HAProxy does, and why. */
const TIMEOUT_REASONS: Readonly<Record<string, string>> = {
  tunnel: "in mode tcp it replaces timeout client and server once both sides are connected (doc 4.2 'timeout tunnel'); the lab's HAProxy keeps client and server",
  'client-fin': "the client side's timeout once it has half-closed; the lab's HAProxy keeps timeout client",
  'server-fin': "the server side's timeout once it has half-closed; the lab's HAProxy keeps timeout server",
};

/** The HAProxy front's mapping for the chosen listener. */
export function mapHaproxy(config: HaproxyConfig, listener: FrontListener): { result: MapperResult; backend: BackendPort } {
  const frontend = config.sections.find((section) => section.lines.some((line) => line.where === listener.setting.where))!;
  return new HaproxyMapping(config, listener, frontend, pathBackend(config, frontend)).map();
}
