/* milter - the lab's model milter (one Sendmail 8 milter in smtpd_milters) and smtpd's reading of its replies
 *
 * Not a Postfix setting: the lab's way to ask "what happens when the milter rejects at connect,
 * HELO, MAIL, RCPT or the end of the message, or cannot be reached?". The model milter answers
 * each event with the reply the scenario gives for that stage. The rest is Postfix, read at v3.9.0
 * and the same text at v3.5.0, v3.7.11 and v3.10.13:
 *   milter/milter8.c milter8_event(): a reply other than continue at a connect or HELO event
 *     (IN_CONNECT_EVENT) is final for the connection: SMFIR_ACCEPT leaves MILTER8_STAT_ACCEPT_CON
 *     (no more events, no reply), SMFIR_REJECT, SMFIR_TEMPFAIL, SMFIR_SHUTDOWN and SMFIR_REPLYCODE
 *     leave MILTER8_STAT_REJECT_CON with that reply kept as def_reply ("550 5.7.1 Command
 *     rejected", "451 4.7.1 Service unavailable - try again later", "S", the milter's own text);
 *     every later event then returns def_reply without asking the milter. At MAIL, RCPT and the
 *     end of the message the same replies answer that event only (nothing kept), but
 *     SMFIR_SHUTDOWN, which is final for the connection everywhere; SMFIR_ACCEPT and SMFIR_DISCARD
 *     ("D") end the message's events (MILTER8_STAT_ACCEPT_MSG, in which a HELO is still asked, back
 *     to MILTER8_STAT_ENVELOPE at milter8_abort()). SMFIR_DISCARD at connect or HELO only warns,
 *     "milter <name>: DISCARD action is not allowed for connect or helo", and answers def_reply
 *     (none): the session goes on as after a continue. SMFIR_QUARANTINE at any event sets def_reply
 *     "H" and reads the milter's next reply (the lab's milter: SMFIR_CONTINUE, which answers
 *     def_reply): no state changes, and nothing clears def_reply but a new connection
 *     (milter8_abort() does not), so every later event smtpd sends hits milter8_event()'s sanity
 *     check, "warning: milter8_event: attempt to send event SMFIC_<event> to milter <name> after
 *     error", and gets "H" unasked; milter_other_event() (VRFY, ETRN, AUTH, STARTTLS) gets "H".
 *     milter8_send() does not pass def_reply to cleanup, whose copy of the milter asks at the end
 *     of the message.
 *   milter8.c milter8_connect(): a milter smtpd cannot reach logs "connect to Milter service
 *     <name>: <error>" and milter8_comm_error() keeps the reply milter_default_action names
 *     (tempfail "451 4.7.1 Service unavailable - try again later", reject "550 5.5.0 Service
 *     unavailable", accept none, quarantine "H", shutdown "421 4.7.1 ..." where the release has
 *     it) as def_reply for every event (MILTER8_STAT_ERROR).
 *   smtpd/smtpd.c setup_milters(): a new milter per connection, and again in xclient_cmd()
 *     (teardown_milters(); setup_milters()), so the greeting after XCLIENT asks afresh.
 *   smtpd/smtpd.c check_milter_reply(): logs "<queue id|NOQUEUE>: milter-reject: <where> from
 *     <client>: <reply>;<smtpd_whatsup()>" and turns "S" into "421 4.7.0 Server closing
 *     connection"; "H" and "D" log milter-hold / milter-discard ("milter triggers HOLD action")
 *     and answer nothing, setting CLEANUP_FLAG_HOLD / _DISCARD in saved_flags, which mail_reset()
 *     (after each message, RSET, HELO/EHLO) clears; with DISCARD set smtpd asks the milter
 *     nothing more (MILTER_SKIP_FLAGS). Release differences: releases.ts
 *     milter_default_action_shutdown, milter_hold_reason_once.
 * What each command then does with the reply is at its *_cmd() (session.ts greeting, cmd-*.ts);
 * the end of the message is cleanup's (cleanup-milter.ts). Not modelled: a milter that fails
 * after connecting, and an answer at the DATA event other than continue.
 */
import type { SmtpdSession } from './session.js';
import { hasGate, type PostfixRelease } from './releases.js';
import { SavedFlags } from './saved-actions.js';
import { whatsupEvidence } from './whatsup.js';

/** The milter protocol's replies (SMFIR_CONTINUE, _ACCEPT, _REJECT, _TEMPFAIL, _SHUTDOWN, _DISCARD, _QUARANTINE) by the lab's names. */
export const MILTER_ACTIONS = ['continue', 'accept', 'reject', 'tempfail', 'shutdown', 'discard', 'quarantine'] as const;
export type MilterAction = (typeof MILTER_ACTIONS)[number];

