/* xclient - the attribute loop of xclient_cmd(): names, xtext, value checks, replies
 *
 * postfix/src/smtpd/smtpd.c xclient_cmd() (v3.7.11 ~4500) and XCLIENT_README. Attributes
 * are applied in order to the client record as they are checked, so an error after a
 * good attribute leaves the earlier change in place, as in smtpd (UPDATE_STR in place).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { neuter, printable, xtextUnquote } from './text.js';

export const XCLIENT_UNAVAILABLE = '[UNAVAILABLE]';
export const XCLIENT_TEMPORARY = '[TEMPUNAVAIL]';

/** The client attributes XCLIENT may override (a subset of SMTPD_STATE). */
export interface ClientRecord {
  name: string;
  reverseName: string;
  addr: string;
  port: string;
  destAddr: string;
  destPort: string;
}

export interface XclientOutcome {
  /** A 501 reply when an attribute was bad; null when every attribute was accepted. */
  readonly error: string | null;
  readonly helo: string | null | undefined;
  readonly proto: 'SMTP' | 'ESMTP' | undefined;
  readonly login: string | undefined;
}

/**
 * valid_hostname(name, DONT_GRIPE) (util/valid_hostname.c): at most 255 bytes of labels of 1 to 63
 * letters, digits, '_' and inner '-'. Every '.' must follow a label and precede another ("misplaced
 * delimiter"), so a trailing dot is refused too; the name is refused as numeric only when it is
 * digits and dots throughout (`a.123` passes, `1.2.3.4` does not).
 */
export function validHostname(name: string): boolean {
  if (name.length === 0 || name.length > 255) return false;
  return name.split('.').every((label) => /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label)) && /[^\d.]/.test(name);
}

/** Address families smtpd may use: inet_protocols. */
export type InetProtocols = 'ipv4' | 'ipv6' | 'all';

/**
 * normalize_mailhost_addr() (global/normalize_mailhost_addr.c): IPv4, or IPv6 only with
 * the "IPv6:" prefix (any case); ::ffff:a.b.c.d becomes IPv4; the family must be enabled
 * in inet_protocols. (IPv6 is lower-cased but not re-compressed as getnameinfo would.)
 */
function normalizeAddr(value: string, protocols: InetProtocols): string | null {
  const v6 = /^ipv6:/i.test(value) ? value.slice(5) : null;
  if (v6 === null) return isIPv4(value) && protocols !== 'ipv6' ? value : null;
  if (!isIPv6(v6)) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v6);
  if (mapped && protocols !== 'ipv6') return mapped[1] ?? null;
  return protocols === 'ipv4' ? null : v6.toLowerCase();
}

function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value);
}

export function applyXclientAttributes(args: readonly string[], client: ClientRecord, protocols: InetProtocols): XclientOutcome {
  let helo: string | null | undefined;
  let proto: 'SMTP' | 'ESMTP' | undefined;
  let login: string | undefined;
  // The first bad attribute ends the loop (a break, not a closure per call); the outcome keeps what was accepted before it.
  let error: string | null = null;
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0 || eq === arg.length - 1) { error = '501 5.5.4 Error: attribute=value expected'; break; }
    const name = arg.slice(0, eq);
    const raw = arg.slice(eq + 1);
    if (raw.length > 255) { error = '501 5.5.4 Error: attribute value too long'; break; }
    const value = printable(xtextUnquote(raw) ?? raw);
    const key = name.toUpperCase();
    const unavailable = value.toUpperCase() === XCLIENT_UNAVAILABLE;
    if (key === 'NAME' || key === 'REVERSE_NAME') {
      const peerUnknown = unavailable || value.toUpperCase() === XCLIENT_TEMPORARY;
      if (!peerUnknown && !validHostname(value)) { error = `501 5.5.4 Bad ${key} syntax: ${value}`; break; }
      const resolved = peerUnknown ? 'unknown' : value;
      if (key === 'NAME') {
        client.name = resolved;
        if (!peerUnknown) client.reverseName = resolved;
      } else client.reverseName = resolved;
    } else if (key === 'ADDR') {
      if (unavailable) client.addr = 'unknown';
      else {
        const addr = normalizeAddr(neuter(value), protocols);
        if (addr === null) { error = `501 5.5.4 Bad ADDR syntax: ${neuter(value)}`; break; }
        client.addr = addr;
      }
    } else if (key === 'PORT' || key === 'DESTPORT') {
      if (!unavailable && !isPort(value)) { error = `501 5.5.4 Bad ${key} syntax: ${value}`; break; }
      const port = unavailable ? 'unknown' : value;
      if (key === 'PORT') client.port = port;
      else client.destPort = port;
    } else if (key === 'HELO') {
      if (unavailable) helo = null;
      else if (value.length > 255) { error = `501 5.5.4 Bad HELO syntax: ${value}`; break; }
      else helo = neuter(value);
    } else if (key === 'PROTO') {
      const upper = value.toUpperCase();
      if (upper !== 'SMTP' && upper !== 'ESMTP') { error = `501 5.5.4 Bad PROTO syntax: ${value}`; break; }
      proto = upper;
    } else if (key === 'LOGIN') {
      if (!unavailable) login = value;
    } else if (key === 'DESTADDR') {
      if (unavailable) client.destAddr = 'unknown';
      else {
        const addr = normalizeAddr(neuter(value), protocols);
        if (addr === null) { error = `501 5.5.4 Bad DESTADDR syntax: ${neuter(value)}`; break; }
        client.destAddr = addr;
      }
    } else { error = `501 5.5.4 Bad XCLIENT attribute name: ${name}`; break; }
  }
  return { error, helo, proto, login };
}
