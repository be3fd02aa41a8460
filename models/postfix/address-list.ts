/* address-list - namadr_list_match() for the lab: CIDR blocks, exact addresses, host names
 *
 * postfix/src/global/namadr_list.c matches a client name or address against a list;
 * the lab's lists are CIDR blocks (127.0.0.0/8, [::1]/128), exact addresses, or host names.
 * util/match_ops.c match_hostaddr() (v3.7.11): an address pattern is the address itself or "[" the
 * address "]"; then only a pattern of the client's family (':' in both or in neither) that has a
 * ':' or a '/', is not all digits and dots, and is made of address characters (digits, hex
 * letters, ".", ":", "[", "]", "/") goes on to cidr_match_parse() (util/cidr_match.c): the others
 * are junk that matches nothing. cidr_match_parse() takes [net]/bits and [net/bits] too (an address
 * alone is all bits), and refuses a mask that is not digits or longer than the family's bits, a
 * network inet_pton() refuses, and a network with bits set past the mask ("non-null host address
 * bits"): that is a list error (match_error(): DICT_ERR_RETRY, logged as a warning with the list's
 * name), and match_list_match() then answers "no match" for the whole list, the patterns after it
 * untried. namadrListLookup() hands the error to the caller (permit_mynetworks answers it, the
 * other lists' callers take it as no match).
 * util/match_list.c (v3.7.11): match_list_parse() counts the leading '!'s of a pattern, and
 * match_list_match() answers a pattern that matches with "yes", or "no" when it was negated, and
 * stops there either way; a list with no match answers "no". match_hostname() compares the client
 * name with the pattern and, for a name below it, with MATCH_FLAG_PARENT "domain" (the name ends
 * in "." domain) or without it ".domain" (the name ends in ".domain"). The flag is the list's
 * match_parent_style() (global/match_parent_style.c): the parameter named when the list was made
 * (namadr_list_init()) is in parent_domain_matches_subdomains (mail_params.h DEF_PAR_DOM_MATCH:
 * debug_peer_list, fast_flush_domains, mynetworks, permit_mx_backup_networks, qmqpd_authorized_clients,
 * relay_domains, smtpd_access_maps). The same at v3.9.0 and v3.10.13.
 * Like namadr_list_init(), a list is parsed once (per config list, cached) and then only
 * matched: smtpd consults these lists on every record read.
 */
import { isIPv4 } from 'node:net';

/** A net/mask pattern: the family's network bytes and mask length, a list error with cidr_match_parse()'s reason, or null (not one). */
type Cidr = { readonly network: Uint8Array; readonly bits: number } | { readonly error: string } | null;

interface Pattern {
  /** What a match answers: false after an odd number of leading '!'s (match_list_parse()). */
  readonly match: boolean;
  /** Asked only for a client of the pattern's family (match_hostaddr(): ':' in the address and in the pattern, or in neither). */
  readonly ipv6: boolean;
  readonly cidr: Cidr;
  /** The pattern as written without its '!'s, lower case: compared with the host name, and with the address bare or in [brackets]. */
  readonly lower: string;
}

/** match_list_match()'s answer: a match, none, or a list error (the reason cidr_match_parse() gave). */
export type ListAnswer = boolean | { readonly error: string };

/** inet_pton(AF_INET): four decimal bytes. */
function ipv4Bytes(text: string): Uint8Array | null {
  return isIPv4(text) ? Uint8Array.from(text.split('.').map(Number)) : null;
}

/** inet_pton(AF_INET6): eight groups of one to four hex digits, one '::' for a run of zero groups, a dotted IPv4 address as the last two. */
function ipv6Bytes(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = wordsOf(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? wordsOf(halves[1]!, true) : [];
  if (head === null || tail === null) return null;
  if (halves.length === 2 ? head.length + tail.length > 7 : head.length !== 8) return null;
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  return Uint8Array.from(words.flatMap((word) => [word >> 8, word & 0xff]));
}

/**
 * Whether two addresses are the same host address, as own_inet_addr() compares sockaddrs
 * (SOCK_ADDR_EQ_ADDR(): family and bytes): IPv4 in dotted decimal, IPv6 in any of its spellings.
 */
export function sameAddress(a: string, b: string): boolean {
  const bytes = (text: string) => (text.includes(':') ? ipv6Bytes(text) : ipv4Bytes(text));
  const left = bytes(a);
  const right = bytes(b);
  return left !== null && right !== null && left.length === right.length && left.every((byte, i) => byte === right[i]);
}

/** The 16-bit words of colon-separated groups; `last`: the final group may be a dotted IPv4 address (two words). */
function wordsOf(text: string, last: boolean): number[] | null {
  if (text === '') return [];
  const words: number[] = [];
  const groups = text.split(':');
  for (const [i, group] of groups.entries()) {
    if (last && i === groups.length - 1 && group.includes('.')) {
      const v4 = ipv4Bytes(group);
      if (v4 === null) return null;
      words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (/^[0-9a-f]{1,4}$/i.test(group)) {
      words.push(parseInt(group, 16));
    } else {
      return null;
    }
  }
  return words;
}

/** inet_ntop() as glibc writes it, for the "perhaps you should use" hint: dotted IPv4; IPv6 with its longest run of 2+ zero groups as '::', and ::a.b.c.d / ::ffff:a.b.c.d. */
function addressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len) best = { base: i, len: j - i };
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  const dotted = best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff));
  const limit = dotted ? 6 : 8;
  const parts: string[] = [];
  for (let i = 0; i < limit; i++) {
    if (i === best.base) parts.push(i === 0 ? ':' : '');
    if (i < best.base || i >= best.base + best.len) parts.push(words[i]!.toString(16));
  }
  const text = parts.join(':') + (best.base + best.len === limit ? ':' : '');
  return dotted ? `${text}${text.endsWith(':') ? '' : ':'}${bytes.slice(12).join('.')}` : text;
}

