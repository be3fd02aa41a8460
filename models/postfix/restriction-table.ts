/* restriction-table - the restrictions generic_checks() knows, one row each, as its if/else chain names them
 *
 * postfix/src/smtpd/smtpd_check.c generic_checks() (v3.7.11): each row is one branch of the chain, its
 * name compared without case (strcasecmp()), with the condition under which the branch asks at all
 * (a HELO restriction only once there is a HELO name, a sender one only with a non-null sender, ...).
 * The replies and codes are those of the functions named in each row. Release differences: from
 * 3.7.12, 3.8.7, 3.9.1, 3.6.16 and 3.10.0 permit_sasl_authenticated no longer asks whether SASL is
 * active, so an XCLIENT LOGIN= counts with smtpd_sasl_auth_enable = no (HISTORY 20240930;
 * releases.ts permit_sasl_without_sasl_enable); 3.5 runs smtpd_recipient_restrictions before
 * smtpd_relay_restrictions (restriction-stages.ts).
 */
import { matchParentStyle, namadrListLookup } from './address-list.js';
import { addressClass } from './address-class.js';
import { checkAccess, checkDomainAccess, checkMailAccess, checkNamadrAccess } from './access-map.js';
import { mailAddrFind } from './mail-addr-find.js';
import { hasGate } from './releases.js';
import { resolvedRecipient, validMailhostLiteral } from './resolve-addr.js';
import { unlistedAddress } from './rcpt-maps.js';
import { smtpdResolveAddr } from './smtpd-resolve.js';
import { deferIf, deferIfPermit, DUNNO, genericChecks, permit, rejectDictRetry, smtpdCheckReject, stateHelo, stateRecipient, stateSender, type Check, type ListCursor } from './restrictions.js';
import { printable } from './text.js';
import { validHostname } from './xclient.js';
import { isIP } from 'node:net';

export interface RestrictionRow {
  /** The names generic_checks() compares with (the second ones are the old spellings it still takes). */
  readonly names: readonly string[];
  readonly run: (c: Check, cursor: ListCursor) => number;
}

/** "restriction `x' after `permit' is ignored": permit always, reject and defer unless warn_if_reject. */
function warnIgnoredAfter(c: Check, cursor: ListCursor, name: string, always: boolean): void {
  if (cursor.next !== undefined && (always || c.st.warnIfReject === 0)) c.s.log(`warning: restriction \`${cursor.next}' after \`${name}' is ignored`);
}

/** The restriction's own reply class (SMTPD_NAME_CLIENT ...), whatever list it is in: the check functions name theirs. */
const as = (c: Check, replyClass: string): Check => ({ ...c, replyClass });

/** "<name>: <class> rejected: <text>" with the list's reply name and class. */
const rejected = (c: Check, text: string) => `<${c.replyName}>: ${c.replyClass} rejected: ${text}`;

/** dup_if_truncate(): one trailing dot off, unless the name ends in two. */
const truncated = (name: string) => (name.endsWith('.') && !name.endsWith('..') ? name.slice(0, -1) : name);

/** A rejecting reply from the recipient-table code (rcpt-maps.ts, transports.ts) through smtpd_check_reject(). */
function rejectWithReply(c: Check, reply: string | null): number {
  if (reply === null) return DUNNO;
  const [, code, dsn, text] = /^(\d{3}) (\S+) (.*)$/s.exec(reply)!;
  return smtpdCheckReject(c, 'bounce', Number(code), dsn!, text!);
}

/** smtpd_sasl_is_active() where permit_sasl_authenticated asks it (until the releases of releases.ts permit_sasl_without_sasl_enable). */
function saslCounts(c: Check): boolean {
  return hasGate(c.s.release, 'permit_sasl_without_sasl_enable') || c.s.saslActive();
}

/** permit_sasl_auth(): a login by a method other than "anonymous" (AUTH, or XCLIENT LOGIN=). */
const loggedIn = (c: Check) => c.s.saslMethod !== null && c.s.saslMethod.toLowerCase() !== 'anonymous';

/** permit_mynetworks(): the client in mynetworks; a list error is the lookup's retry. */
function permitMynetworks(c: Check): number {
  const config = c.s.config;
  const found = namadrListLookup(config.mynetworks, c.s.client.name, c.s.client.addr, matchParentStyle(config.parent_domain_matches_subdomains, 'mynetworks'));
  if (found === true) return permit();
  if (found === false) return DUNNO;
  c.s.log(`warning: mynetworks: ${found.error}`);
  return rejectDictRetry(c, c.replyName);
}

