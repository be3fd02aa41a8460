/* haproxy-cfg - a haproxy.cfg: its sections, their lines as words, and the defaults each proxy starts from
 *
 * haproxy/haproxy @50872daa6 (3.5-dev5), read, not copied:
 *  - src/cfgparse.c parse_cfg(): one line at a time (HAProxy has no continuation lines), cut into
 *    words by parse_line() (./haproxy-words.ts); a file whose last line has no LF is refused
 *    ("Missing LF on last line, file might have been truncated"); `.if`/`.elif`/`.else`/`.endif`
 *    and the other `.` directives, and `[scope]` lines, are HAProxy's own (the import refuses them:
 *    it cannot evaluate the conditions at the deployment's start-up); `no` and `default` may only
 *    precede option, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and
 *    numa-cpu-mapping; a word that names a registered section starts that section (SECTIONS below,
 *    every REGISTER_CONFIG_SECTION at this release), anything before the first one is "unknown
 *    keyword '...' out of section";
 *  - src/cfgparse-listen.c cfg_parse_listen(): `frontend`, `backend` and `listen` need a name made
 *    of letters, digits, '.', ':', '_' and '-' (src/tools.c invalid_char()), and only `from <name>`
 *    may follow it; since 3.3 two proxies may not share a name, whatever their capabilities, nor
 *    take a defaults section's; `defaults [<name>] [from <name>]`: a proxy without `from` starts
 *    from the last defaults section before it, a defaults section without `from` from nothing
 *    (HAProxy's own defaults); `from` names the latest defaults section of that name, and a name
 *    already referenced may not be defined again (doc/configuration.txt section 4); a line whose
 *    keyword it does not know is refused at its line (./haproxy-keywords.ts).
 */
import { proxyKeywordProblem } from './haproxy-keywords.ts';
import { lineWords } from './haproxy-words.ts';
import { ConfigError, numberedLines, type Where } from './source.ts';

export interface HaproxyLine {
  /** The keyword and its arguments, after a `no`/`default` modifier. */
  readonly words: readonly string[];
  readonly modifier: 'no' | 'default' | null;
  /** Environment variables its words name, as written (their values are not in the input). */
  readonly env: readonly string[];
  readonly where: Where;
}

export type ProxyKind = 'defaults' | 'frontend' | 'backend' | 'listen';

export interface HaproxySection {
  /** `global`, a proxy kind, or another section (`userlist`, `peers`, `resolvers`...). */
  readonly kind: string;
  /** The name after the keyword ('' when none). */
  readonly name: string;
  readonly where: Where;
  readonly lines: HaproxyLine[];
  /** A proxy's (or named defaults') initial settings: the defaults section they start from, or null (HAProxy's own). */
  readonly defaults: HaproxySection | null;
}

export interface HaproxyConfig {
  readonly sections: readonly HaproxySection[];
}

/** Every REGISTER_CONFIG_SECTION at @50872daa6 (src/cfgparse.c and the files it names). */
const SECTIONS = new Set([
  'listen', 'frontend', 'backend', 'defaults', 'global', 'userlist', 'mailers', 'namespace_list', 'traces', // src/cfgparse.c
  'acme', 'cache', 'peers', 'fcgi-app', 'http-errors', 'log-forward', 'log-profile', 'resolvers', 'ring', 'crt-store', 'healthcheck',
]);
export const PROXY_KINDS: readonly ProxyKind[] = ['defaults', 'frontend', 'backend', 'listen'];
/** parse_cfg(): the keywords `no` and `default` may modify. */
const MODIFIABLE = new Set(['option', 'log', 'busy-polling', 'set-dumpable', 'strict-limits', 'insecure-fork-wanted', 'numa-cpu-mapping']);
/** src/tools.c invalid_char(): the first character a proxy name may not hold, or undefined. */
const invalidChar = (name: string) => [...name].find((c) => !/^[A-Za-z0-9.:_-]$/.test(c));

const isProxy = (kind: string): kind is ProxyKind => (PROXY_KINDS as readonly string[]).includes(kind);

class SectionReader {
  readonly sections: HaproxySection[] = [];
  private lastDefaults: HaproxySection | null = null;
  /** Named defaults by name (the latest), and the names a `from` has referenced. */
  private readonly namedDefaults = new Map<string, HaproxySection>();
  private readonly referenced = new Set<string>();
  private readonly proxies = new Map<string, HaproxySection>();

  get current(): HaproxySection | null {
    return this.sections.at(-1) ?? null;
  }

  open(words: readonly string[], where: Where): void {
    const [kind, ...rest] = words as [string, ...string[]];
    if (!isProxy(kind)) {
      this.sections.push({ kind, name: rest[0] ?? '', where, lines: [], defaults: null });
      return;
    }
    const { name, from } = kind === 'defaults' ? this.defaultsHeader(rest, where) : this.proxyHeader(kind, rest, where);
    const defaults = from !== null ? this.referencedDefaults(from, kind, name, where) : kind === 'defaults' ? null : this.lastDefaults;
    const section: HaproxySection = { kind, name, where, lines: [], defaults };
    this.sections.push(section);
    if (kind !== 'defaults') {
      this.proxies.set(name, section);
      return;
    }
    this.lastDefaults = section;
    if (name === '') return;
    const earlier = this.namedDefaults.get(name);
    if (earlier && this.referenced.has(name)) throw new ConfigError(where, `defaults '${name}' has the same name as another defaults section declared at ${earlier.where.file}:${earlier.where.line} which was explicitly referenced hence cannot be replaced`);
    this.namedDefaults.set(name, section);
  }

