/* non-smtp - an unknown command that makes smtpd hang up: a message header, or a smtpd_forbidden_commands entry
 *
 * postfix/src/smtpd/smtpd.c smtpd_proto() (v3.7.11 ~5900): for a verb not in the command table,
 * is_header(argv[0]) or string_list_match(smtpd_forbidden_commands, argv[0]) means "non-SMTP
 * command": a warning, "221 2.7.0 Error: I can break rules, too. Goodbye." and the end of the
 * session. smtpd_forbidden_commands is not a lab setting; its default (mail_params.h
 * DEF_SMTPD_FORBID_CMDS) applies: "CONNECT GET POST", and from 3.7.0 also
 * regexp:{{/^[^A-Z]/ Bogus}} (releases.ts forbidden_commands_non_letter).
 */
import { hasGate, type PostfixRelease } from './releases.js';
import { escape } from './text.js';

/**
 * is_header() (global/is_header.c) on one word: printable ASCII other than ':' up to a ':' (a word
 * has no spaces or tabs, so the obsolete "Name :" form cannot occur). What follows the ':' is not looked at.
 */
function isHeader(word: string): boolean {
  return /^[!-9;-~]+:/.test(word);
}

/** string_list_match() of the default list: words compare without case; a regexp: table ignores case by default. */
function forbidden(release: PostfixRelease, word: string): boolean {
  if (['CONNECT', 'GET', 'POST'].includes(word.toUpperCase())) return true;
  return hasGate(release, 'forbidden_commands_non_letter') && /^[^A-Za-z]/.test(word);
}

/**
 * The warning's excerpt when `verb` (an unknown one) makes smtpd hang up, else null. From 3.7.0
 * the line is escape()d (HISTORY 20210610); before, the command as read, to its first NUL.
 */
export function nonSmtpExcerpt(release: PostfixRelease, verb: string, line: string): string | null {
  if (!isHeader(verb) && !forbidden(release, verb)) return null;
  const shown = hasGate(release, 'forbidden_commands_non_letter') ? escape(line) : line.split('\0', 1)[0] ?? '';
  return shown.slice(0, 100);
}
