/* lib-smtp-command - Dovecot's command line parser: what it splits into name and parameters, and what it refuses
 *
 * dovecot/core 2.3.19.1 src/lib-smtp/smtp-command-parser.c smtp_command_parse_identifier(),
 * smtp_command_parse_parameters(), smtp_command_parse_line(); lib/unichar.c uni_utf8_get_char_n();
 * smtp-syntax.c smtp_string_parse(), smtp-parser.c smtp_parser_parse_quoted_string() and the atext mask.
 */
import { describe, expect, test } from 'vitest';
import { parseLibSmtpCommand, smtpStringError } from '../../../models/front/lib-smtp-command.ts';

describe('parseLibSmtpCommand', () => {
  test.each([
    ['EHLO client.example.test', 'EHLO', 'client.example.test'],
    ['QUIT', 'QUIT', ''],
    ['noop', 'noop', ''],
    // Trailing spaces and tabs are trimmed ("SMTP receivers SHOULD tolerate trailing white space").
    ['EHLO client.example.test \t ', 'EHLO', 'client.example.test'],
    ['EHLO  ', 'EHLO', ''],
    // A tab inside the parameters, or at their start, is textstr.
    ['AUTH PLAIN\tx', 'AUTH', 'PLAIN\tx'],
    ['EHLO \tclient', 'EHLO', '\tclient'],
    // No letters: the name is empty, the line's words are its parameters (smtp_server answers "Unknown command").
    ['', '', ''],
    [' NOOP', '', 'NOOP'],
    // Whole UTF-8 characters are parameters (é as C3 A9, the line is latin1 text, one char per byte).
    ['EHLO caf\xc3\xa9.example', 'EHLO', 'caf\xc3\xa9.example'],
    [`${'A'.repeat(32)} x`, 'A'.repeat(32), 'x'],
  ])('%j is name %j, parameters %j', (line, name, params) => {
    expect(parseLibSmtpCommand(line, 1026)).toEqual({ name, params });
  });

  test.each([
    ['EHLO  client.example.test', 'a second space after the name ("Duplicate space after command name")'],
    ['AUTH  PLAIN', 'a second space after the name'],
    ['EHLO\tclient.example.test', 'a tab ending the name ("Unexpected character in command name")'],
    ['MAIL:FROM:<a@example.test>', 'a colon ending the name'],
    ['NO\0OP', 'a NUL ending the name'],
    ['8BITMIME', 'a digit first'],
    ['NOOP\rX', 'a CR inside the line'],
    ['HELO client\x01', 'a control character in the parameters ("Unexpected character in command parameters")'],
    ['HELO client\x7f', 'DEL in the parameters (not textstr)'],
    ['HELO \x01client', 'a control character first in the parameters'],
    ['HELO caf\xe9', 'a latin1 byte that is no UTF-8 ("Invalid UTF-8 character in command parameters")'],
    ['HELO \xc0\xaf', 'an overlong UTF-8 encoding'],
    ['HELO \xed\xa0\x80', 'a UTF-16 surrogate in UTF-8'],
    [`${'A'.repeat(33)}`, 'a name over 32 letters ("Command name is too long")'],
  ])('%j is refused: %s', (line) => {
    expect(parseLibSmtpCommand(line, 1026)).toBe('bad-command');
  });
});

describe('parseLibSmtpCommand: the refusal the parser meets first, reading in order', () => {
  const a = (n: number) => 'a'.repeat(n);
  test.each([
    [`NOOP ${a(1025)}`, 1025, false, { name: 'NOOP', params: a(1025) }],
    [`NOOP ${a(1026)}`, 1025, false, 'too-long'],
    // Trailing blanks count: they are read before they are trimmed.
    [`NOOP ${a(1024)}  `, 1025, false, 'too-long'],
    // A bad byte within the limit stops the parameters first; past it the good run before it is too long.
    [`NOOP ${a(1000)}\x01${a(8000)}`, 1025, false, 'bad-command'],
    [`NOOP ${a(1500)}\x01`, 1025, false, 'too-long'],
    // The same for a UTF-8 sequence that is no character: only the whole characters before it are good.
    [`NOOP ${'\xc3\xa9'.repeat(100)}\xe9${a(2000)}`, 1025, false, 'bad-command'],
    [`NOOP ${'\xc3\xa9'.repeat(600)}\xe9`, 1025, false, 'too-long'],
    // Each whole character counts with all its bytes, its length told by its first byte (uni_utf8_char_bytes(),
    // lib/unichar.c): 2 (C2-DF), 3 (E0-EF), 4 (F0-F4), after an odd or even number of ASCII bytes.
    [`NOOP ${a(1025)}\xc3\xa9\xff`, 1025, false, 'too-long'],
    [`NOOP ${a(1024)}\xc3\xa9\xff`, 1025, false, 'too-long'],
    [`NOOP ${a(1024)}\xe0\xa4\x85\xff`, 1025, false, 'too-long'],
    [`NOOP ${a(1024)}\xe2\x82\xac\xff`, 1025, false, 'too-long'],
    [`NOOP ${a(1024)}\xf0\x9f\x98\x80\xff`, 1025, false, 'too-long'],
    [`NOOP ${a(1021)}\xf0\x9f\x98\x80\xff`, 1025, false, 'bad-command'],
    // The start of a line the buffer cut: parameters that run to its end are too long, whatever the limit.
    [`NOOP ${a(100)}`, 1025, true, 'too-long'],
    [`${'A'.repeat(33)} ${a(9000)}`, 1025, true, 'bad-command'],
    [`NOOP\t${a(9000)}`, 1025, true, 'bad-command'],
    [`NOOP ${a(10)}\x01${a(9000)}`, 4096, true, 'bad-command'],
  ])('case %#: the limit and cut are its second and third values', (line, limit, cut, expected) => {
    expect(parseLibSmtpCommand(line, limit, cut)).toEqual(expected);
  });
});

describe('smtpStringError (smtp_string_parse: an Atom or a Quoted-string)', () => {
  test.each([
    '',
    'AZaz09',
    "!#$%&'*+-/=?^_`{|}~",
    '""',
    '"a b !#[]~"',
    '"a\\"b\\\\c\\ "',
  ])('%j is a String', (text) => {
    expect(smtpStringError(text)).toBeNull();
  });

  test.each([
    ['a b', 'Invalid character in string'],
    ...['"', '(', ')', ',', '.', ':', ';', '<', '>', '@', '[', '\\', ']', '\t', '\x7f', '\xe9'].map((c) => [`a${c}`, 'Invalid character in string']),
    ['<bob@example.test>', 'Invalid character in string'],
    ['"a" b', 'Invalid character in string'],
    ['"a', 'Premature end of quoted string'],
    ['"', 'Premature end of quoted string'],
    ['"a\tb"', 'Invalid character in quoted string'],
    ['"a\\', "Invalid character after '\\' in quoted string"],
    ['"a\\\tb"', "Invalid character after '\\' in quoted string"],
  ])('%j: %s', (text, error) => {
    expect(smtpStringError(text)).toBe(error);
  });
});