/** cidr_match_parse(): [] stripped ([net]/bits or [net/bits]), then net/bits or an address alone (all bits). */
function cidrMatchParse(pattern: string): Cidr {
  let text = pattern;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return { error: `missing ']' character after "${text}"` };
    const after = text.slice(close + 1);
    if (after !== '' && !after.startsWith('/')) return { error: `garbage after "${text.slice(0, close + 1)}"` };
    text = text.slice(1, close) + after;
  }
  const slash = text.indexOf('/');
  const net = slash < 0 ? text : text.slice(0, slash);
  const ipv6 = net.includes(':');
  const network = ipv6 ? ipv6Bytes(net) : ipv4Bytes(net);
  const allBits = ipv6 ? 128 : 32;
  if (slash < 0) return network ? { network, bits: allBits } : { error: `bad address pattern: "${net}"` };
  const mask = text.slice(slash + 1);
  // alldig(): digits, at least one.
  const problem = !/^\d+$/.test(mask) ? 'bad mask value' : Number(mask) > allBits ? 'bad mask length' : network === null ? 'bad network value' : null;
  if (problem !== null || network === null) return { error: `${problem} in "${net}/${mask}"` };
  const bits = Number(mask);
  const masked = network.map((byte, i) => byte & maskByte(bits, i));
  if (masked.some((byte, i) => byte !== network[i])) {
    return { error: `non-null host address bits in "${net}/${mask}", perhaps you should use "${addressText(masked)}/${bits}" instead` };
  }
  return { network, bits };
}

/** Byte `i` of a mask of `bits` leading ones. */
function maskByte(bits: number, i: number): number {
  const ones = Math.min(8, Math.max(0, bits - 8 * i));
  return (0xff << (8 - ones)) & 0xff;
}

/** match_list_parse(): each leading '!' turns the answer of a match; the rest, case-folded, is the pattern. */
function negated(item: string): { readonly match: boolean; readonly lower: string } {
  const count = /^!*/.exec(item)![0].length;
  return { match: count % 2 === 0, lower: item.slice(count).toLowerCase() };
}

/** match_hostaddr()'s light-weight tests: which patterns go on to cidr_match_parse() for a client of their family. */
function parsePattern(pattern: string): Pattern {
  const { match, lower } = negated(pattern);
  const ipv6 = lower.includes(':');
  const netMask = (ipv6 || lower.includes('/')) && !/^[0-9.]*$/.test(lower) && /^[0-9a-f.:[\]/]+$/.test(lower);
  return { match, ipv6, cidr: netMask ? cidrMatchParse(lower) : null, lower };
}

/** match_hostname() on a plain pattern: the name itself, or a name below the pattern's domain (see the header for `parent`). */
function hostnameMatches(pattern: string, name: string, parent: boolean): boolean {
  if (name === pattern) return true;
  const at = name.length - pattern.length;
  if (at <= 0 || !name.endsWith(pattern)) return false;
  return parent ? name[at - 1] === '.' : pattern.startsWith('.');
}

interface ParsedList {
  readonly patterns: readonly Pattern[];
  /** The last question and its answer: smtpd asks the same list about the same client on every read. */
  last: { readonly name: string; readonly addr: string; readonly parent: boolean; readonly answer: ListAnswer } | null;
}

/** Parsed lists by identity (config lists are readonly and never changed in place); weak, so it never outlives its configs. */
const parsedLists = new WeakMap<readonly string[], ParsedList>();

