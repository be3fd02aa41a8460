/* milter - the lab's model milter (one Sendmail 8 milter in smtpd_milters) and smtpd's reading of its replies
 *
 * Not a Postfix setting: the lab's way to ask "what happens when the milter rejects at connect or
 * at HELO?". The model milter answers each connect and HELO event with the reply the scenario
 * gives for that stage and continues at every later event. The rest is Postfix, read at v3.9.0
 * and the same text at v3.5.0, v3.7.11 and v3.10.13:
 *   milter/milter8.c milter8_event(): a reply other than continue at a connect or HELO event
 *     (IN_CONNECT_EVENT) is final for the connection: SMFIR_ACCEPT leaves MILTER8_STAT_ACCEPT_CON
 *     (no more events, no reply), SMFIR_REJECT, SMFIR_TEMPFAIL, SMFIR_SHUTDOWN and SMFIR_REPLYCODE
 *     leave MILTER8_STAT_REJECT_CON with that reply kept as def_reply ("550 5.7.1 Command
 *     rejected", "451 4.7.1 Service unavailable - try again later", "S", the milter's own text);
 *     milter8_helo_event(), _mail_event(), _data_event(), _unknown_event() and _other_event()
 *     then return def_reply without asking the milter.
 *   smtpd/smtpd.c setup_milters(): a new milter per connection, and again in xclient_cmd()
 *     (teardown_milters(); setup_milters()), so the greeting after XCLIENT asks afresh.
 *   smtpd/smtpd.c check_milter_reply(): logs "<queue id|NOQUEUE>: milter-reject: <where> from
 *     <client>: <reply>;<smtpd_whatsup()>" and turns "S" into "421 4.7.0 Server closing connection".
 * What each command then does with the reply is at its *_cmd() (session.ts greeting, cmd-*.ts).
 * RCPT and DATA ask the milter too, but only inside a transaction, which a rejecting milter
 * never lets MAIL open, and a continuing one has nothing to say: the model leaves them out.
 */
import type { SmtpdSession } from './session.js';
import { whatsupEvidence } from './whatsup.js';

/** The milter protocol's replies (SMFIR_CONTINUE, _ACCEPT, _REJECT, _TEMPFAIL, _SHUTDOWN) by the lab's names. */
export const MILTER_ACTIONS = ['continue', 'accept', 'reject', 'tempfail', 'shutdown'] as const;
export type MilterAction = (typeof MILTER_ACTIONS)[number];

/** One stage's answer: a protocol reply, or SMFIR_REPLYCODE with the milter's own SMTP reply. */
export type MilterReply = { readonly kind: MilterAction } | { readonly kind: 'replycode'; readonly text: string };

/** What the model milter answers at each stage it is asked at. */
export interface MilterReplies {
  readonly connect: MilterReply;
  readonly helo: MilterReply;
}

export const MILTER_CONTINUES: MilterReplies = { connect: { kind: 'continue' }, helo: { kind: 'continue' } };

/**
 * The words a scenario gives the reply in, and whether milter8 would take it: SMFIR_REPLYCODE's text
 * must start 4xx or 5xx and a space (the lab takes one line, so no '-'), with an enhanced status
 * code, if any, of the same class (milter8_event(): "malformed reply" otherwise).
 */
export const MILTER_REPLY_ALLOWED = `${MILTER_ACTIONS.join(', ')}, or a one-line reply '4NN text' / '5NN text' (SMFIR_REPLYCODE)`;

export function milterReplyProblem(text: string): string | null {
  if ((MILTER_ACTIONS as readonly string[]).includes(text)) return null;
  if (!/^[45]\d\d /.test(text)) return `"${text}" is neither a milter action nor a reply starting with 4NN or 5NN and a space`;
  if (/[\r\n]/.test(text)) return `"${text}": one line only`;
  if (/^\d/.test(text.charAt(4)) && text.charAt(4) !== text.charAt(0)) return `"${text}": the enhanced status code's class ${text.charAt(4)} differs from the reply's ${text.charAt(0)} (milter8 refuses it as malformed)`;
  return null;
}

export function milterReplyOf(text: string): MilterReply {
  return (MILTER_ACTIONS as readonly string[]).includes(text) ? { kind: text as MilterAction } : { kind: 'replycode', text };
}

/** The persisted reply milter8_event() keeps for each final answer (def_reply); null: none. */
function defReplyOf(reply: MilterReply): string | null {
  switch (reply.kind) {
    case 'continue':
    case 'accept':
      return null;
    case 'reject':
      return '550 5.7.1 Command rejected';
    case 'tempfail':
      return '451 4.7.1 Service unavailable - try again later';
    case 'shutdown':
      return 'S';
    case 'replycode':
      return reply.text;
  }
}

/** One connection's milter (MILTER8): asked at connect and HELO until its answer is final. */
export class ModelMilter {
  /** MILTER8_STAT_ENVELOPE until a final connect/HELO answer (ACCEPT_CON or REJECT_CON). */
  private final = false;
  private defReply: string | null = null;

  constructor(private readonly replies: MilterReplies) {}

  /** milter8_conn_event(). */
  connect(): string | null {
    return this.ask(this.replies.connect);
  }

  /** milter8_helo_event(): skipped once final. */
  helo(): string | null {
    return this.final ? this.defReply : this.ask(this.replies.helo);
  }

  /** milter8_mail_event(), _unknown_event(), _other_event(): the model milter continues; a final answer's reply persists. */
  later(): string | null {
    return this.defReply;
  }

  private ask(reply: MilterReply): string | null {
    if (reply.kind === 'continue') return null;
    this.final = true;
    this.defReply = defReplyOf(reply);
    return this.defReply;
  }
}

/** check_milter_reply(): log the milter's verdict with smtpd_whatsup()'s evidence; "S" becomes a 421. */
export function checkMilterReply(s: SmtpdSession, reply: string, evidence: { readonly helo?: string; readonly sender?: string } = {}): string {
  const text = reply === 'S' ? '421 4.7.0 Server closing connection' : reply;
  const whatsup = whatsupEvidence(s, { sender: evidence.sender, helo: evidence.helo ?? s.helo, saslUsername: true });
  s.log(`${s.transaction?.queueId ?? 'NOQUEUE'}: milter-reject: ${s.where} from ${s.namaddr}: ${text};${whatsup}`);
  return text;
}

/** milter_other_event() as vrfy_cmd() and etrn_cmd() read it: a 4xx or 5xx reply refuses the command, unlogged. */
export function milterRefusal(s: SmtpdSession): string | null {
  const err = s.milter?.later() ?? null;
  return err !== null && (err.startsWith('4') || err.startsWith('5')) ? err : null;
}

/** milter_other_event() as smtpd_sasl_auth_cmd() and starttls_cmd() read it: "Sendmail compatibility: map 4xx into 454". */
export function milterRefusalOfSessionCommand(s: SmtpdSession): string | null {
  const err = milterRefusal(s);
  return err?.startsWith('4') ? '454 4.3.0 Try again later' : err;
}
