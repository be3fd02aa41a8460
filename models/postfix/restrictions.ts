/* restrictions - smtpd_check.c's engine: generic_checks() over a list, smtpd_check_reject(), the deferrals
 *
 * postfix/src/smtpd/smtpd_check.c (v3.7.11; generic_checks(), smtpd_check_reject(), defer_if(),
 * reject_server_error(), reject_dict_retry() the same at v3.5.0, v3.9.0 and v3.10.13 for what the lab
 * models). generic_checks() walks a restriction list, first decision wins: a restriction answers
 * SMTPD_CHECK_DUNNO (0, go on), SMTPD_CHECK_OK (1, permit) or SMTPD_CHECK_REJECT (2). warn_if_reject
 * makes the next restriction's reject a "reject_warning" log line only; defer_if_permit and
 * defer_if_reject remember a 450 that a later permit (at the end of the stage) or a later reject (at
 * once) turns into. A configuration or table error is a longjmp() out of the list with "451 4.3.5
 * Server configuration error" (reject_server_error()) or "451 4.3.0 <name>: Temporary lookup failure"
 * (reject_dict_retry()); the model throws CheckJump and the stage (restriction-stages.ts) catches it.
 * The restrictions themselves are restriction-table.ts's rows.
 */
import { restrictionRow } from './restriction-table.js';
import type { SmtpdSession } from './session.js';
import { printable } from './text.js';
import { logWhatsup } from './whatsup.js';

/** SMTPD_CHECK_DUNNO, SMTPD_CHECK_OK, SMTPD_CHECK_REJECT. */
export const DUNNO = 0;
export const OK = 1;
export const REJECT = 2;

/** mail_error.h: the error classes smtpd_check_reject() tells apart (warn_if_reject cannot turn the last three into warnings). */
export type ErrorClass = 'policy' | 'protocol' | 'bounce' | 'software' | 'resource' | 'data';

/** SMTPD_DEFER: a remembered deferral; the text stays when `active` is cleared (defer_if() keeps the first while active). */
export interface Deferral {
  active: boolean;
  errorClass: ErrorClass;
  code: number;
  dsn: string;
  reason: string;
}

const inactive = (): Deferral => ({ active: false, errorClass: 'policy', code: 0, dsn: '', reason: '' });

/** The members of SMTPD_STATE that the checks read and change. */
export class CheckState {
  recursion = 0;
  warnIfReject = 0;
  readonly deferIfPermit = inactive();
  readonly deferIfReject = inactive();
  /** state->defer_if_permit_client, _helo, _sender: the flag each stage leaves for the next. */
  deferIfPermitClient = false;
  deferIfPermitHelo = false;
  deferIfPermitSender = false;
  senderRcptmapChecked = false;
  recipientRcptmapChecked = false;
  /**
   * state->sender, state->recipient and state->helo_name as the running stage has pushed them
   * (SMTPD_CHECK_PUSH()); undefined: not pushed, the session's (stateSender() ...).
   */
  sender: string | null | undefined = undefined;
  recipient: string | null | undefined = undefined;
  helo: string | null | undefined = undefined;
  /** state->etrn_name while smtpd_check_etrn() runs. */
  etrn: string | null = null;
  /** error_text: the last reply smtpd_check_reject() made. */
  errorText = '';
}

/** state->sender: the pushed one, else the transaction's (mail_cmd() sets it, mail_reset() clears it). */
export function stateSender(c: Check): string | null {
  return c.st.sender !== undefined ? c.st.sender : c.s.transaction?.sender ?? null;
}

/** state->recipient: the pushed one, else the transaction's first accepted recipient (rcpt_cmd()). */
export function stateRecipient(c: Check): string | null {
  return c.st.recipient !== undefined ? c.st.recipient : c.s.transaction?.recipients[0] ?? null;
}

/** state->helo_name: the pushed one, else the session's. */
export function stateHelo(c: Check): string | null {
  return c.st.helo !== undefined ? c.st.helo : c.s.helo;
}

