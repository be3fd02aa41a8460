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
 * "500 5.5.2 Invalid command syntax", and parameters longer than the limit (LINE_TOO_LONG) "500 5.5.2 Line
 * too long". The parser reads the bytes in order and stops at the first refusal, so the one a line gets is the
 * one the parser meets first: a name over 32 letters is refused before any length matters, a bad byte within
 * the limit before the length, a bad byte beyond it after (the run of good bytes before it is already too long).
 * The line comes without its LF and the CR before it (./line-buffer.ts), or, for a line the buffer cut, as
 * its first bytes.
 * Also the String parameter of NOOP and VRFY (smtp-syntax.c smtp_string_parse()).
 */

export interface LibSmtpCommand {
  readonly name: string;
  readonly params: string;
}

const MAX_COMMAND_NAME_LENGTH = 32;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A line's command, or the refusal lib-smtp's parser meets first. */
export type LibSmtpLine = LibSmtpCommand | 'bad-command' | 'too-long';

/**
 * The command's name and parameters, or lib-smtp's refusal, for parameters of at most `maxParametersSize`
 * bytes (the release's max_parameters_size, releases.ts). `cut`: `line` is only the start of a line too long
 * for the buffer, so parameters that run to its end are too long. Reading the parameters, 2.3.18 on fills
 * its 1026-byte input buffer (LOGIN_MAX_INBUF_SIZE) exactly to the limit, so no byte past it is read; at
 * 2.3.17's 4096 the buffer can hold a few bytes past the limit, whose bad UTF-8 would be met first (not modelled).
 */
export function parseLibSmtpCommand(line: string, maxParametersSize: number, cut = false): LibSmtpLine {
  const firstNonLetter = line.search(/[^A-Za-z]/);
  const nameLength = firstNonLetter < 0 ? line.length : firstNonLetter;
  // smtp_command_parse_identifier()
  if (nameLength > MAX_COMMAND_NAME_LENGTH) return 'bad-command';
  const name = line.slice(0, nameLength);
  if (nameLength === line.length) return { name, params: '' };
  // the SP state
  if (line.charCodeAt(nameLength) !== 0x20) return 'bad-command';
  // smtp_command_parse_parameters(): the good run first, its length next, then what stopped it.
  const raw = line.slice(nameLength + 1);
  const run = textOrUtf8Run(raw);
  if (run > maxParametersSize || (cut && run === raw.length)) return 'too-long';
  if (run < raw.length) return 'bad-command';
  const params = raw.replace(/[ \t]+$/, '');
  if (params.startsWith(' ')) return 'bad-command';
  return { name, params };
}

/** How many chars of `text` are textstr bytes or whole UTF-8 characters from its start (latin1 text: one char per byte). */
function textOrUtf8Run(text: string): number {
  const stop = text.search(/[^\t\x20-\x7e\x80-\xff]/);
  const candidate = stop < 0 ? text : text.slice(0, stop);
  if (!/[\x80-\xff]/.test(candidate)) return candidate.length;
  const bytes = Buffer.from(candidate, 'latin1');
  try {
    UTF8.decode(bytes);
    return candidate.length;
  } catch {
    return utf8ValidPrefix(bytes);
  }
}

/** The length of the longest start of `bytes` made of whole, valid UTF-8 characters (uni_utf8_get_char_n() stops at the first bad one). */
function utf8ValidPrefix(bytes: Buffer): number {
  let good = 0;
  for (let end = 1; end <= bytes.length; end++) {
    const lead = bytes[good]!;
    const size = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (end - good < size) continue;
    try {
      UTF8.decode(bytes.subarray(good, end));
      good = end;
    } catch {
      return good;
    }
  }
  return good;
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
