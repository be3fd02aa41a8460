/* access-map - check_*_access: an inline access table looked up, and its action as check_table_result() reads it
 *
 * postfix/src/smtpd/smtpd_check.c (v3.7.11; the same at v3.5.0, v3.9.0 and v3.10.13): check_access() looks
 * the name up as is; check_domain_access() the name, then its parent domains ("Don't apply subdomain magic
 * to numerical hostnames"); check_addr_access() the address, then its shorter networks (split_at_right() at
 * '.' or ':'); check_namadr_access() the client name, then the address; check_mail_access() the resolved
 * address by mail_addr_find_strategy() (mail-addr-find.ts), "<>" for the null sender (smtpd_null_access_lookup_key).
 * What the table holds is the action (check_table_result()), its word compared without case:
 * OK, RELAY or all digits permit; REJECT [[dsn] text] is access_map_reject_code with "5.7.1" and
 * "Access denied" by default, DEFER [[dsn] text] access_map_defer_code with "4.7.1"; DUNNO goes on;
 * 4xx/5xx text rejects with that code (a dsn after it, else X.7.1); DEFER_IF_PERMIT and DEFER_IF_REJECT
 * defer with access_map_defer_code ("Service unavailable"); WARN and INFO log and go on; anything else is
 * a restriction list evaluated in its place (generic_checks(), recursion), so an action smtpd does not
 * know is an unknown restriction. HOLD, DISCARD, FILTER, REDIRECT, BCC, PREPEND and HANGUP, which act on
 * the message or the connection, are table-actions.ts's; their warnings name the datum, the whole name
 * looked up (the client name or address, the HELO name, the resolved sender or recipient).
 */
import { matchParentStyle } from './address-list.js';
import { addressClass } from './address-class.js';
import { domainAndParents, mailAddrFind } from './mail-addr-find.js';
import { parseInlineTable, restrictionWords } from './inline-table.js';
import { resolvedRecipient } from './resolve-addr.js';
import { deferIf, deferIfPermit, DUNNO, genericChecks, permit, rejectServerError, smtpdCheckReject, whatsupState, type Check } from './restrictions.js';
import { messageAction } from './table-actions.js';
import { smtpdDsnFix } from './transports.js';
import { logWhatsup } from './whatsup.js';
import { isIP } from 'node:net';

/** The entries of a table word of a restriction list (config.ts has checked it parses). */
function entries(table: string): Readonly<Record<string, string>> {
  const parsed = parseInlineTable(table);
  return typeof parsed === 'string' ? {} : parsed;
}

const lookup = (table: Readonly<Record<string, string>>, key: string): string | undefined => (Object.hasOwn(table, key.toLowerCase()) ? table[key.toLowerCase()] : undefined);

/** A found entry's action, or undefined (not found: the caller goes on). */
type Found = { readonly value: string } | undefined;

function decide(c: Check, table: string, found: Found, datum: string, replyName: string): number | undefined {
  return found === undefined ? undefined : checkTableResult(c, table, found.value, datum, replyName);
}

/** check_access(): the name itself. */
export function checkAccess(c: Check, table: string, name: string, replyName: string): number {
  const value = lookup(entries(table), name);
  return decide(c, table, value === undefined ? undefined : { value }, name, replyName) ?? DUNNO;
}

/** check_domain_access(): the name, then its parents; a numerical host name only as itself. */
function domainFound(c: Check, table: string, domain: string): Found {
  const parent = matchParentStyle(c.s.config.parent_domain_matches_subdomains, 'smtpd_access_maps');
  const names = isIP(domain) !== 0 ? [domain] : domainAndParents(domain, parent ? 'pdms' : 'pddmds');
  for (const name of names) {
    const value = lookup(entries(table), name);
    if (value !== undefined) return { value };
  }
  return undefined;
}

export function checkDomainAccess(c: Check, table: string, domain: string, replyName: string): number {
  return decide(c, table, domainFound(c, table, domain), domain, replyName) ?? DUNNO;
}

/** check_namadr_access(): the client name (and parents), then the address and its networks. */
export function checkNamadrAccess(c: Check, table: string, name: string, addr: string, replyName: string): number {
  const byName = decide(c, table, domainFound(c, table, name), name, replyName);
  if (byName !== undefined) return byName;
  const delimiter = addr.includes(':') ? ':' : '.';
  for (let key = addr; key !== ''; key = key.includes(delimiter) ? key.slice(0, key.lastIndexOf(delimiter)) : '') {
    const value = lookup(entries(table), key);
    if (value !== undefined) return checkTableResult(c, table, value, addr, replyName);
  }
  return DUNNO;
}