/** The events the model milter is asked at. */
export const MILTER_STAGES = ['connect', 'helo', 'mail', 'rcpt', 'endOfMessage'] as const;
export type MilterStage = (typeof MILTER_STAGES)[number];

/**
 * The actions a stage may answer with: every protocol reply at every stage (a discard at connect
 * or HELO is milter8_event()'s warning only, a quarantine before the end of the message its kept
 * "H"; libmilter's smfi_quarantine() is for xxfi_eom() only, so that is a milter that speaks the
 * protocol itself), but shutdown not at the end of the message, whose handling in cleanup the lab does not
 * model; `unavailable` only at connect: smtpd cannot reach the milter at all (milter8_connect()).
 */
const STAGE_ACTIONS: Readonly<Record<MilterStage, readonly string[]>> = {
  connect: ['continue', 'accept', 'reject', 'tempfail', 'shutdown', 'discard', 'quarantine', 'unavailable'],
  helo: ['continue', 'accept', 'reject', 'tempfail', 'shutdown', 'discard', 'quarantine'],
  mail: ['continue', 'accept', 'reject', 'tempfail', 'shutdown', 'discard', 'quarantine'],
  rcpt: ['continue', 'accept', 'reject', 'tempfail', 'shutdown', 'discard', 'quarantine'],
  endOfMessage: ['continue', 'accept', 'reject', 'tempfail', 'discard', 'quarantine'],
};

/** Why an answer is missing from some stages' lists (STAGE_ACTIONS). */
const NOT_EVERYWHERE: Readonly<Record<string, string>> = {
  shutdown: 'a shutdown at the end of the message (cleanup) is not modelled',
  unavailable: 'whether smtpd reaches the milter is found at connect',
};

/** One stage's answer: a protocol reply, SMFIR_REPLYCODE with the milter's own SMTP reply, or no milter to ask. */
export type MilterReply = { readonly kind: MilterAction | 'unavailable' } | { readonly kind: 'replycode'; readonly text: string };

/** What the model milter answers at each stage it is asked at. */
export type MilterReplies = Readonly<Record<MilterStage, MilterReply>>;

/** A milter that continues at every stage (the default: smtpd_milters decides whether there is one). */
const CONTINUE: MilterReply = { kind: 'continue' };
export const MILTER_CONTINUES: MilterReplies = Object.fromEntries(MILTER_STAGES.map((stage) => [stage, CONTINUE])) as Record<MilterStage, MilterReply>;

/** milter_default_action: what smtpd does when the milter cannot be reached (mail_params.h DEF_MILT_DEF_ACTION: config.ts versionDefaults()). */
export const MILTER_DEFAULT_ACTIONS = ['tempfail', 'reject', 'accept', 'quarantine', 'shutdown'] as const;
export type MilterDefaultAction = (typeof MILTER_DEFAULT_ACTIONS)[number];

/** What milter8_comm_error() makes of milter_default_action: the reply kept for every event, and a warning. */
export interface Unreachable {
  readonly reply: string | null;
  readonly warning: string | null;
}

/** milter8_comm_error() at `release` (releases.ts milter_default_action_shutdown, milter_hold_reason_once). */
export function unreachableReply(action: MilterDefaultAction, release: PostfixRelease, name: string): Unreachable {
  switch (action) {
    case 'tempfail':
      return { reply: '451 4.7.1 Service unavailable - try again later', warning: null };
    case 'reject':
      return { reply: '550 5.5.0 Service unavailable', warning: null };
    case 'accept':
      return { reply: null, warning: null };
    case 'quarantine':
      return { reply: hasGate(release, 'milter_hold_reason_once') ? 'Hdefault_action' : 'H', warning: null };
    case 'shutdown':
      return hasGate(release, 'milter_default_action_shutdown')
        ? { reply: '421 4.7.1 Service unavailable - try again later', warning: null }
        : { reply: '451 4.3.5 Server configuration problem - try again later', warning: `warning: milter ${name}: unrecognized default action: shutdown` };
  }
}

/**
 * The words a scenario gives a stage's reply in, and whether milter8 would take it: SMFIR_REPLYCODE's
 * text must start 4xx or 5xx and a space (the lab takes one line, so no '-'), with an enhanced
 * status code, if any, of the same class (milter8_event(): "malformed reply" otherwise).
 */
export function milterReplyAllowed(stage: MilterStage): string {
  return `${STAGE_ACTIONS[stage].join(', ')}, or a one-line reply '4NN text' / '5NN text' (SMFIR_REPLYCODE)`;
}

