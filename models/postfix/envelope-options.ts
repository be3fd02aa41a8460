/* envelope-options - the words after MAIL's and RCPT's address (postfix/src/smtpd/smtpd.c v3.7.11)
 *
 * mail_cmd()'s option loop, in order, each keyword in any case:
 *   BODY=8BITMIME, BODY=7BIT; SIZE= digits only (alldig(): "SIZE=" is a syntax error), more than
 *   off_t holds is "552 ... file system imposed limit" (off_cvt_string()); SMTPUTF8 unless
 *   smtpd_discard_ehlo_keywords drops it; AUTH= (smtpd_sasl_mail_opt(), smtpd_sasl_proto.c: a
 *   second one is 503, <> is not kept); RET= FULL or HDRS, once (dsn_ret_code()); ENVID= valid
 *   xtext, printable and not empty, once (xtext_unquote(), allprint()); RET= and ENVID= are 501
 *   5.7.1 when DSN is discarded. XVERP is an option only for smtpd_authorized_verp_clients, whose
 *   default ($authorized_verp_clients) is empty (postconf_builtin.c), so it is unsupported here as
 *   any other word: "555 5.5.4 Unsupported option". Then smtpd_check_size() compares SIZE with
 *   message_size_limit.
 * mail_cmd() sets state->msg_size and state->sasl_sender as it goes and only mail_reset() clears
 * them (RSET, HELO/EHLO, the end of a message), so a MAIL refused after its SIZE= or AUTH= leaves
 * them for the next MAIL: the next SIZE-less MAIL is checked against the old size, and its AUTH= is
 * a second one.
 * rcpt_cmd()'s loop: NOTIFY= (dsn_notify_mask(): NEVER alone, or SUCCESS, FAILURE and DELAY, split
 * at ", \t\r\n"; an unknown word is logged by name_mask_delim_opt()), ORCPT= type;xtext (utf-8 is
 * uxtext), each once and 501 5.7.1 when DSN is discarded; anything else 555.
 */
import { discards } from './ehlo-mask.js';
import { isOffT } from './off-cvt.js';
import type { SmtpdSession } from './session.js';
import { printable } from './text.js';

const DSN_DISABLED = '501 5.7.1 DSN support is disabled';

/** The option's value when `arg` starts with `keyword` (any case), else null. */
function valueOf(arg: string, keyword: string): string | null {
  return arg.slice(0, keyword.length).toUpperCase() === keyword ? arg.slice(keyword.length) : null;
}

/** xtext_unquote() (global/xtext.c): "+" and two hex digits stand for a byte; null when malformed. */
function xtextUnquote(text: string): string | null {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '+') {
      out += text[i];
      continue;
    }
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
    out += String.fromCharCode(Number.parseInt(hex, 16));
    i += 2;
  }
  return out;
}

/** allprint() on the unquoted ENVID, which C reads up to a "+00" NUL: printable ASCII, not empty. */
function allPrint(unquoted: string): boolean {
  return /^[\x20-\x7e]+(?:\0|$)/.test(unquoted);
}

/** uxtext_unquote() (global/uxtext.c): "\x{HEX}" of at most U+10FFFF stands for a character; false when malformed. */
function validUxtext(text: string): boolean {
  for (let i = text.indexOf('\\x{'); i >= 0; i = text.indexOf('\\x{', i + 1)) {
    const close = text.indexOf('}', i + 3);
    if (close < 0) return false;
    const hex = text.slice(i + 3, close);
    // An empty \x{} is U+0000 (parseInt gives NaN, which is not over the bound).
    if (!/^[0-9a-fA-F]*$/.test(hex) || Number.parseInt(hex, 16) > 0x10ffff) return false;
  }
  return true;
}

/** ORCPT=type;value (rcpt_cmd()): a type before the first ";", a value that unquotes as its type says. */
function validOrcpt(value: string): boolean {
  const semicolon = value.indexOf(';');
  if (semicolon <= 0) return false;
  const coded = value.slice(semicolon + 1);
  return value.slice(0, semicolon).toLowerCase() === 'utf-8' ? validUxtext(coded) : xtextUnquote(coded) !== null;
}

