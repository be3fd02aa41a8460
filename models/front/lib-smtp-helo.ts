/* front/lib-smtp-helo - whether Dovecot's lib-smtp calls an EHLO or HELO argument a valid domain
 *
 * src/lib-smtp/smtp-server-cmd-helo.c smtp_server_cmd_helo_run() (2.3.17-2.4.3, the parsing
 * unchanged) refuses only an empty argument ("501 Missing hostname"); any other is answered 250,
 * with helo.domain_valid = (smtp_helo_domain_parse() >= 0). smtp_server_connection_get_proxy_data()
 * passes the name on only when it is valid, so the proxy's XCLIENT says HELO=[UNAVAILABLE] for an
 * invalid one (submission-proxy.c proxy_send_xclient()). smtp-syntax.c smtp_helo_domain_parse():
 * a domain, or for EHLO an address literal, then the end of the argument or a space.
 * smtp-parser.c:
 *  - smtp_parser_parse_domain(): labels of ASCII letters, digits, '-' and '_' (more lenient than
 *    RFC 5321's Let-dig), separated by single dots; an empty label (a leading, doubled or trailing
 *    dot) is refused;
 *  - smtp_parser_parse_address_literal(): "[" an IPv4 literal (four decimal bytes, each at most
 *    255) or a tag (Ldh-str) ":" and 1*dcontent ("IPv6:" must then be an address inet_pton takes) "]".
 */
import { isIPv6 } from 'node:net';

/** smtp_parser_parse_*: 1 parsed (the position after it), 0 not this syntax, -1 refused. */
type Parsed = { readonly end: number } | 0 | -1;

const isAlnum = (c: string | undefined) => c !== undefined && /^[A-Za-z0-9]$/.test(c);
const isDomainChar = (c: string | undefined) => isAlnum(c) || c === '-' || c === '_';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
/** dcontent = %d33-90 / %d94-126 */
const isDcontent = (c: string | undefined) => c !== undefined && /^[\x21-\x5a\x5e-\x7e]$/.test(c);

/** The domain the proxy tells the backend (XCLIENT HELO=), or null when lib-smtp finds `params` invalid. */
export function validHeloDomain(params: string, oldSmtp: boolean): string | null {
  let parsed = parseDomain(params);
  if (parsed === 0 && !oldSmtp) parsed = parseAddressLiteral(params);
  if (parsed === 0 || parsed === -1) return null;
  if (parsed.end < params.length && params[parsed.end] !== ' ') return null;
  return params.slice(0, parsed.end);
}

function parseDomain(text: string): Parsed {
  if (!isDomainChar(text[0])) return 0;
  let i = 0;
  for (;;) {
    // "Empty sub-domain", "Invalid character in domain"
    if (!isDomainChar(text[i])) return -1;
    while (isDomainChar(text[i])) i++;
    if (text[i] !== '.') return { end: i };
    i++;
  }
}

function parseAddressLiteral(text: string): Parsed {
  if (text[0] !== '[') return 0;
  let i = 1;
  if (isDigit(text[i])) {
    // smtp_parser_parse_ipv4_address(): Snum 3("." Snum); "Invalid IPv4 address literal"
    for (let octet = 0; octet < 4; octet++) {
      if (octet > 0) {
        if (i >= text.length) break;
        if (text[i] !== '.') return -1;
        i++;
      }
      const start = i;
      while (isDigit(text[i])) i++;
      if (i === start || Number(text.slice(start, i)) > 255) return -1;
    }
  } else {
    // Standardized-tag ":" 1*dcontent; the tag is an Ldh-str, ending at its last letter or digit.
    let lastAlnum = -1;
    while (isAlnum(text[i]) || text[i] === '-') {
      if (isAlnum(text[i])) lastAlnum = i;
      i++;
    }
    if (lastAlnum < 0) return -1; // "Invalid address literal"
    i = lastAlnum + 1;
    if (text[i] !== ':') return -1;
    const ipv6 = text.slice(1, i).toLowerCase() === 'ipv6';
    const start = ++i;
    while (isDcontent(text[i])) i++;
    if (i === start) return -1; // "Empty address literal"
    if (ipv6 && !isIPv6(text.slice(start, i))) return -1; // "Invalid IPv6 address literal"
  }
  if (text[i] !== ']') return -1; // "Missing ']'", "Invalid character in address literal"
  return { end: i + 1 };
}