export function milterReplyProblem(stage: MilterStage, text: string): string | null {
  if (STAGE_ACTIONS[stage].includes(text)) return null;
  const elsewhere = NOT_EVERYWHERE[text];
  if (elsewhere !== undefined) return `"${text}" is not an answer at ${stage}: ${elsewhere}`;
  if (!/^[45]\d\d /.test(text)) return `"${text}" is neither a milter action nor a reply starting with 4NN or 5NN and a space`;
  if (/[\r\n]/.test(text)) return `"${text}": one line only`;
  if (/^\d/.test(text.charAt(4)) && text.charAt(4) !== text.charAt(0)) return `"${text}": the enhanced status code's class ${text.charAt(4)} differs from the reply's ${text.charAt(0)} (milter8 refuses it as malformed)`;
  return null;
}

export function milterReplyOf(text: string): MilterReply {
  return (MILTER_ACTIONS as readonly string[]).includes(text) || text === 'unavailable' ? { kind: text as MilterAction } : { kind: 'replycode', text };
}

/** The reply milter8_event() returns for an answer (before def_reply is consulted); null: none. */
function replyOf(reply: MilterReply): string | null {
  switch (reply.kind) {
    case 'continue':
    case 'accept':
    case 'unavailable':
      return null;
    case 'reject':
      return '550 5.7.1 Command rejected';
    case 'tempfail':
      return '451 4.7.1 Service unavailable - try again later';
    case 'shutdown':
      return 'S';
    case 'discard':
      return 'D';
    case 'quarantine':
      // "H" and the reason (none from the lab's milter): milter8_event() SMFIR_QUARANTINE.
      return 'H';
    case 'replycode':
      return reply.text;
  }
}

/**
 * MILTER8's states as the lab needs them: `final` stands for MILTER8_STAT_ACCEPT_CON, _REJECT_CON
 * and _ERROR, which every milter8 event function answers alike, with def_reply (none after an
 * accept); `envelope` for MILTER8_STAT_READY too (milter8_conn_event() asks in it).
 */
type Milter8State = 'envelope' | 'accept-msg' | 'final';

/** One connection's milter (MILTER8) and the saved_flags its replies set in smtpd. */
export class ModelMilter {
  private state: Milter8State = 'envelope';
  private defReply: string | null = null;

  /** The unreachable milter's def_reply and warning, or null when smtpd reached it. */
  readonly unreachable: Unreachable | null;

  constructor(
    private readonly replies: MilterReplies,
    defaultAction: MilterDefaultAction,
    release: PostfixRelease,
    private readonly name: string,
    /** smtpd's log: milter8.c's msg_warn() lines. */
    private readonly warn: (line: string) => void,
    /** The session's saved_flags, which an access table's HOLD and DISCARD set too (saved-actions.ts). */
    private readonly flags: SavedFlags = new SavedFlags(),
  ) {
    this.unreachable = replies.connect.kind === 'unavailable' ? unreachableReply(defaultAction, release, name) : null;
    if (this.unreachable === null) return;
    this.state = 'final';
    this.defReply = this.unreachable.reply;
  }

  /** saved_flags' CLEANUP_FLAG_HOLD and _DISCARD, as check_milter_reply() (or an access table) sets them. */
  get hold(): boolean {
    return this.flags.hold;
  }

  set hold(on: boolean) {
    this.flags.hold = on;
  }

  get discard(): boolean {
    return this.flags.discard;
  }

  set discard(on: boolean) {
    this.flags.discard = on;
  }

  /** milter8_conn_event(): a milter smtpd could not reach (MILTER8_STAT_ERROR) is not asked. */
  connect(): string | null {
    return this.state === 'final' ? this.defReply : this.event('SMFIC_CONNECT', this.replies.connect, true);
  }

  /**
   * milter8_helo_event(): skipped once final for the connection, asked in a message the milter
   * accepted (MILTER8_STAT_ACCEPT_MSG: a HELO after MAIL); helo_cmd() and ehlo_cmd() do not ask
   * once saved_flags hold DISCARD (MILTER_SKIP_FLAGS).
   */
  helo(): string | null {
    if (this.discard) return null;
    return this.state === 'final' ? this.defReply : this.event('SMFIC_HELO', this.replies.helo, true);
  }

  /** milter8_mail_event(); none of the message events is asked once DISCARD is set (MILTER_SKIP_FLAGS). */
  mail(): string | null {
    return this.messageEvent('SMFIC_MAIL', this.replies.mail);
  }

  /** milter8_rcpt_event(): skipped after an accept or discard for this message too. */
  rcpt(): string | null {
    return this.messageEvent('SMFIC_RCPT', this.replies.rcpt);
  }

  /** milter8_data_event(): the model milter continues at DATA (and BDAT's first chunk); skipped like RCPT. */
  data(): string | null {
    return this.messageEvent('SMFIC_DATA', CONTINUE);
  }

