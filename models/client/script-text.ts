/* script-text - the text form of a client script (`--set client.script=...`): what to send, how grouped
 *
 *   EHLO lab; AUTH PLAIN AGFsaWNlAHNlY3JldA==; MAIL FROM:<a@x> | RCPT TO:<b@x> | DATA; Subject: hi\r\n\r\nhello\r\n.; QUIT
 *
 * Read it as a shell reads commands: `;` runs one after the other (the client waits for every
 * reply before it writes the next group), `|` pipelines (the commands it joins leave in one
 * write, RFC 2920). Each command is sent as written plus CRLF; the message after DATA is a
 * command like any other (its lines joined by \r\n, ending in "." and dot-stuffed by hand).
 * Escapes give any byte:
 *   \r \n \t \0   CR, LF, TAB, NUL          \xHH   the byte 0xHH
 *   \\ \; \|      a backslash, ; or |       \c     at the very end: no CRLF after this command
 * White space around `;` and `|` is not sent (write \x20 for a space that must be), so a scenario
 * file may spread a script over lines; a line break inside a command is an error. Other
 * characters go as their UTF-8 bytes. A command owes one reply when it ends a line (its last
 * byte is LF): `NO\c; OP` sends one NOOP in two writes and waits for one reply,
 * `MAIL FROM:<a@x>\n\c` sends a line ended by a bare LF and waits for its reply.
 * The client plays the script as written: a refusal does not stop it (only a 421, or a greeting
 * other than 220, makes it QUIT as swaks does: client.ts).
 */
import type { ClientGroup, ClientStep } from './script.ts';

/** A malformed script: the message names the column (1-based) where it went wrong. */
export class ScriptSyntaxError extends Error {
  constructor(
    readonly column: number,
    problem: string,
  ) {
    super(`column ${column}: ${problem}`);
    this.name = 'ScriptSyntaxError';
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { r: '\r', n: '\n', t: '\t', '0': '\0', '\\': '\\', ';': ';', '|': '|' };
const ESCAPES_TEXT = '\\r \\n \\t \\0 \\xHH \\\\ \\; \\| and \\c at the end of a command';

/** Text as the client sends it: its UTF-8 bytes, one latin1 character per byte. */
function utf8Latin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** One command's bytes as latin1, from its text (column: where it starts, for errors). */
function commandBytes(text: string, column: number): string {
  let bytes = '';
  let plainFrom = 0;
  let crlf = true;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\r' || char === '\n') throw new ScriptSyntaxError(column + i, 'a line break inside a command; write \\r\\n (or \\n) for one');
    if (char !== '\\') continue;
    bytes += utf8Latin1(text.slice(plainFrom, i));
    const escape = text[i + 1];
    if (escape === undefined) throw new ScriptSyntaxError(column + i, `a lone backslash ends the command; escapes are ${ESCAPES_TEXT}`);
    if (escape === 'c') {
      if (i + 2 !== text.length) throw new ScriptSyntaxError(column + i, '\\c (no CRLF) must end its command');
      crlf = false;
      i += 1;
    } else if (escape === 'x') {
      const hex = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new ScriptSyntaxError(column + i, `\\x needs two hex digits, got '${hex}'`);
      bytes += String.fromCharCode(Number.parseInt(hex, 16));
      i += 3;
    } else {
      const simple = SIMPLE_ESCAPES[escape];
      if (simple === undefined) throw new ScriptSyntaxError(column + i, `unknown escape \\${escape}; escapes are ${ESCAPES_TEXT}`);
      bytes += simple;
      i += 1;
    }
    plainFrom = i + 1;
  }
  bytes += utf8Latin1(text.slice(plainFrom));
  return crlf ? `${bytes}\r\n` : bytes;
}

interface Part {
  readonly text: string;
  /** 1-based column of the part's first character in the whole script. */
  readonly column: number;
}

/** The parts between unescaped separators: `;` ends a group, `|` a command within it. */
function splitUnescaped(part: Part, separator: string): Part[] {
  const parts: Part[] = [];
  let start = 0;
  for (let i = 0; i < part.text.length; i++) {
    if (part.text[i] === '\\') i++;
    else if (part.text[i] === separator) {
      parts.push({ text: part.text.slice(start, i), column: part.column + start });
      start = i + 1;
    }
  }
  parts.push({ text: part.text.slice(start), column: part.column + start });
  return parts;
}

/** Without the white space around it (spaces, tabs, line breaks of a multi-line scenario file). */
function trimmed(part: Part): Part {
  const text = part.text.trim();
  return { text, column: part.column + part.text.indexOf(text) };
}

/** The groups a script text describes; throws ScriptSyntaxError naming the column of the first mistake. */
export function parseScriptText(script: string): ClientGroup[] {
  return splitUnescaped({ text: script, column: 1 }, ';').map((group) => {
    const steps = splitUnescaped(group, '|').map((command): ClientStep => {
      const { text, column } = trimmed(command);
      if (text === '') throw new ScriptSyntaxError(column, "empty command (nothing between two of ';' and '|', or at an end); an empty line is \\r\\n\\c");
      return { kind: 'raw', latin1: commandBytes(text, column) };
    });
    return { steps, writes: 'one' };
  });
}

/** The syntax in words, for the key table and its error messages. */
export const SCRIPT_TEXT_ALLOWED = "commands separated by ';' (one after the other) or '|' (pipelined), e.g. 'EHLO lab; RSET | NOOP x; QUIT'";

/** The problem with a script text, or null when it parses (for the scenario key's validation). */
export function scriptTextProblem(script: string): string | null {
  try {
    parseScriptText(script);
    return null;
  } catch (error) {
    if (error instanceof ScriptSyntaxError) return error.message;
    throw error;
  }
}