  private proxyHeader(kind: ProxyKind, rest: readonly string[], where: Where): { name: string; from: string | null } {
    const [name, keyword, from, ...more] = rest;
    if (name === undefined) throw new ConfigError(where, `'${kind}' expects an <id> argument`);
    const bad = invalidChar(name);
    if (bad !== undefined) throw new ConfigError(where, `character '${bad}' is not permitted in '${kind}' name '${name}'`);
    if (keyword !== undefined && (keyword !== 'from' || from === undefined || more.length > 0)) {
      throw new ConfigError(where, kind === 'backend' ? `'${kind} ${rest.join(' ')}': only 'from <defaults>' may follow the name` : "please use the 'bind' keyword for listening addresses");
    }
    const other = this.proxies.get(name) ?? this.namedDefaults.get(name);
    if (other) throw new ConfigError(where, `${kind} '${name}' has the same name as ${other.kind} '${name}' declared at ${other.where.file}:${other.where.line}; HAProxy refuses this since 3.3`);
    return { name, from: from ?? null };
  }

  /** `defaults`, `defaults <name>`, `defaults <name> from <other>`, `defaults from <other>`. */
  private defaultsHeader(rest: readonly string[], where: Where): { name: string; from: string | null } {
    const fromAt = rest[0] === 'from' && rest.length === 2 ? 0 : 1;
    const name = fromAt === 0 ? '' : rest[0] ?? '';
    const tail = rest.slice(fromAt);
    if (tail.length > 0 && (tail[0] !== 'from' || tail.length !== 2)) throw new ConfigError(where, `'defaults ${rest.join(' ')}': only '[<name>] [from <defaults>]' may follow 'defaults'`);
    const proxy = this.proxies.get(name);
    if (proxy) throw new ConfigError(where, `defaults '${name}' has the same name as ${proxy.kind} '${name}' declared at ${proxy.where.file}:${proxy.where.line}; HAProxy refuses this since 3.3`);
    return { name, from: tail[1] ?? null };
  }

  private referencedDefaults(from: string, kind: ProxyKind, name: string, where: Where): HaproxySection {
    const defaults = this.namedDefaults.get(from);
    if (!defaults) throw new ConfigError(where, `defaults section '${from}' not found for ${kind} '${name}'`);
    const bad = invalidChar(from);
    if (bad !== undefined) throw new ConfigError(where, `character '${bad}' is not permitted in defaults section name '${from}' when designated by its name`);
    this.referenced.add(from);
    return defaults;
  }
}

/**
 * The keywords a proxy section may not hold at all (fatal, unlike the ones HAProxy ignores with a
 * warning): cfg_parse_listen() refuses `bind` in defaults; parse_server() refuses the server
 * keywords in defaults (but default-server) and, by failifnotcap(), where there is no backend side.
 */
function placementProblem(keyword: string, section: HaproxySection): string | null {
  const server = keyword === 'server' || keyword === 'server-template' || keyword === 'default-server';
  if (section.kind === 'defaults' && (keyword === 'bind' || (server && keyword !== 'default-server'))) return `'${keyword}' not allowed in 'defaults' section`;
  if (section.kind === 'frontend' && server) return `'${keyword}' not allowed because frontend '${section.name}' has no backend capability`;
  return null;
}

export function parseHaproxyCfg(text: string, file: string): HaproxyConfig {
  const reader = new SectionReader();
  const lines = numberedLines(text);
  if (text !== '' && !text.endsWith('\n')) throw new ConfigError({ file, line: lines.length }, 'Missing LF on last line, file might have been truncated (haproxy -c refuses it)');
  for (const { text: raw, line } of lines) {
    const where = { file, line };
    const trimmed = raw.trimStart();
    if (trimmed.startsWith('[')) throw new ConfigError(where, `'${trimmed}': a scope line, which the import does not read`);
    const current = reader.current;
    const { words, env } = lineWords(raw, where, current?.name || current?.kind || '');
    if (words.length === 0) continue;
    if (words[0]!.startsWith('.')) {
      throw new ConfigError(where, `'${words[0]}': HAProxy's conditional blocks and messages (.if/.elif/.else/.endif, .notice...) are evaluated at its start-up, which the import cannot do; give the configuration with only the lines that apply`);
    }
    const modifier = words[0] === 'no' || words[0] === 'default' ? words[0] : null;
    const keyword = modifier === null ? words : words.slice(1);
    if (modifier !== null && !MODIFIABLE.has(keyword[0] ?? '')) {
      throw new ConfigError(where, 'negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping');
    }
    if (modifier === null && SECTIONS.has(words[0]!)) {
      reader.open(words, where);
      continue;
    }
    if (current === null) throw new ConfigError(where, `unknown keyword '${words[0]}' out of section`);
    const misplaced = (isProxy(current.kind) ? proxyKeywordProblem(keyword, current.kind) : null) ?? placementProblem(keyword[0]!, current);
    if (misplaced !== null) throw new ConfigError(where, misplaced);
    current.lines.push({ words: keyword, modifier, env, where });
  }
  return { sections: reader.sections };
}

/** The proxy (frontend, backend or listen) named `name`, or null. */
export function proxyNamed(config: HaproxyConfig, name: string): HaproxySection | null {
  return config.sections.find((section) => section.name === name && isProxy(section.kind) && section.kind !== 'defaults') ?? null;
}

/** A section's defaults chain, oldest first, then the section itself: the order its settings apply in. */
export function settingsChain(section: HaproxySection): HaproxySection[] {
  const chain: HaproxySection[] = [];
  for (let s: HaproxySection | null = section; s !== null; s = s.defaults) chain.unshift(s);
  return chain;
}
