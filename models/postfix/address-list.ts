/* address-list - namadr_list_match() for the lab: CIDR blocks, exact addresses, host names
 *
 * postfix/src/global/namadr_list.c matches a client name or address against a list;
 * the lab's lists are IPv4 CIDR blocks (127.0.0.0/8), exact addresses, or host names.
 * util/match_ops.c match_hostaddr() (v3.7.11): an address pattern is the address itself or "[" the
 * address "]"; for an IPv4 client only a net/mask pattern made of address characters (digits, hex
 * letters, ".", "[", "]", "/") goes on to cidr_match_parse() (util/cidr_match.c): the others are junk
 * that matches nothing. cidr_match_parse() takes [net]/bits and [net/bits] too, and refuses a mask
 * that is not digits or over 32 bits, a network inet_pton() refuses, and a network with bits set
 * past the mask ("non-null host address bits"): that is a list error, and match_list_match() then
 * answers "no match" for the whole list, the patterns after it untried (the error itself, logged
 * and answered by the restriction, is not modelled).
 * Like namadr_list_init(), a list is parsed once (per config list, cached) and then only
 * matched: smtpd consults these lists on every record read.
 */
import { isIPv4 } from 'node:net';

/** A net/mask pattern as an IPv4 client's address meets it: a block, a list error, or null (not one). */
type Cidr = { readonly network: number; readonly bits: number } | 'error' | null;

interface Pattern {
  readonly cidr: Cidr;
  /** The pattern as written, lower case: compared with the host name, and with the address bare or in [brackets]. */
  readonly lower: string;
}

function ipv4ToNumber(addr: string): number {
  return addr.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/**
 * match_hostaddr()'s light-weight tests for an IPv4 address (no ':'): a pattern with a '/' and of
 * address characters only, ':' not among them (an IPv6 pattern is never parsed for an IPv4 address),
 * goes to cidr_match_parse(); any other is no net/mask.
 */
function cidrOf(pattern: string): Cidr {
  if (!pattern.includes('/') || !/^[0-9a-fA-F.[\]/]+$/.test(pattern)) return null;
  return cidrMatchParse(pattern);
}

/** cidr_match_parse() for IPv4: [] stripped ([net]/bits or [net/bits]), then net/bits; 'error' for what it refuses. */
function cidrMatchParse(pattern: string): Cidr {
  let text = pattern;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    // "garbage after [...]": after the ] nothing or a /mask; "missing ']' character" fails the same
    // test, as without a ] the text tested is the whole pattern, [ and all.
    if (!/^(?:\/.*)?$/.test(text.slice(close + 1))) return 'error';
    text = text.slice(1, close) + text.slice(close + 1);
  }
  const slash = text.indexOf('/');
  const net = text.slice(0, slash);
  const mask = text.slice(slash + 1);
  // "bad mask value" (alldig(): digits, at least one), "bad mask length", "bad network value" (inet_pton()).
  if (!/^\d+$/.test(mask) || Number(mask) > 32 || !isIPv4(net)) return 'error';
  const bits = Number(mask);
  const network = ipv4ToNumber(net);
  // "non-null host address bits in ..., perhaps you should use ... instead"
  if (network % 2 ** (32 - bits) !== 0) return 'error';
  return { network, bits };
}

function parsePattern(pattern: string): Pattern {
  return { cidr: cidrOf(pattern), lower: pattern.toLowerCase() };
}

interface ParsedList {
  readonly patterns: readonly Pattern[];
  /** The last question and its answer: smtpd asks the same list about the same client on every read. */
  last: { readonly name: string; readonly addr: string; readonly matched: boolean } | null;
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

/** match_list_match(): the patterns in order, the name then the address; the first match wins, a list error ends it. */
function matchPatterns(patterns: readonly Pattern[], name: string, addr: string): boolean {
  const addrNumber = isIPv4(addr) ? ipv4ToNumber(addr) : null;
  const addrLower = addr.toLowerCase();
  const nameLower = name.toLowerCase();
  for (const pattern of patterns) {
    // match_hostname(), then match_hostaddr(): the address as the whole pattern, or between "[" and "]" and nothing else.
    if (pattern.lower === nameLower || pattern.lower === addrLower || pattern.lower === `[${addrLower}]`) return true;
    if (addrNumber === null || pattern.cidr === null) continue;
    if (pattern.cidr === 'error') return false;
    const size = 2 ** (32 - pattern.cidr.bits);
    if (Math.floor(addrNumber / size) === pattern.cidr.network / size) return true;
  }
  return false;
}

export function namadrListMatch(list: readonly string[], name: string, addr: string): boolean {
  if (list.length === 0) return false;
  const parsed = parsedList(list);
  const last = parsed.last;
  if (last !== null && last.name === name && last.addr === addr) return last.matched;
  const matched = matchPatterns(parsed.patterns, name, addr);
  parsed.last = { name, addr, matched };
  return matched;
}
