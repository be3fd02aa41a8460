/* front/lib-smtp-command - a client's command line as Dovecot's lib-smtp parser splits it into name and parameters, or refuses it
 *
 * dovecot/core 2.3.19.1 src/lib-smtp/smtp-command-parser.c smtp_command_parse_line():
 *  - smtp_command_parse_identifier(): the name is the letters (i_isalpha) at the start, at most
 *    SMTP_COMMAND_PARSER_MAX_COMMAND_LENGTH (32) of them ("Command name is too long");
 *  - the SP state: the name must end the line or be followed by one space ("Unexpected character
 *    %s in command name": a tab, a digit, a colon, a CR left inside the line);
 *  - smtp_command_parse_parameters(): textstr (HT, SP, printable US-ASCII) and whole UTF-8
 *    characters (uni_utf8_get_char_n); anything else ends the parameters, and the CR state then
 *    refuses it ("Unexpected character %s in command parameters", "Invalid UTF-8 character ...");
 *    trailing spaces and tabs are trimmed, and parameters that still start with a space are
 *    refused ("Duplicate space after command name").
 * smtp_server_connection_handle_input() answers every such refusal (SMTP_COMMAND_PARSE_ERROR_BAD_COMMAND)
 * "500 5.5.2 Invalid command syntax". The line comes without its LF and the CR before it (./line-buffer.ts).
 * Also the String parameter of NOOP and VRFY (smtp-syntax.c smtp_string_parse()).
 */

export interface LibSmtpCommand {
  readonly name: string;
  readonly params: string;
}

const MAX_COMMAND_NAME_LENGTH = 32;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The command's name and parameters, or null when lib-smtp's parser refuses the line. */
export function parseLibSmtpCommand(line: string): LibSmtpCommand | null {
  const firstNonLetter = line.search(/[^A-Za-z]/);
  const nameLength = firstNonLetter < 0 ? line.length : firstNonLetter;
  if (nameLength > MAX_COMMAND_NAME_LENGTH) return null;
  const name = line.slice(0, nameLength);
  if (nameLength === line.length) return { name, params: '' };
  if (line.charCodeAt(nameLength) !== 0x20) return null;
  const raw = line.slice(nameLength + 1);
  if (!isTextOrUtf8(raw)) return null;
  const params = raw.replace(/[ \t]+$/, '');
  if (params.startsWith(' ')) return null;
  return { name, params };
}

/** textstr bytes, and bytes from 0x80 only as whole UTF-8 characters (the line is latin1 text: one char per byte). */
function isTextOrUtf8(text: string): boolean {
  if (/[^\t\x20-\x7e\x80-\xff]/.test(text)) return false;
  if (!/[\x80-\xff]/.test(text)) return true;
  try {
    UTF8.decode(Buffer.from(text, 'latin1'));
    return true;
  } catch {
    return false;
  }
}

/** RFC 5321 atext as smtp-parser.c's smtp_char_lookup[] marks it (smtp_atext_char_mask). */
const NOT_ATEXT = /[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]/;

/**
 * smtp-syntax.c smtp_string_parse(): why `text` is no SMTP String (an Atom or a Quoted-string, and
 * nothing after it), in its own words; null when it is one or is empty.
 */
export function smtpStringError(text: string): string | null {
  if (!text.startsWith('"')) return NOT_ATEXT.test(text) ? 'Invalid character in string' : null;
  const end = quotedStringEnd(text);
  if (typeof end === 'string') return end;
  return end < text.length ? 'Invalid character in string' : null;
}

/** The longest start of a quoted string: DQUOTE, then qtextSMTP (%d32-33 / %d35-91 / %d93-126) or quoted-pairSMTP (%d92 %d32-126). */
const QUOTED_START = /^"(?:[ !#-[\]-~]|\\[ -~])*/;

/** smtp-parser.c smtp_parser_parse_quoted_string(): where the quoted string at 0 ends, or its error. */
function quotedStringEnd(text: string): number | string {
  const at = QUOTED_START.exec(text)![0].length;
  if (text[at] === '\\') return "Invalid character after '\\' in quoted string";
  if (at >= text.length) return 'Premature end of quoted string';
  if (text[at] !== '"') return 'Invalid character in quoted string';
  return at + 1;
}
