/* address-list - namadr_list_match() for the lab: CIDR blocks, exact addresses, host names
 *
 * postfix/src/global/namadr_list.c matches a client name or address against a list;
 * the lab's lists are IPv4 CIDR blocks (127.0.0.0/8), exact addresses, or host names.
 */
import { isIPv4 } from 'node:net';

function ipv4ToNumber(addr: string): number {
  return addr.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function matchesOne(pattern: string, name: string, addr: string): boolean {
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(pattern);
  const network = cidr?.[1] ?? '';
  if (cidr && isIPv4(network) && isIPv4(addr)) {
    const bits = Number(cidr[2]);
    if (bits > 32) return false;
    const size = 2 ** (32 - bits);
    return Math.floor(ipv4ToNumber(addr) / size) === Math.floor(ipv4ToNumber(network) / size);
  }
  const bare = pattern.replace(/^\[|\]$/g, '');
  return bare.toLowerCase() === addr.toLowerCase() || pattern.toLowerCase() === name.toLowerCase();
}

export function namadrListMatch(list: readonly string[], name: string, addr: string): boolean {
  return list.some((pattern) => matchesOne(pattern, name, addr));
}
