/* front/nginx-smtp-parse - which client lines nginx's SMTP parser itself refuses (the errors max_errors counts)
 *
 * nginx/nginx src/mail/ngx_mail_parse.c ngx_mail_smtp_parse_command() (same at release-1.22.0 and
 * release-1.29.8): a command is letters up to a space, CR or LF, and must be one of the verbs it
 * knows (STARTTLS too: Alpine, Debian and nginx.org build the mail SSL module); a CR must be
 * followed by LF; at most 11 arguments. Anything else is NGX_MAIL_PARSE_INVALID_COMMAND, which
 * ngx_mail_read_command() counts against max_errors. A known verb that the SMTP state machine
 * then refuses (VRFY, HELP, a bad AUTH mechanism, bad base64) gets the same 500 but is not
 * counted: that refusal comes from ngx_mail_smtp_auth_state(), after the parser.
 * After AUTH the parser starts in its argument state (the SASL continuation is not a command).
 */

const KNOWN_VERBS: ReadonlySet<string> = new Set(['HELO', 'EHLO', 'QUIT', 'AUTH', 'NOOP', 'MAIL', 'RSET', 'RCPT', 'VRFY', 'EXPN', 'HELP', 'STARTTLS']);
/** sw_spaces_before_argument starts a new argument only while s->args.nelts <= 10. */
const MAX_ARGUMENTS = 11;

/** Is `line` (LF and the CR before it stripped) refused by the parser? `expect` is the parser's state at its start. */
export function refusedByParser(line: string, expect: 'command' | 'argument'): boolean {
  // A CR left inside the line was not followed by LF (sw_almost_done).
  if (line.includes('\r')) return true;
  const words = line.split(' ').filter((word) => word !== '');
  if (expect === 'argument') return words.length > MAX_ARGUMENTS;
  const verb = line.slice(0, line.includes(' ') ? line.indexOf(' ') : line.length);
  if (!KNOWN_VERBS.has(verb.toUpperCase()) || !/^[A-Za-z]+$/.test(verb)) return true;
  return words.length - 1 > MAX_ARGUMENTS;
}

/**
 * The argument a SASL continuation hands the AUTH handlers (arg[0] of ngx_mail_auth_login_username(),
 * _login_password(), ngx_mail_auth_plain()): sw_argument ends it at the first space, so the rest of
 * the line is not read, and a line that starts with a space has an empty first argument.
 */
export function firstArgument(line: string): string {
  const space = line.indexOf(' ');
  return space < 0 ? line : line.slice(0, space);
}
