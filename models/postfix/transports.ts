/* transports - the transport a recipient's class resolves to, and smtpd's refusal of the error and retry transports
 *
 * trivial-rewrite/resolve.c resolve_addr() (v3.7.11; the same at v3.5.0, v3.9.0, v3.10.13) gives each
 * address class its main.cf transport: local_transport, virtual_transport, relay_transport,
 * default_transport (mail_params.h DEF_LOCAL_TRANSPORT "local:$myhostname", DEF_VIRT_TRANSPORT
 * "virtual", DEF_RELAY_TRANSPORT "relay", DEF_DEF_TRANSPORT "smtp"). The value is transport[:nexthop]:
 * split_at() the first ':' ("An explicit main.cf transport:nexthop setting overrides the nexthop");
 * without one the nexthop is the recipient's domain (relayhost, not modelled, would replace it for
 * the relay and default classes). "With the error transport, the nexthop information is free text
 * that specifies the reason for non-delivery."
 * smtpd/smtpd_check.c check_rcpt_maps() (v3.7.11, the same at v3.5.0 .. v3.10.13): after the
 * canonical and virtual alias maps (not modelled), "anything that resolves to the error mailer is
 * known to be undeliverable": transport "error" (MAIL_SERVICE_ERROR, compared exactly) is refused
 * with 550 and dsn_split("5.1.1", nexthop), "retry" (MAIL_SERVICE_RETRY) with 450 and "4.1.1"; the
 * DSN goes through smtpd_dsn_fix() for the recipient class, the text is "<%s>: Recipient address
 * rejected: %s" with dsn_split()'s text, and smtpd_check_reject() makes the DSN's first digit the
 * reply code's ("enforce consistency between the SMTP code and DSN code") and logs it
 * (log_whatsup()). Before the class's own table (rcpt-maps.ts), and only where check_rcpt_maps()
 * runs: reject_unlisted_recipient (smtpd_reject_unlisted_recipient = yes).
 * Not modelled: transport_maps (which may send a recipient to error: too), sender_dependent_default_transport_maps,
 * soft_bounce.
 */
import type { AddressClass } from './address-class.js';
import type { PostfixConfig } from './config.js';
import type { SmtpdSession } from './session.js';

/** The parameter that names each class's transport (resolve_addr()'s blame). */
export const TRANSPORT_PARAMETERS = { local: 'local_transport', virtual: 'virtual_transport', relay: 'relay_transport', default: 'default_transport' } as const satisfies Record<AddressClass, keyof PostfixConfig>;

/** The transports check_rcpt_maps() refuses, with their reply code and dsn_split()'s default DSN (a sender's: X.1.0). */
const REFUSING: Readonly<Record<string, { readonly code: number; readonly dsn: string; readonly senderDsn: string }>> = {
  error: { code: 550, dsn: '5.1.1', senderDsn: '5.1.0' },
  retry: { code: 450, dsn: '4.1.1', senderDsn: '4.1.0' },
};

/** The classes check_rcpt_maps() judges an address in (smtpd_dsn_fix.h SMTPD_NAME_RECIPIENT, SMTPD_NAME_SENDER). */
export type AddressReplyClass = 'Recipient address' | 'Sender address';

/** split_at(channel, ':'): the transport and the nexthop after the first ':' (null: none, or empty). */
function splitTransport(value: string): { readonly transport: string; readonly nexthop: string | null } {
  const colon = value.indexOf(':');
  if (colon < 0) return { transport: value, nexthop: null };
  return { transport: value.slice(0, colon), nexthop: value.slice(colon + 1) || null };
}

/**
 * What is wrong with a transport parameter's value for the lab, or null. An empty transport makes
 * every address of the class fail in resolve_addr() ("null transport is not allowed",
 * RESOLVE_FLAG_FAIL), which the lab does not model; an error or retry nexthop the lab would show
 * differently: a $parameter Postfix expands, or a DSN with no text after it (dsn_split() then reads
 * past the nexthop's end).
 */