function parsedList(list: readonly string[]): ParsedList {
  let parsed = parsedLists.get(list);
  if (parsed === undefined) {
    parsed = { patterns: list.map(parsePattern), last: null };
    parsedLists.set(list, parsed);
  }
  return parsed;
}

/** match_list_match(): the patterns in order, the name then the address; the first match answers (no, when negated), a list error ends it. */
function matchPatterns(patterns: readonly Pattern[], name: string, addr: string, parent: boolean): ListAnswer {
  const addrLower = addr.toLowerCase();
  const nameLower = name.toLowerCase();
  const ipv6 = addrLower.includes(':');
  // cidr_match_execute(): the address as inet_pton() reads it; one it cannot read matches no block.
  const addrBytes = ipv6 ? ipv6Bytes(addrLower) : ipv4Bytes(addrLower);
  for (const pattern of patterns) {
    // match_hostname(), then match_hostaddr(): the address as the whole pattern, or between "[" and "]" and nothing else.
    if (hostnameMatches(pattern.lower, nameLower, parent) || pattern.lower === addrLower || pattern.lower === `[${addrLower}]`) return pattern.match;
    if (pattern.cidr === null || pattern.ipv6 !== ipv6) continue;
    if ('error' in pattern.cidr) return pattern.cidr;
    const { network, bits } = pattern.cidr;
    if (addrBytes !== null && addrBytes.length === network.length && addrBytes.every((byte, i) => (byte & maskByte(bits, i)) === network[i])) return pattern.match;
  }
  return false;
}

/**
 * namadr_list_match() with its list error: `true`, `false`, or `{ error }` (the caller logs
 * "warning: <list>: <error>"). `parent`: the list was made with MATCH_FLAG_PARENT (matchParentStyle()).
 */
export function namadrListLookup(list: readonly string[], name: string, addr: string, parent: boolean): ListAnswer {
  if (list.length === 0) return false;
  const parsed = parsedList(list);
  const last = parsed.last;
  if (last !== null && last.name === name && last.addr === addr && last.parent === parent) return last.answer;
  const answer = matchPatterns(parsed.patterns, name, addr, parent);
  parsed.last = { name, addr, parent, answer };
  return answer;
}

/** namadr_list_match() where a list error counts as no match (smtpd's other lists: the connect-time checks, anvil's exceptions). */
export function namadrListMatch(list: readonly string[], name: string, addr: string, parent: boolean): boolean {
  return namadrListLookup(list, name, addr, parent) === true;
}

/**
 * domain_list_match() (match_list_match() with match_hostname() alone: a list of domains such as
 * trivial-rewrite's relay_domains): the first pattern that matches the name answers, "no" when negated.
 * `parent`: the list was made with MATCH_FLAG_PARENT (matchParentStyle()).
 */
export function domainListMatch(list: readonly string[], name: string, parent: boolean): boolean {
  const nameLower = name.toLowerCase();
  for (const { match, lower } of parsedStringList(list)) {
    if (hostnameMatches(lower, nameLower, parent)) return match;
  }
  return false;
}

/** string_list_match() (match_string(): the whole string, both sides casefolded), e.g. mydestination in resolve_local() and virtual_mailbox_domains. */
export function stringListMatch(list: readonly string[], text: string): boolean {
  const lower = text.toLowerCase();
  for (const item of parsedStringList(list)) {
    if (item.lower === lower) return item.match;
  }
  return false;
}

/**
 * match_parent_style(): MATCH_FLAG_PARENT for a list made under a parameter name that
 * parent_domain_matches_subdomains holds. That list is a string_list (match_string(): the name
 * exactly, without case), with match_list_match()'s '!' too.
 */
export function matchParentStyle(parentDomainMatchesSubdomains: readonly string[], parameter: string): boolean {
  return stringListMatch(parentDomainMatchesSubdomains, parameter);
}

/**
 * A string list's items parsed once per config list, as for the address lists above: smtpd asks
 * match_parent_style() on every record read (the bare-newline exclusions), and parsing it there
 * each time was the session's largest allocation site (~22 KiB of ~190 KiB, 2026-11-30).
 */
const parsedStringLists = new WeakMap<readonly string[], readonly ReturnType<typeof negated>[]>();

function parsedStringList(list: readonly string[]): readonly ReturnType<typeof negated>[] {
  let parsed = parsedStringLists.get(list);
  if (parsed === undefined) {
    parsed = list.map(negated);
    parsedStringLists.set(list, parsed);
  }
  return parsed;
}

/** match_list_parse() of any match list: an item of only '!'s is fatal ("<list>: no pattern after '!'"), so Postfix does not start. */
export function listPatternError(parameter: string, list: readonly string[]): string | null {
  return list.some((item) => /^!+$/.test(item)) ? `${parameter}: Postfix does not start: "${parameter}: no pattern after '!'" (match_list_parse())` : null;
}