/**
 * permit_auth_destination(): the class smtpd_resolve_addr(state->sender, recipient) gives (smtpd-resolve.ts, which
 * logs trivial-rewrite's warnings on a miss): local, virtual alias, virtual or relay is an authorized destination.
 */
function authorizedDestination(c: Check, recipient: string): boolean {
  return smtpdResolveAddr(c.s, stateSender(c), recipient).addressClass !== 'default';
}

/** reject_unauth_destination() and defer_unauth_destination(): "<recipient>: Relay access denied". */
function unauthDestination(c: Check, code: number, dsn: string): number {
  const recipient = stateRecipient(c);
  if (recipient === null || authorizedDestination(c, recipient)) return DUNNO;
  return smtpdCheckReject(c, 'policy', code, dsn, `<${recipient}>: Relay access denied`);
}

/** reject_invalid_hostaddr(): "[address]" must hold a valid mail host address. */
function invalidHostaddr(c: Check, name: string): number {
  if (validMailhostLiteral(name)) return DUNNO;
  return smtpdCheckReject(c, 'policy', c.s.config.invalid_hostname_reject_code, '5.5.2', `<${name}>: Helo command rejected: invalid ip address`);
}

/**
 * reject_invalid_hostname() and reject_non_fqdn_hostname() on the HELO name: nothing without one, an address
 * literal by reject_invalid_hostaddr(), else `valid` on the name less one trailing dot (dup_if_truncate()).
 */
function heloNameCheck(c: Check, valid: (name: string) => boolean, code: number, text: string): number {
  const helo = stateHelo(c);
  if (helo === null) return DUNNO;
  if (helo.startsWith('[')) return invalidHostaddr(c, helo);
  if (valid(truncated(helo))) return DUNNO;
  return smtpdCheckReject(c, 'policy', code, '5.5.2', `<${helo}>: Helo command rejected: ${text}`);
}

/** reject_non_fqdn_address(): the domain (after the last '@'), unless an address literal, must be a host name with a dot. */
function nonFqdnAddress(c: Check, address: string, replyClass: string): number {
  const at = address.lastIndexOf('@');
  const domain = at < 0 ? '' : address.slice(at + 1);
  if (domain.startsWith('[') && domain.endsWith(']')) return DUNNO;
  const name = truncated(domain);
  if (name !== '' && validHostname(name) && name.includes('.')) return DUNNO;
  return smtpdCheckReject(c, 'policy', c.s.config.non_fqdn_reject_code, '4.5.2', `<${address}>: ${replyClass} rejected: need fully-qualified address`);
}

/** reject_auth_sender_login_mismatch(): a logged-in client must own the sender (smtpd_sender_login_maps); `allowUnknown`: an unlisted sender passes. */
function authSenderLoginMismatch(c: Check, sender: string, allowUnknown: boolean): number {
  const { s } = c;
  const maps = s.config.smtpd_sender_login_maps;
  if (maps === null || s.saslUsername === null) return DUNNO;
  const owners = senderOwners(c, sender);
  if (owners === undefined && allowUnknown) return DUNNO;
  const user = s.saslUsername;
  if (owners !== undefined && owners.split(/[\s,]+/).some((owner) => owner !== '' && owner.toLowerCase() === user.toLowerCase())) return DUNNO;
  return smtpdCheckReject(c, 'policy', 553, '5.7.1', `<${sender}>: Sender address rejected: not owned by user ${user}`);
}

/** reject_unauth_sender_login_mismatch(): a sender with an owner needs a logged-in client. */
function unauthSenderLoginMismatch(c: Check, sender: string): number {
  if (c.s.config.smtpd_sender_login_maps === null || c.s.saslUsername !== null) return DUNNO;
  if (senderOwners(c, sender) === undefined) return DUNNO;
  return smtpdCheckReject(c, 'policy', 553, '5.7.1', `<${sender}>: Sender address rejected: not logged in`);
}

/** The sender's owners: mail_addr_find() with MA_FIND_DEFAULT over smtpd_sender_login_maps, the resolved sender. */
function senderOwners(c: Check, sender: string): string | undefined {
  const config = c.s.config;
  const { local, domain } = resolvedRecipient(sender, config);
  const isLocal = domain.toLowerCase() === config.myorigin.toLowerCase() || addressClass(config, c.s.local.host, domain) === 'local';
  return mailAddrFind(config.smtpd_sender_login_maps ?? {}, local, domain, config.recipient_delimiter, { localpartIfLocal: true, atDomain: true }, isLocal);
}