export function transportProblem(parameter: string, value: string): string | null {
  const { transport, nexthop } = splitTransport(value.trim());
  if (transport === '') return `${parameter}: "${value}": Postfix refuses a null transport (resolve.c resolve_addr(): "null transport is not allowed"); write transport[:nexthop]`;
  if (!Object.hasOwn(REFUSING, transport) || nexthop === null) return null;
  if (nexthop.includes('$')) return `${parameter}: "${value}": the lab does not expand $parameters in the ${transport}: transport's text; write the text itself`;
  if (dsnLength(nexthop.trimStart()) === nexthop.trim().length) return `${parameter}: "${value}": a DSN with no text after it, which dsn_split() reads past; add the text`;
  return null;
}

/** dsn_valid() (global/dsn_util.c): the length of the RFC 3463 status that starts `text` ([245].d{1,3}.d{1,3}, then the end or a blank), or 0. */
function dsnLength(text: string): number {
  return /^[245]\.\d{1,3}\.\d{1,3}(?=$|\s)/.exec(text)?.[0].length ?? 0;
}

/** smtpd_dsn_fix()'s table (smtpd_dsn_fix.c dsn_map[]): the last digit of an X.1.Y status to its recipient and sender forms (SND_DSN "4.1.7"; "X.1.0" by default). */
const RECIPIENT_DSN: Readonly<Record<string, string>> = { 1: '1.1', 2: '1.2', 3: '1.3', 4: '1.4', 5: '1.5', 6: '1.6', 7: '1.3', 8: '1.2' };
const SENDER_DSN: Readonly<Record<string, string>> = { 1: '1.7', 2: '1.8', 3: '1.7', 4: '1.7', 5: '1.0', 6: '1.7', 7: '1.7', 8: '1.8' };

/**
 * check_rcpt_maps()'s reply for a recipient of `addressClass` whose transport is error or retry, or
 * null. `domain` is the resolved recipient's (the nexthop when the transport names none).
 */
export function refusingTransport(s: SmtpdSession, addressClass: AddressClass, recipient: string, domain: string, replyClass: AddressReplyClass = 'Recipient address'): string | null {
  const { transport, nexthop } = splitTransport(s.config[TRANSPORT_PARAMETERS[addressClass]].trim());
  if (!Object.hasOwn(REFUSING, transport)) return null;
  const refusing = REFUSING[transport]!;
  // dsn_split(): blanks, an optional status and the one character after it, blanks, then the free text.
  const next = (nexthop ?? domain).trimStart();
  const length = dsnLength(next);
  const status = length > 0 ? next.slice(0, length) : replyClass === 'Sender address' ? refusing.senderDsn : refusing.dsn;
  const text = next.slice(length > 0 ? length + 1 : 0).trimStart();
  const dsn = smtpdDsnFix(s, status, replyClass);
  return `${refusing.code} ${String(refusing.code)[0]}${dsn.slice(1)} <${recipient}>: ${replyClass} rejected: ${text}`;
}

/**
 * smtpd_dsn_fix(status, class) (smtpd_dsn_fix.c): an X.1.Y status in the sender's or the recipient's form, "X.0.0"
 * for a class that is not an address; logged when it changes. Other statuses stay.
 */
export function smtpdDsnFix(s: SmtpdSession, status: string, replyClass: string): string {
  if (!/^\d\.1\./.test(status)) return status;
  const table = replyClass === 'Sender address' ? SENDER_DSN : replyClass === 'Recipient address' ? RECIPIENT_DSN : null;
  const fixed = `${status[0]}.${table === null ? '0.0' : table[status.slice(4)] ?? '1.0'}`;
  if (fixed.slice(2) !== status.slice(2)) s.log(`mapping DSN status ${status} into ${replyClass} status ${fixed}`);
  return fixed;
}