/** Whether `arg` is RFC 6531's SMTPUTF8 option, which mail_cmd() recognizes while SMTPUTF8 is offered (smtputf8_enable is yes, and not discarded). */
export function isSmtputf8Option(s: SmtpdSession, arg: string): boolean {
  return arg.toUpperCase() === 'SMTPUTF8' && !discards(s.ehloDiscardMask, 'smtputf8');
}

/** mail_cmd()'s option loop and smtpd_check_size(): the reply that refuses the MAIL, or null. */
export function mailOptionRefusal(s: SmtpdSession, options: readonly string[]): string | null {
  const dsnOff = discards(s.ehloDiscardMask, 'dsn');
  let ret = false;
  let envid = false;
  for (const arg of options) {
    const upper = arg.toUpperCase();
    const size = valueOf(arg, 'SIZE=');
    const auth = valueOf(arg, 'AUTH=');
    const retValue = valueOf(arg, 'RET=');
    const envidValue = valueOf(arg, 'ENVID=');
    if (upper === 'BODY=8BITMIME' || upper === 'BODY=7BIT') continue;
    if (size !== null) {
      if (!/^\d+$/.test(size)) return '501 5.5.4 Bad message size syntax';
      if (!isOffT(size)) return '552 5.3.4 Message size exceeds file system imposed limit';
      s.msgSize = Number(size);
    } else if (isSmtputf8Option(s, arg)) {
      continue;
    } else if (auth !== null) {
      if (s.saslSender !== null) return '503 5.5.4 Error: multiple AUTH= options';
      if (auth !== '<>') s.saslSender = printable(auth);
    } else if (retValue !== null) {
      if (dsnOff) return DSN_DISABLED;
      if (ret || !['FULL', 'HDRS'].includes(retValue.toUpperCase())) return '501 5.5.4 Bad RET parameter syntax';
      ret = true;
    } else if (envidValue !== null) {
      if (dsnOff) return DSN_DISABLED;
      const unquoted = xtextUnquote(envidValue);
      if (envid || unquoted === null || !allPrint(unquoted)) return '501 5.5.4 Bad ENVID parameter syntax';
      envid = true;
    } else {
      return `555 5.5.4 Unsupported option: ${arg}`;
    }
  }
  const limit = s.config.message_size_limit;
  if (limit > 0 && s.msgSize > limit) return '552 5.3.4 Message size exceeds fixed limit';
  return null;
}

const NOTIFY_WORDS = ['NEVER', 'SUCCESS', 'FAILURE', 'DELAY'];

/** dsn_notify_mask(): NEVER alone or any of the others; an unknown word is logged and refuses the whole. */
function validNotify(s: SmtpdSession, value: string): boolean {
  const words = value.split(/[, \t\r\n]/).filter((w) => w !== '');
  const unknown = words.find((w) => !NOTIFY_WORDS.includes(w.toUpperCase()));
  if (unknown !== undefined) {
    s.log(`warning: unknown DSN NOTIFY command value "${unknown}" in "${value}"`);
    return false;
  }
  const never = words.some((w) => w.toUpperCase() === 'NEVER');
  return words.length > 0 && (!never || words.every((w) => w.toUpperCase() === 'NEVER'));
}

/** rcpt_cmd()'s option loop: the reply that refuses the RCPT, or null. */
export function rcptOptionRefusal(s: SmtpdSession, options: readonly string[]): string | null {
  const dsnOff = discards(s.ehloDiscardMask, 'dsn');
  let notify = false;
  let orcpt = false;
  for (const arg of options) {
    const notifyValue = valueOf(arg, 'NOTIFY=');
    const orcptValue = valueOf(arg, 'ORCPT=');
    if (notifyValue !== null) {
      if (dsnOff) return DSN_DISABLED;
      if (notify || !validNotify(s, notifyValue)) return '501 5.5.4 Error: Bad NOTIFY parameter syntax';
      notify = true;
    } else if (orcptValue !== null) {
      if (dsnOff) return DSN_DISABLED;
      if (orcpt || !validOrcpt(orcptValue)) return '501 5.5.4 Error: Bad ORCPT parameter syntax';
      orcpt = true;
    } else {
      return `555 5.5.4 Unsupported option: ${arg}`;
    }
  }
  return null;
}