  /**
   * milter8_message(), in cleanup at the end of the message (cleanup-milter.ts): cleanup's copy of
   * the milter (milter8_receive()) has the state but not the def_reply, so it asks even after a
   * quarantine, and keeps what it answers to itself.
   */
  endOfMessage(): string | null {
    if (this.discard) return null;
    return this.state === 'envelope' ? this.answer(this.replies.endOfMessage, false) : this.defReply;
  }

  /** milter8_unknown_event(): asked in MILTER8_STAT_ENVELOPE (the model milter continues), def_reply otherwise. */
  unknown(): string | null {
    return this.state === 'envelope' ? this.event('SMFIC_UNKNOWN', CONTINUE, false) : this.defReply;
  }

  /** milter8_other_event() (VRFY, ETRN, AUTH, STARTTLS): def_reply, asking nobody. */
  later(): string | null {
    return this.defReply;
  }

  /** mail_reset(): milter8_abort() ends the message's events; saved_flags are cleared. */
  abort(): void {
    if (this.state === 'accept-msg') this.state = 'envelope';
    this.hold = false;
    this.discard = false;
  }

  private messageEvent(smfic: string, reply: MilterReply): string | null {
    if (this.discard) return null;
    return this.state === 'envelope' ? this.event(smfic, reply, false) : this.defReply;
  }

  /**
   * milter8_event(): its sanity check first (a def_reply while events are still sent is a
   * quarantine's "H"), then the milter's answer; a quarantine's "H" stays as def_reply.
   */
  private event(smfic: string, reply: MilterReply, connection: boolean): string | null {
    if (this.defReply !== null) {
      this.warn(`warning: milter8_event: attempt to send event ${smfic} to milter ${this.name} after error`);
      return this.defReply;
    }
    const answer = this.answer(reply, connection);
    if (reply.kind === 'quarantine') this.defReply = answer;
    return answer;
  }

  /** milter8_event()'s switch on the reply, at a connect or HELO event (IN_CONNECT_EVENT) or a message event. */
  private answer(reply: MilterReply, connection: boolean): string | null {
    switch (reply.kind) {
      case 'accept':
        this.state = connection ? 'final' : 'accept-msg';
        return null;
      case 'discard':
        if (connection) {
          this.warn(`warning: milter ${this.name}: DISCARD action is not allowed for connect or helo`);
          return null;
        }
        this.state = 'accept-msg';
        return replyOf(reply);
      case 'shutdown':
        return this.final(replyOf(reply));
      case 'reject':
      case 'tempfail':
      case 'replycode':
        // Final for the connection at connect and HELO; at a message event that event's reply only, nothing kept.
        return connection ? this.final(replyOf(reply)) : replyOf(reply);
      default:
        // continue, and quarantine's "H" (the caller keeps it); `unavailable` never gets here (the constructor).
        return replyOf(reply);
    }
  }

  /** MILTER8_STAT_REJECT_CON with the reply kept as def_reply for every later event. */
  private final(reply: string | null): string | null {
    this.state = 'final';
    this.defReply = reply;
    return reply;
  }
}

/**
 * check_milter_reply(): log the milter's verdict with smtpd_whatsup()'s evidence; the reply to
 * send, or null for HOLD and DISCARD, which set saved_flags. From 3.10.0 a HOLD or DISCARD that
 * saved_flags already hold is not logged again, and a HOLD logs its reason (milter_hold_reason_once).
 */
export function checkMilterReply(s: SmtpdSession, reply: string, evidence: { readonly helo?: string; readonly sender?: string; readonly recipient?: string } = {}): string | null {
  let action = 'milter-reject';
  let text = reply;
  let answer: string | null = reply;
  if (reply.startsWith('H') || reply === 'D') {
    const hold = reply !== 'D';
    const milter = s.milter!;
    if (hasGate(s.release, 'milter_hold_reason_once') && (hold ? milter.hold : milter.discard)) return null;
    if (hold) milter.hold = true;
    else milter.discard = true;
    action = hold ? 'milter-hold' : 'milter-discard';
    text = hold ? reply.slice(1) || 'milter triggers HOLD action' : 'milter triggers DISCARD action';
    answer = null;
  } else if (reply === 'S') {
    text = answer = '421 4.7.0 Server closing connection';
  }
  const whatsup = whatsupEvidence(s, { sender: evidence.sender, recipient: evidence.recipient, helo: evidence.helo ?? s.helo, saslUsername: true });
  s.log(`${s.transaction?.queueId ?? 'NOQUEUE'}: ${action}: ${s.where} from ${s.namaddr}: ${text};${whatsup}`);
  return answer;
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
