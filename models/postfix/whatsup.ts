/* whatsup - a rejection logged with all the context smtpd has: log_whatsup() and smtpd_whatsup()
 *
 * postfix/src/smtpd/smtpd_check.c log_whatsup() (v3.7.11, v3.9.0): "<queue id|NOQUEUE>: <action>:
 * <where> from <client>: <text>;" then from=<sender> and to=<recipient> while the state has them,
 * proto= always (smtpd_state_init() sets SMTP) and helo=<name> once HELO or EHLO gave one.
 * smtpd.c smtpd_whatsup() (the milter's and the proxy's lines) gathers the same evidence and adds
 * sasl_username=<name> after a login. From 3.10.0 log_whatsup() adds sasl_method=, sasl_username=
 * and sasl_sender= unbracketed (smtpd_check.c v3.10.0).
 */
import { hasGate } from './releases.js';
import type { SmtpdSession } from './session.js';

/** What the state holds at the moment of logging; absent fields are taken from the session. */
export interface WhatsupEvidence {
  readonly sender?: string | undefined;
  readonly recipient?: string | undefined;
  readonly helo?: string | null;
  /** smtpd_whatsup() also names the SASL user; log_whatsup() does not. */
  readonly saslUsername?: boolean;
}

/** The evidence after "<text>;": " from=<..> to=<..> proto=.. helo=<..>[ sasl_username=<..>]". */
export function whatsupEvidence(s: SmtpdSession, evidence: WhatsupEvidence): string {
  const helo = evidence.helo === undefined ? s.helo : evidence.helo;
  return [
    evidence.sender !== undefined ? ` from=<${evidence.sender}>` : '',
    evidence.recipient !== undefined ? ` to=<${evidence.recipient}>` : '',
    ` proto=${s.protocol}`,
    helo !== null ? ` helo=<${helo}>` : '',
    evidence.saslUsername === true && s.saslUsername !== null ? ` sasl_username=<${s.saslUsername}>` : '',
  ].join('');
}

/** state->sender, state->recipient and state->helo_name as a check has pushed them; absent: the session's. */
export interface WhatsupState {
  readonly sender?: string | null;
  readonly recipient?: string | null;
  readonly helo?: string | null;
}

/**
 * log_whatsup(): the sender and recipient the state holds (by default the transaction's sender and its
 * first recipient; smtpd_check.c pushes the one being checked) as the evidence; from 3.10.0 the SASL
 * method, user and sender after them, unbracketed (releases.ts reject_logs_sasl).
 */
export function logWhatsup(s: SmtpdSession, action: string, text: string, state: WhatsupState = {}): void {
  const transaction = s.transaction;
  const sasl = hasGate(s.release, 'reject_logs_sasl')
    ? [s.saslMethod === null ? '' : ` sasl_method=${s.saslMethod}`, s.saslUsername === null ? '' : ` sasl_username=${s.saslUsername}`, s.saslSender === null ? '' : ` sasl_sender=${s.saslSender}`].join('')
    : '';
  const sender = state.sender !== undefined ? state.sender : transaction?.sender ?? null;
  const recipient = state.recipient !== undefined ? state.recipient : transaction?.recipients[0] ?? null;
  const evidence = whatsupEvidence(s, { sender: sender ?? undefined, recipient: recipient ?? undefined, helo: state.helo }) + sasl;
  s.log(`${transaction?.queueId ?? 'NOQUEUE'}: ${action}: ${s.where} from ${s.namaddr}: ${text};${evidence}`);
}
