/* address-list - namadr_list_match() for the lab: CIDR blocks, exact addresses, host names
 *
 * postfix/src/global/namadr_list.c matches a client name or address against a list;
 * the lab's lists are IPv4 CIDR blocks (127.0.0.0/8), exact addresses, or host names.
 * util/match_ops.c match_hostaddr() (v3.7.11): an address pattern is the address itself or "[" the
 * address "]"; a net/mask pattern with other characters is junk that matches nothing, and one that
 * cidr_match_parse() refuses (a byte over 255, more than 32 mask bits) is a list error that matches
 * nothing either (the error itself, logged and answered by the restriction, is not modelled).
 * Like namadr_list_init(), a list is parsed once (per config list, cached) and then only
 * matched: smtpd consults these lists on every record read.
 */
import { isIPv4 } from 'node:net';

interface Pattern {
  /** IPv4 CIDR block: network number and prefix length (null when the pattern is not one). */
  readonly cidr: { readonly network: number; readonly bits: number } | null;
  /** The pattern as written, lower case: compared with the host name, and with the address bare or in [brackets]. */
  readonly lower: string;
}

function ipv4ToNumber(addr: string): number {
  return addr.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function parsePattern(pattern: string): Pattern {
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(pattern);
  const network = cidr?.[1] ?? '';
  return {
    cidr: cidr && isIPv4(network) ? { network: ipv4ToNumber(network), bits: Number(cidr[2]) } : null,
    lower: pattern.toLowerCase(),
  };
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

function matchPatterns(patterns: readonly Pattern[], name: string, addr: string): boolean {
  const addrNumber = isIPv4(addr) ? ipv4ToNumber(addr) : null;
  const addrLower = addr.toLowerCase();
  const nameLower = name.toLowerCase();
  return patterns.some((pattern) => {
    if (pattern.cidr && addrNumber !== null) {
      if (pattern.cidr.bits > 32) return false;
      const size = 2 ** (32 - pattern.cidr.bits);
      return Math.floor(addrNumber / size) === Math.floor(pattern.cidr.network / size);
    }
    // match_hostaddr(): the address as the whole pattern, or between "[" and "]" and nothing else.
    return pattern.lower === addrLower || pattern.lower === `[${addrLower}]` || pattern.lower === nameLower;
  });
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
