/* transports - smtpd's refusal of a recipient that resolves to the error or retry transport, and the transport parameters' values
 *
 * trivial-rewrite/resolve.c resolve_addr() (v3.7.11; the same at v3.5.0, v3.9.0, v3.10.13) gives each
 * recipient a transport and a nexthop (resolve-transport.ts: its class's main.cf transport, relayhost,
 * transport_maps; the virtual alias class error:5.1.1 User unknown in virtual alias table). "With the
 * error transport, the nexthop information is free text that specifies the reason for non-delivery."
 * smtpd/smtpd_check.c check_rcpt_maps() (v3.7.11, the same at v3.5.0 .. v3.10.13): after the
 * canonical maps (not modelled) and virtual_alias_maps (rcpt-maps.ts: an address found there is known),
 * "anything that resolves to the error mailer is known to be undeliverable": transport "error"
 * (MAIL_SERVICE_ERROR, compared exactly) is refused with 550 (the virtual alias class's
 * unknown_virtual_alias_reject_code, DEF_VIRT_ALIAS_CODE 550, the same) and dsn_split("5.1.1", nexthop),
 * "retry" (MAIL_SERVICE_RETRY) with 450 and "4.1.1"; the
 * DSN goes through smtpd_dsn_fix() for the recipient class, the text is "<%s>: Recipient address
 * rejected: %s" with dsn_split()'s text, and smtpd_check_reject() makes the DSN's first digit the
 * reply code's ("enforce consistency between the SMTP code and DSN code") and logs it
 * (log_whatsup()). Before the class's own table (rcpt-maps.ts), and only where check_rcpt_maps()
 * runs: reject_unlisted_recipient (smtpd_reject_unlisted_recipient = yes).
 * Not modelled: soft_bounce.
 */
import { splitTransport, type ResolvedTransport } from './resolve-transport.js';
import type { SmtpdSession } from './session.js';

/** The transports check_rcpt_maps() refuses, with their reply code and dsn_split()'s default DSN (a sender's: X.1.0). */
const REFUSING: Readonly<Record<string, { readonly code: number; readonly dsn: string; readonly senderDsn: string }>> = {
  error: { code: 550, dsn: '5.1.1', senderDsn: '5.1.0' },
  retry: { code: 450, dsn: '4.1.1', senderDsn: '4.1.0' },
};

/** The classes check_rcpt_maps() judges an address in (smtpd_dsn_fix.h SMTPD_NAME_RECIPIENT, SMTPD_NAME_SENDER). */
export type AddressReplyClass = 'Recipient address' | 'Sender address';

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
  if (dsnWithoutText(nexthop)) return `${parameter}: "${value}": a DSN with no text after it, which dsn_split() reads past; add the text`;
  return null;
}

/** An error or retry nexthop that is a status and nothing after it: dsn_split() reads past its end for the text. */
export function dsnWithoutText(nexthop: string): boolean {
  return dsnLength(nexthop.trimStart()) === nexthop.trim().length;
}

/** dsn_valid() (global/dsn_util.c): the length of the RFC 3463 status that starts `text` ([245].d{1,3}.d{1,3}, then the end or a blank), or 0. */
function dsnLength(text: string): number {
  return /^[245]\.\d{1,3}\.\d{1,3}(?=$|\s)/.exec(text)?.[0].length ?? 0;
}

/** smtpd_dsn_fix()'s table (smtpd_dsn_fix.c dsn_map[]): the last digit of an X.1.Y status to its recipient and sender forms (SND_DSN "4.1.7"; "X.1.0" by default). */
const RECIPIENT_DSN: Readonly<Record<string, string>> = { 1: '1.1', 2: '1.2', 3: '1.3', 4: '1.4', 5: '1.5', 6: '1.6', 7: '1.3', 8: '1.2' };
const SENDER_DSN: Readonly<Record<string, string>> = { 1: '1.7', 2: '1.8', 3: '1.7', 4: '1.7', 5: '1.0', 6: '1.7', 7: '1.7', 8: '1.8' };

/** check_rcpt_maps()'s reply for an address (`recipient`, as sent) that resolved to the error or retry transport, or null. */
export function refusingTransport(s: SmtpdSession, resolved: ResolvedTransport, recipient: string, replyClass: AddressReplyClass = 'Recipient address'): string | null {
  if (!Object.hasOwn(REFUSING, resolved.transport)) return null;
  const refusing = REFUSING[resolved.transport]!;
  // dsn_split(): blanks, an optional status and the one character after it, blanks, then the free text.
  const next = resolved.nexthop.trimStart();
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