/** check_mail_access(): the resolved address (an address without a domain is at $myorigin, resolve-addr.ts). */
export function checkMailAccess(c: Check, table: string, address: string, replyName: string): number {
  const config = c.s.config;
  const { local, domain } = resolvedRecipient(address, config);
  const parent = matchParentStyle(config.parent_domain_matches_subdomains, 'smtpd_access_maps');
  const local_ = addressClass(config, c.s.local.host, domain) === 'local';
  const value = mailAddrFind(entries(table), local, domain, config.recipient_delimiter, { domain: parent ? 'pdms' : 'pddmds', localpartAt: true }, local_);
  // check_mail_access() names the resolved address (reply->recipient) as the datum.
  return value === undefined ? DUNNO : checkTableResult(c, table, value, `${local}@${domain}`, replyName);
}

/** dsn_split(): an optional RFC 3463 status and the text after it; the default status when none. */
function dsnSplit(defaultDsn: string, text: string): { readonly dsn: string; readonly text: string } {
  const match = /^([245]\.\d{1,3}\.\d{1,3})(?:\s+|$)/.exec(text);
  return match === null ? { dsn: defaultDsn, text } : { dsn: match[1]!, text: text.slice(match[0].length) };
}

/** check_table_result(): what the table's value does; `datum` is the name that was looked up. */
export function checkTableResult(c: Check, table: string, value: string, datum: string, replyName: string): number {
  const config = c.s.config;
  const command = value.split(/[ \t]/, 1)[0]!;
  const text = value.slice(command.length).replace(/^\s+/, '');
  const word = command.toUpperCase();
  const refusal = (code: number, defaultDsn: string, defaultText: string) => {
    const split = dsnSplit(defaultDsn, text);
    return smtpdCheckReject(c, 'policy', code, smtpdDsnFix(c.s, split.dsn, c.replyClass), `<${replyName}>: ${c.replyClass} rejected: ${split.text || defaultText}`);
  };
  if (word === 'DUNNO') return DUNNO;
  const acted = messageAction(c, table, word, text, datum);
  if (acted !== undefined) return acted;
  if (word === 'REJECT') return refusal(config.access_map_reject_code, '5.7.1', 'Access denied');
  if (word === 'DEFER') return refusal(config.access_map_defer_code, '4.7.1', 'Access denied');
  if (word === 'INFO' || word === 'WARN') {
    logWhatsup(c.s, word.toLowerCase(), text, whatsupState(c));
    return DUNNO;
  }
  if (word === 'DEFER_IF_PERMIT') {
    const split = dsnSplit('4.7.1', text);
    return deferIfPermit(c, config.access_map_defer_code, smtpdDsnFix(c.s, split.dsn, c.replyClass), `<${replyName}>: ${c.replyClass} rejected: ${split.text || 'Service unavailable'}`);
  }
  if (word === 'DEFER_IF_REJECT') {
    const split = dsnSplit('4.7.1', text);
    return deferIf(c.st.deferIfReject, 'policy', config.access_map_defer_code, smtpdDsnFix(c.s, split.dsn, c.replyClass), `<${replyName}>: ${c.replyClass} rejected: ${split.text || 'Service unavailable'}`);
  }
  if (/^\d+$/.test(value)) return permit();
  // "4xx or 5xx means NO as well": three digits, 4 or 5 first, and text after them.
  if (/^[45]\d\d$/.test(command) && text !== '') return refusal(Number(command), `${command[0]}.7.1`, 'Access denied');
  if (word === 'OK' || word === 'RELAY') return permit();
  if (value.includes(':')) {
    c.s.log(`warning: access table ${table} has entry with lookup table: ${value}`);
    c.s.log('warning: do not specify lookup tables inside SMTPD access maps');
    c.s.log('warning: define a restriction class and specify its name instead.');
    return rejectServerError(c);
  }
  if (c.st.recursion > 100) {
    c.s.log(`warning: access table ${table} entry ${value} causes unreasonable recursion`);
    return rejectServerError(c);
  }
  // "Recursively evaluate the restrictions given in the right-hand side."
  const words = restrictionWords(value);
  if (words.length === 0) {
    c.s.log(`warning: access table ${table} entry ${value} has empty value`);
    return permit();
  }
  // check_table_result() hands generic_checks() its own reply name and class (a SASL login's, a sender's ...).
  return genericChecks({ ...c, replyName }, words);
}
