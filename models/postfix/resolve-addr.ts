/* resolve-addr - the addresses smtpd_check_addr() refuses, which extract_addr() reports as "Illegal address syntax"
 *
 * smtpd.c extract_addr() (v3.7.11) asks smtpd_check_addr() (smtpd_check.c) about MAIL's, RCPT's and
 * VRFY's address; it resolves it (trivial-rewrite/resolve.c resolve_addr()) and refuses it on
 * RESOLVE_FLAG_ERROR, which extract_addr() reports with the warning and the command's bad-address
 * reply. The refusals read here, for the address in the internal form extract_addr() hands over
 * (blanks inside a quoted string or a domain literal kept), after resolve's loop has taken one
 * trailing dot off the domain ("but not dot-dot or at-dot"):
 *   - a domain literal that valid_mailhost_literal() refuses ([ 192.0.2.1] with its blank too);
 *   - another ASCII domain that valid_hostname() refuses (a numeric one, one ending in "..", an
 *     empty one or "." after '@'), as resolve_numeric_domain is no by default;
 *   - an address that starts with '-' (allow_min_user = no, DEF_ALLOW_MIN_USER).
 * A local domain (mydestination) is no exception: the loop strips it and, once no domain is left
 * to strip, appends it again ("if (saved_domain) tok822_sub_append(tree, saved_domain)") before the
 * tests. Then smtpd_check_addr() itself refuses a resolved address whose domain is not all ASCII
 * when the command did not declare SMTPUTF8 ("Backwards compatibility: ... behave like Postfix <
 * 3.0 trivial-rewrite, and don't allow non-ASCII email domains"); a non-ASCII local part passes.
 * The same code in every modelled release (3.5.0 .. 3.10.13: smtpd_check_addr() and extract_addr()
 * unchanged; resolve.c's tests only renamed valid_utf8_string() to valid_utf8_stringz() in 3.9).
 * resolve.c's "valid_utf8_string(nextrcpt) == 0" refusal cannot happen here: smtpd_proto() has
 * already answered a command line that is not valid UTF-8 with 500 5.5.2 (session.ts), and the
 * internal form only drops or blanks ASCII bytes of it.
 * Not modelled: the rewriting in between (the percent hack or bang path applied to what is left of
 * a local address, a quoted local part cracked open), and, for a non-ASCII domain under SMTPUTF8,
 * valid_utf8_hostname()'s conversion (util/midna_domain.c midna_domain_to_ascii(): ICU UTS46
 * ToASCII, then valid_hostname() of the result), which the model lets pass.
 */
import { isIPv6 } from 'node:net';
import type { PostfixConfig } from './config.js';
import { validHostname } from './xclient.js';

/**
 * smtpd_check_addr(sender, address, smtputf8): whether it refuses `address` (the internal form
 * extract-addr.ts gives); `smtputf8` is whether the command declared SMTPUTF8 (MAIL's option, or
 * VRFY's last word; RCPT inherits its MAIL's).
 */
export function checkAddrRefuses(address: string, smtputf8: boolean): boolean {
  // resolve_addr(): the test is on the resolved address's first character: a quoted " -x" keeps its blank and passes.
  if (address.startsWith('-')) return true;
  // An empty address (smtpd_check_addr() does not resolve it) and one without '@' (completed with
  // @$myhostname, ASCII and valid) pass.
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const written = address.slice(at + 1);
  // smtpd_check_addr()'s own test, made after resolve in Postfix: either refusal is the same -1, so the order does not show.
  if (!smtputf8 && !isAscii(written)) return true;
  const domain = withoutTrailingDot(written);
  if (domain.startsWith('[')) return !validMailhostLiteral(domain);
  // A local domain is judged too: the loop strips it (saved_domain) and appends it again after.
  // A non-ASCII domain (under SMTPUTF8) goes to valid_utf8_hostname()'s IDNA conversion instead: not modelled, it passes.
  return isAscii(domain) && !validHostname(domain);
}

const isAscii = (text: string) => /^[\x00-\x7f]*$/.test(text);

/**
 * resolve_addr()'s loop: "Strip trailing dot at end of domain, but not dot-dot or at-dot". The
 * exception cannot change a verdict: what it keeps still ends in a dot, which valid_hostname()
 * refuses, so no address it keeps reaches the lookups either.
 */
const withoutTrailingDot = (domain: string) => domain.replace(/\.$/, '');

/**
 * The recipient smtpd_resolve_addr() gives back (reply->recipient, which smtpd_check.c's
 * permit_auth_destination() and check_rcpt_maps() read) for an address checkAddrRefuses() let
 * through. smtpd/smtpd_resolve.c resolve_pagein() (v3.7.11) first rewrites the address in the
 * "local" context (rewrite_clnt_internal(MAIL_ATTR_RWR_LOCAL); trivial-rewrite/rewrite.c
 * rewrite_tree()): one without '@' becomes user@site for site!user (swap_bangpath, default yes),
 * else user@domain for user%domain (the last '%', allow_percent_hack, default yes), else gets
 * "@$myorigin" (append_at_myorigin, default yes; DEF_MYORIGIN "$myhostname", never empty:
 * mail_params.c reads it with a minimum length of 1). Then resolve_addr() takes one trailing dot
 * off the domain.
 */
export function resolvedRecipient(address: string, c: Pick<PostfixConfig, 'myorigin'>): { readonly local: string; readonly domain: string } {
  const at = address.lastIndexOf('@');
  if (at >= 0) return { local: address.slice(0, at), domain: withoutTrailingDot(address.slice(at + 1)) };
  const bang = address.indexOf('!');
  if (bang >= 0) return { local: address.slice(bang + 1), domain: withoutTrailingDot(address.slice(0, bang)) };
  const percent = address.lastIndexOf('%');
  if (percent >= 0) return { local: address.slice(0, percent), domain: withoutTrailingDot(address.slice(percent + 1)) };
  return { local: address, domain: c.myorigin };
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