/** The evidence log_whatsup() reads from the state. */
export function whatsupState(c: Check): { sender: string | null; recipient: string | null; helo: string | null } {
  return { sender: stateSender(c), recipient: stateRecipient(c), helo: stateHelo(c) };
}

/** What a list is checked for: generic_checks()'s reply_name, reply_class and def_acl. */
export interface Check {
  readonly s: SmtpdSession;
  readonly st: CheckState;
  readonly replyName: string;
  readonly replyClass: string;
  /** The access restriction a bare table stands for (CHECK_CLIENT_ACL ...), or null (NO_DEF_ACL: DATA and end-of-data). */
  readonly defAcl: string | null;
}

/** The longjmp(smtpd_check_buf, status) out of a list. */
export class CheckJump {
  constructor(readonly status: number) {}
}

/** check_table_result()'s HANGUP: vstream_longjmp(state->client, SMTP_ERR_QUIET) out of the command, past every stage (session.ts run()). */
export class Hangup {}

/** reject_server_error(): 451 4.3.5, the list abandoned. */
export function rejectServerError(c: Check): never {
  throw new CheckJump(smtpdCheckReject(c, 'software', 451, '4.3.5', 'Server configuration error'));
}

/** reject_dict_retry(): 451 4.3.0 <name>: Temporary lookup failure, the list abandoned. */
export function rejectDictRetry(c: Check, replyName: string): never {
  throw new CheckJump(smtpdCheckReject(c, 'data', 451, '4.3.0', `<${replyName}>: Temporary lookup failure`));
}

/** dsn_valid() (global/dsn_util.c): a status [245].d{1,3}.d{1,3} that ends the text or a word. */
function dsnValid(text: string): boolean {
  return /^[245]\.\d{1,3}\.\d{1,3}(?:$|[\s])/.test(text);
}

/**
 * smtpd_check_reject(): the reply "code dsn text", checked (a code outside 400-599 or a bad DSN is
 * warned about and becomes "450 4.7.1 Service unavailable"), cut to 510 bytes and printable(' ');
 * a 5xx while defer_if_reject is active becomes that deferral; soft_bounce makes 5xx 4xx; the DSN's
 * first digit follows the code's; logged "reject" (or "reject_warning" under warn_if_reject, which
 * then decides nothing).
 */
export function smtpdCheckReject(c: Check, errorClass: ErrorClass, code: number, dsn: string, text: string): number {
  const { s, st } = c;
  const warn = st.warnIfReject !== 0 && errorClass !== 'software' && errorClass !== 'resource' && errorClass !== 'data';
  let reply = `${code} ${dsn} ${text}`;
  if (code < 400 || code > 599) {
    s.log(`warning: SMTP reply code configuration error: ${reply}`);
    reply = '450 4.7.1 Service unavailable';
  }
  if (!dsnValid(reply.slice(4))) {
    s.log(`warning: DSN detail code configuration error: ${reply}`);
    reply = '450 4.7.1 Service unavailable';
  }
  reply = printable(reply.slice(0, 510), ' ');
  if (!warn && st.deferIfReject.active && reply.startsWith('5')) {
    st.warnIfReject = 0;
    st.deferIfReject.active = false;
    const d = st.deferIfReject;
    return smtpdCheckReject(c, d.errorClass, d.code, d.dsn, d.reason);
  }
  if (s.config.soft_bounce && reply.startsWith('5')) reply = `4${reply.slice(1)}`;
  reply = `${reply.slice(0, 4)}${reply[0]}${reply.slice(5)}`;
  st.errorText = reply;
  logWhatsup(s, warn ? 'reject_warning' : 'reject', reply, whatsupState(c));
  return warn ? DUNNO : REJECT;
}

