/* resolve-addr - the refusals of trivial-rewrite's resolve that smtpd_check_addr() makes "Illegal address syntax"
 *
 * smtpd.c extract_addr() (v3.7.11) asks smtpd_check_addr() (smtpd_check.c) about MAIL's, RCPT's and
 * VRFY's address; it resolves it (trivial-rewrite/resolve.c resolve_addr()) and refuses it on
 * RESOLVE_FLAG_ERROR, which extract_addr() reports with the warning and the command's bad-address
 * reply. The refusals read here, for the address in the internal form extract_addr() hands over
 * (blanks inside a quoted string or a domain literal kept), after resolve's loop has taken one
 * trailing dot off the domain ("but not dot-dot or at-dot"):
 *   - a domain literal that valid_mailhost_literal() refuses ([ 192.0.2.1] with its blank too);
 *   - another domain that valid_hostname() refuses (a numeric one, one ending in "..", an empty
 *     one or "." after '@'), as resolve_numeric_domain is no by default;
 *   - an address that starts with '-' (allow_min_user = no, DEF_ALLOW_MIN_USER).
 * A local domain (mydestination) is no exception: the loop strips it and, once no domain is left
 * to strip, appends it again ("if (saved_domain) tok822_sub_append(tree, saved_domain)") before the
 * tests. Not modelled: the rewriting in between (the percent hack or bang path applied to what is
 * left of a local address, a quoted local part cracked open), a non-ASCII domain
 * (valid_utf8_hostname()'s IDNA conversion, and smtpd_check_addr()'s refusal without SMTPUTF8).
 */
import { isIPv6 } from 'node:net';
import { validHostname } from './xclient.js';

/** Whether resolve_addr() marks `address` (the internal form extract-addr.ts gives) RESOLVE_FLAG_ERROR. */
export function resolveRefuses(address: string): boolean {
  // The test is on the resolved address's first character: a quoted " -x" keeps its blank and passes.
  if (address.startsWith('-')) return true;
  // An empty address (smtpd_check_addr() does not resolve it) and one without '@' (completed with @$myhostname) pass.
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  // resolve_addr()'s loop: "Strip trailing dot at end of domain, but not dot-dot or at-dot". The
  // exception cannot change the verdict: what it keeps still ends in a dot, which valid_hostname() refuses.
  const domain = address.slice(at + 1).replace(/\.$/, '');
  if (domain.startsWith('[')) return !validMailhostLiteral(domain);
  // A local domain is judged too: the loop strips it (saved_domain) and appends it again after.
  return /^[\x00-\x7f]*$/.test(domain) && !validHostname(domain);
}

/** valid_mailhost_literal() (global/valid_mailhost_addr.c): "[" an IPv4 address or "IPv6:" and an IPv6 address "]". */
export function validMailhostLiteral(text: string): boolean {
  const inner = /^\[([^\]]*)\]$/.exec(text)?.[1];
  if (inner === undefined) return false;
  return /^ipv6:/i.test(inner) ? isIPv6(inner.slice(5)) : validIpv4Hostaddr(inner);
}

/** valid_ipv4_hostaddr() (util/valid_hostname.c): four decimal bytes of at most 255; a first byte 0 only in 0.0.0.0. */
function validIpv4Hostaddr(addr: string): boolean {
  const bytes = addr.split('.');
  if (bytes.length !== 4 || !bytes.every((b) => /^\d+$/.test(b) && Number(b) <= 255)) return false;
  return Number(bytes[0]) !== 0 || /^[0.]*$/.test(addr);
}