/** The SASL restrictions without smtpd_sasl_auth_enable: "restriction `x' ignored: no SASL support". */
function withSasl(c: Check, name: string, run: () => number): number {
  if (c.s.config.smtpd_sasl_auth_enable) return run();
  c.s.log(`warning: restriction \`${name}' ignored: no SASL support`);
  return DUNNO;
}

/** check_sender_rcpt_maps(): reject_unlisted_sender once per MAIL (not counted while warn_if_reject is on). */
export function checkSenderRcptMaps(c: Check, sender: string): number {
  if (c.st.senderRcptmapChecked) return DUNNO;
  if (c.st.warnIfReject === 0) c.st.senderRcptmapChecked = true;
  return rejectWithReply(c, unlistedAddress(c.s, sender, 'Sender address'));
}

/** check_recipient_rcpt_maps(): reject_unlisted_recipient once per RCPT. */
export function checkRecipientRcptMaps(c: Check, recipient: string): number {
  if (c.st.recipientRcptmapChecked) return DUNNO;
  if (c.st.warnIfReject === 0) c.st.recipientRcptmapChecked = true;
  return rejectWithReply(c, unlistedAddress(c.s, recipient, 'Recipient address'));
}

/** state->sender when it is set and not the null sender ("state->sender && *state->sender"). */
const sender = (c: Check) => { const from = stateSender(c); return from !== null && from !== '' ? from : null; };