/** defer_if(): keep the first reason while the deferral is active; the restriction itself decides nothing. */
export function deferIf(d: Deferral, errorClass: ErrorClass, code: number, dsn: string, reason: string): number {
  if (!d.active) Object.assign(d, { active: true, errorClass, code, dsn, reason });
  return DUNNO;
}

/** DEFER_IF_PERMIT2(DEFER_IF_PERMIT_ACT, ...): a deferral unless warn_if_reject is on, then a (warned) reject. */
export function deferIfPermit(c: Check, code: number, dsn: string, reason: string): number {
  if (c.st.warnIfReject === 0) return deferIf(c.st.deferIfPermit, 'policy', code, dsn, reason);
  return smtpdCheckReject(c, 'policy', code, dsn, reason);
}

/** smtpd_acl_permit() with smtpd_log_access_permit_actions empty (DEF_SMTPD_ACL_PERM_LOG): OK, not logged. */
export const permit = (): number => OK;

/** The words of a list as generic_checks() walks them, with the cursor a restriction moves to take its argument. */
export class ListCursor {
  index = 0;
  constructor(readonly words: readonly string[]) {}

  get current(): string {
    return this.words[this.index]!;
  }

  get next(): string | undefined {
    return this.words[this.index + 1];
  }

  /** is_map_command()'s table argument: the next word when it names a table, else the warning and 451 4.3.5. */
  table(c: Check, command: string): string {
    const next = this.next;
    if (next !== undefined) this.index++;
    if (next === undefined || !next.includes(':')) {
      c.s.log(`warning: restriction ${command}: bad argument "${next ?? command}": need maptype:mapname`);
      rejectServerError(c);
    }
    return next;
  }
}

/** generic_checks(): the list's restrictions in order until one decides (or both deferrals are active). */
export function genericChecks(c: Check, words: readonly string[]): number {
  const { st, s } = c;
  const savedRecursion = st.recursion++;
  const cursor = new ListCursor(words);
  let status = DUNNO;
  for (; cursor.index < words.length; cursor.index++) {
    // An access table's DISCARD (state->discard) ends every list at once, for the rest of the transaction.
    if (s.saved.discard) break;
    const name = cursor.current.toLowerCase();
    if (name === 'warn_if_reject') {
      if (st.warnIfReject === 0) st.warnIfReject = st.recursion;
      continue;
    }
    // "Spoof the is_map_command() routine": a bare table is the stage's default access restriction.
    if (name.includes(':')) {
      if (c.defAcl === null) {
        s.log(`warning: specify one of (check_client_access, check_reverse_client_access, check_helo_access, check_sender_access, check_recipient_access, check_etrn_access) before ${c.replyClass} restriction "${cursor.current}"`);
        rejectServerError(c);
      }
      status = runRestriction(c, c.defAcl, new ListCursor([c.defAcl, ...words.slice(cursor.index)]));
    } else status = runRestriction(c, name, cursor);
    if (st.warnIfReject >= st.recursion) st.warnIfReject = 0;
    if (status !== DUNNO) break;
    if (st.deferIfPermit.active && st.deferIfReject.active) break;
  }
  st.recursion = savedRecursion;
  if (st.warnIfReject >= st.recursion) st.warnIfReject = 0;
  return status;
}

/**
 * One restriction by its row, else a restriction class of smtpd_restriction_classes by its name as written
 * (generic_checks()' htable_find(smtpd_rest_classes, name), after every built-in name: a class cannot shadow
 * one), run as a list in its place; a name smtpd does not know is its warning and 451 4.3.5 (the real one
 * starts with it all the same).
 */
function runRestriction(c: Check, name: string, cursor: ListCursor): number {
  const row = restrictionRow(name);
  if (row !== undefined) return row.run(c, cursor);
  const classes = c.s.config.smtpd_restriction_classes;
  if (Object.hasOwn(classes, cursor.current)) return genericChecks(c, classes[cursor.current]!);
  c.s.log(`warning: unknown smtpd restriction: "${cursor.current}"`);
  return rejectServerError(c);
}
