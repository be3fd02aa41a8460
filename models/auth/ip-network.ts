/* auth/ip-network - client network keys and CIDR membership, as Mailu's utils.extract_network_from_ip and is_exempt_from_ratelimits compute them
 *
 * Mailu (core/admin/mailu/utils.py) keys the per-IP limiter by the client's network: the address
 * masked to AUTH_RATELIMIT_IP_V4_MASK (24) or AUTH_RATELIMIT_IP_V6_MASK (48) bits, printed as Python's
 * ipaddress prints a network address (IPv6 compressed per RFC 5952). An unparsable address makes
 * Python raise, which Flask turns into HTTP 500: parseIp returns null and the caller answers 500.
 */

export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

/** Parsed addresses by text: a run parses the same few addresses again and again (BigInt work), and answers are immutable. */
const parsedIps = new Map<string, IpAddress | null>();
/** Bound on the cache; when full it starts over (inputs may be hostile and unbounded). */
const MAX_PARSED_IPS = 256;

export function parseIp(text: string): IpAddress | null {
  let parsed = parsedIps.get(text);
  if (parsed === undefined) {
    if (parsedIps.size >= MAX_PARSED_IPS) parsedIps.clear();
    parsed = parseIpUncached(text);
    parsedIps.set(text, parsed);
  }
  return parsed;
}

function parseIpUncached(text: string): IpAddress | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.').map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { version: 4, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  return parseIpv6(text);
}

function parseIpv6(text: string): IpAddress | null {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.length > 39) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return null;
  return { version: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

function maskBits(address: IpAddress, prefix: number): bigint {
  const width = address.version === 4 ? 32 : 128;
  const keep = BigInt(Math.max(0, Math.min(width, prefix)));
  const hostBits = BigInt(width) - keep;
  return (address.value >> hostBits) << hostBits;
}

export function formatIp(address: IpAddress): string {
  if (address.version === 4) {
    // 32 bits fit a Number: the dotted quad without a BigInt per octet
    const value = Number(address.value);
    return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((address.value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952 §4.2: compress the longest run (of two or more) of zero groups, the first one on a tie.
  let bestStart = -1, bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * The last network computed: a request asks for its client's twice (the limiter's test and hit), and
 * runs of a scenario ask for the same client, whose parsed address parseIp() hands out again.
 */
let lastNetwork: { readonly address: IpAddress; readonly v4Mask: number; readonly v6Mask: number; readonly network: string } | null = null;

/** utils.extract_network_from_ip: the network address of the client's /v4Mask or /v6Mask. */
export function clientNetwork(address: IpAddress, v4Mask: number, v6Mask: number): string {
  if (lastNetwork?.address !== address || lastNetwork.v4Mask !== v4Mask || lastNetwork.v6Mask !== v6Mask) {
    const network = formatIp({ version: address.version, value: maskBits(address, address.version === 4 ? v4Mask : v6Mask) });
    lastNetwork = { address, v4Mask, v6Mask, network };
  }
  return lastNetwork.network;
}

export interface Cidr {
  readonly network: IpAddress;
  readonly prefix: number;
}

/** ipaddress.ip_network(cidr, strict=False); null when unparsable (Mailu would fail at start-up). */
export function parseCidr(text: string): Cidr | null {
  const [addressText, prefixText] = text.trim().split('/');
  const network = parseIp(addressText ?? '');
  if (!network) return null;
  const width = network.version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > width) return null;
  return { network: { version: network.version, value: maskBits(network, prefix) }, prefix };
}

export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  return cidr.network.version === address.version && maskBits(address, cidr.prefix) === cidr.network.value;
}
