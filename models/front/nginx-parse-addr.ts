/* nginx-parse-addr - the Auth-Server address as nginx reads it: ngx_parse_addr(), ngx_inet_addr(), ngx_inet6_addr()
 *
 * src/core/ngx_inet.c, the same from release-1.22.1 to release-1.31.4. nginx takes the auth_http
 * answer's Auth-Server as an IPv4 address if ngx_inet_addr() reads one, else as an IPv6 address,
 * and refuses anything else ("sent invalid server address", never a name). Both readers are
 * looser than inet_pton(): an IPv4 octet may have any number of digits and may be empty
 * ("1..2.3" is 1.0.2.3), a single leading ':' of an IPv6 address is skipped; 255.255.255.255 is
 * refused (it is INADDR_NONE, the IPv4 reader's own failure value). The connection goes to the
 * address read, while the upstream's name in the log keeps the text as the server sent it.
 */
import { formatIp } from '../auth/ip-network.ts';

const INADDR_NONE = 0xffffffff;

/** ngx_inet_addr(): the IPv4 address `text` holds, or null (INADDR_NONE). */
function ngxInetAddr(text: string): number | null {
  let address = 0;
  let octet = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      octet = octet * 10 + (c - 0x30);
      if (octet > 255) return null;
    } else if (c === 0x2e) {
      // a fourth dot shifts the first octet out of the 32 bits, as in_addr_t arithmetic does; n != 3 refuses it below
      address = ((address << 8) + octet) >>> 0;
      octet = 0;
      dots++;
    } else {
      return null;
    }
  }
  if (dots !== 3) return null;
  const value = ((address << 8) + octet) >>> 0;
  return value === INADDR_NONE ? null : value;
}

/** ngx_inet6_addr(): the 16 bytes of the IPv6 address `text` holds, or null (NGX_ERROR). */
function ngxInet6Addr(text: string): Uint8Array | null {
  if (text.length === 0) return null;
  const bytes = new Uint8Array(16);
  let at = 0;
  let zero = -1;
  // where the text after the last ':' starts: an embedded IPv4 address is read from there to the end
  let digit = -1;
  let nibbles = 0;
  let word = 0;
  let words = 8;
  let i = text.charCodeAt(0) === 0x3a ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) {
      if (nibbles > 0) {
        digit = i + 1;
        bytes[at++] = word >> 8;
        bytes[at++] = word & 0xff;
        if (--words > 0) {
          nibbles = 0;
          word = 0;
          continue;
        }
      } else if (zero < 0) {
        digit = i + 1;
        zero = at;
        continue;
      }
      return null;
    }
    if (c === 0x2e && nibbles > 0) {
      if (words < 2 || digit < 0) return null;
      const v4 = ngxInetAddr(text.slice(digit));
      if (v4 === null) return null;
      bytes[at++] = v4 >>> 24;
      bytes[at++] = (v4 >>> 16) & 0xff;
      word = v4 & 0xffff;
      words--;
      break;
    }
    if (++nibbles > 4) return null;
    const lower = c | 0x20;
    if (c >= 0x30 && c <= 0x39) word = word * 16 + (c - 0x30);
    else if (lower >= 0x61 && lower <= 0x66) word = word * 16 + (lower - 0x61) + 10;
    else return null;
  }
  if (nibbles === 0 && zero < 0) return null;
  bytes[at++] = word >> 8;
  bytes[at++] = word & 0xff;
  if (--words > 0) {
    if (zero < 0) return null;
    // the words after '::' move to the end; the gap between is zeros
    const moved = bytes.slice(zero, at);
    bytes.fill(0, zero);
    bytes.set(moved, 16 - moved.length);
    return bytes;
  }
  return zero < 0 ? bytes : null;
}

/**
 * ngx_parse_addr(): where nginx connects for an Auth-Server of `text`, as the lab's host text (an
 * IPv4 address dotted, an IPv6 one in RFC 5952 form), or null for "sent invalid server address".
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its IPv4 address: Linux carries an AF_INET6
 * connect() to it over IPv4 (the socket is not IPV6_V6ONLY), so the server sees an IPv4 peer.
 */
export function ngxParseAddr(text: string): string | null {
  const v4 = ngxInetAddr(text);
  if (v4 !== null) return formatIp({ version: 4, value: BigInt(v4) });
  const v6 = ngxInet6Addr(text);
  if (v6 === null) return null;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  if (mapped) return `${v6[12]}.${v6[13]}.${v6[14]}.${v6[15]}`;
  return formatIp({ version: 6, value: v6.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n) });
}