export const RESTRICTION_TABLE: readonly RestrictionRow[] = [
  // Generic restrictions.
  {
    names: ['permit'],
    run: (c, cursor) => {
      warnIgnoredAfter(c, cursor, 'permit', true);
      return permit();
    },
  },
  {
    names: ['defer'],
    run: (c, cursor) => {
      const status = smtpdCheckReject(c, 'policy', c.s.config.defer_code, '4.3.2', rejected(c, 'Try again later'));
      warnIgnoredAfter(c, cursor, 'defer', false);
      return status;
    },
  },
  {
    names: ['reject'],
    run: (c, cursor) => {
      const status = smtpdCheckReject(c, 'policy', c.s.config.reject_code, '5.7.1', rejected(c, 'Access denied'));
      warnIgnoredAfter(c, cursor, 'reject', false);
      return status;
    },
  },
  {
    // reject_unauth_pipelining(): SMTPD_FLAG_ILL_PIPELINING, the flag smtpd_flag_ill_pipelining() sets (session.ts flagIllPipelining()).
    names: ['reject_unauth_pipelining'],
    run: (c) => (c.s.flaggedIllPipelining ? smtpdCheckReject(c, 'protocol', 503, '5.5.0', rejected(c, 'Improper use of SMTP command pipelining')) : DUNNO),
  },
  { names: ['defer_if_permit'], run: (c) => deferIfPermit(c, 450, '4.7.0', rejected(c, 'defer_if_permit requested')) },
  { names: ['defer_if_reject'], run: (c) => deferIf(c.st.deferIfReject, 'policy', 450, '4.7.0', rejected(c, 'defer_if_reject requested')) },
  // reject_plaintext_session(): no TLS yet (plaintext_reject_code, "4.7.1").
  { names: ['reject_plaintext_session'], run: (c) => (c.s.tls ? DUNNO : smtpdCheckReject(c, 'policy', c.s.config.plaintext_reject_code, '4.7.1', 'Session encryption is required')) },
  // Client name/address restrictions.
  { names: ['permit_mynetworks'], run: permitMynetworks },
  { names: ['check_client_access'], run: (c, cursor) => checkNamadrAccess(as(c, 'Client host'), cursor.table(c, 'check_client_access'), c.s.client.name, c.s.client.addr, c.s.namaddr) },
  {
    names: ['check_sasl_access'],
    run: (c, cursor) => {
      const table = cursor.table(c, 'check_sasl_access');
      // check_sasl_access(): the login name looked up as is, named printable(, '_') in the class "SASL login name".
      const user = c.s.saslUsername;
      return withSasl(c, 'check_sasl_access', () => (user ? checkAccess(as(c, 'SASL login name'), table, user, printable(user, '_')) : DUNNO));
    },
  },
  // HELO/EHLO parameter restrictions.
  {
    names: ['check_helo_access'],
    run: (c, cursor) => {
      const table = cursor.table(c, 'check_helo_access');
      const helo = stateHelo(c);
      return helo === null ? DUNNO : checkDomainAccess(as(c, 'Helo command'), table, helo, helo);
    },
  },
  {
    names: ['reject_invalid_helo_hostname', 'reject_invalid_hostname'],
    run: (c) => heloNameCheck(c, (name) => validHostname(name) || isIP(name) !== 0, c.s.config.invalid_hostname_reject_code, 'Invalid name'),
  },
  {
    names: ['reject_non_fqdn_helo_hostname', 'reject_non_fqdn_hostname'],
    run: (c) => heloNameCheck(c, (name) => validHostname(name) && name.includes('.'), c.s.config.non_fqdn_reject_code, 'need fully-qualified hostname'),
  },
  // Sender mail address restrictions.
  {
    names: ['check_sender_access'],
    run: (c, cursor) => {
      const table = cursor.table(c, 'check_sender_access');
      const from = stateSender(c);
      if (from === null) return DUNNO;
      // The null sender is looked up as smtpd_null_access_lookup_key (DEF_SMTPD_NULL_KEY "<>").
      return from === '' ? checkAccess(as(c, 'Sender address'), table, '<>', '') : checkMailAccess(as(c, 'Sender address'), table, from, from);
    },
  },
  { names: ['reject_non_fqdn_sender'], run: (c) => { const from = sender(c); return from === null ? DUNNO : nonFqdnAddress(c, from, 'Sender address'); } },
  {
    names: ['reject_authenticated_sender_login_mismatch'],
    run: (c) => withSasl(c, 'reject_authenticated_sender_login_mismatch', () => { const from = sender(c); return from === null ? DUNNO : authSenderLoginMismatch(c, from, false); }),
  },
  {
    names: ['reject_known_sender_login_mismatch'],
    run: (c) => withSasl(c, 'reject_known_sender_login_mismatch', () => {
      const from = sender(c);
      if (from === null) return DUNNO;
      return c.s.saslUsername !== null ? authSenderLoginMismatch(c, from, true) : unauthSenderLoginMismatch(c, from);
    }),
  },
  {
    names: ['reject_unauthenticated_sender_login_mismatch'],
    run: (c) => withSasl(c, 'reject_unauthenticated_sender_login_mismatch', () => { const from = sender(c); return from === null ? DUNNO : unauthSenderLoginMismatch(c, from); }),
  },
  { names: ['reject_unlisted_sender'], run: (c) => { const from = sender(c); return from === null ? DUNNO : checkSenderRcptMaps(c, from); } },
  // Recipient mail address restrictions.
  {
    names: ['check_recipient_access'],
    run: (c, cursor) => {
      const table = cursor.table(c, 'check_recipient_access');
      const to = stateRecipient(c);
      return to === null ? DUNNO : checkMailAccess(as(c, 'Recipient address'), table, to, to);
    },
  },
  { names: ['permit_auth_destination'], run: (c) => { const to = stateRecipient(c); return to !== null && authorizedDestination(c, to) ? permit() : DUNNO; } },
  { names: ['reject_unauth_destination'], run: (c) => unauthDestination(c, c.s.config.relay_domains_reject_code, '5.7.1') },
  { names: ['defer_unauth_destination'], run: (c) => unauthDestination(c, c.s.config.relay_domains_reject_code - 100, '4.7.1') },
  { names: ['permit_sasl_authenticated'], run: (c) => (saslCounts(c) && loggedIn(c) ? permit() : DUNNO) },
  { names: ['reject_non_fqdn_recipient'], run: (c) => { const to = stateRecipient(c); return to === null ? DUNNO : nonFqdnAddress(c, to, 'Recipient address'); } },
  { names: ['check_recipient_maps', 'reject_unlisted_recipient'], run: (c) => { const to = stateRecipient(c); return to ? checkRecipientRcptMaps(c, to) : DUNNO; } },
  // ETRN domain name restrictions.
  { names: ['check_etrn_access'], run: (c, cursor) => { const table = cursor.table(c, 'check_etrn_access'); return c.st.etrn === null ? DUNNO : checkDomainAccess(as(c, 'Etrn command'), table, c.st.etrn, c.st.etrn); } },
  // The built-in restriction class (smtpd_check_init(): smtpd_rest_classes).
  { names: ['reject_sender_login_mismatch'], run: (c) => genericChecks(c, ['reject_authenticated_sender_login_mismatch', 'reject_unauthenticated_sender_login_mismatch']) },
];

const BY_NAME: ReadonlyMap<string, RestrictionRow> = new Map(RESTRICTION_TABLE.flatMap((row) => row.names.map((name) => [name, row] as const)));

/** The row of a restriction name (lower case), or undefined for one smtpd does not know. */
export function restrictionRow(name: string): RestrictionRow | undefined {
  return BY_NAME.get(name);
}
