/* text - Postfix's string helpers the smtpd log and XCLIENT depend on
 *
 * escape(): postfix/src/util/unescape.c escape() (v3.7.11), used for the
 * "improper command pipelining" log line. xtextUnquote(): global/xtext.c.
 * printable(): util/printable.c with '?' for everything outside printable ASCII and UTF-8.
 * neuter(): util/neuter.c with smtpd.c's NEUTER_CHARACTERS, for names smtpd logs (HELO, XCLIENT).
 */

const namedEscapes: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };

/** Printable ASCII as is (backslash doubled), C escapes for \a\b\f\n\r\t\v, else \ooo octal. */
export function escape(latin1: string): string {
  let out = '';
  for (let i = 0; i < latin1.length; i++) {
    const ch = latin1.charCodeAt(i);
    if (ch >= 0x20 && ch < 0x7f) out += ch === 0x5c ? '\\\\' : latin1[i];
    else if (namedEscapes[ch] !== undefined) out += namedEscapes[ch];
    else out += '\\' + ch.toString(8).padStart(3, '0');
  }
  return out;
}

function hexValue(ch: string | undefined): number {
  if (ch === undefined) return -1;
  const code = ch.charCodeAt(0);
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

/** xtext "+HH" decoding; null when malformed (xclient_cmd then keeps the raw value). */
export function xtextUnquote(quoted: string): string | null {
  let out = '';
  for (let i = 0; i < quoted.length; i++) {
    if (quoted[i] !== '+') {
      out += quoted[i];
      continue;
    }
    const high = hexValue(quoted[i + 1]);
    const low = hexValue(quoted[i + 2]);
    if (high < 0 || low < 0) return null;
    out += String.fromCharCode(high * 16 + low);
    i += 2;
  }
  return out;
}

const isUtf8Continuation = (code: number) => code >= 0x80 && code < 0xc0;

/**
 * printable(value, '?'): util/printable.c printable_except() (v3.8.9) with util_utf8_enable set, as
 * mail_params_init() sets it from smtputf8_enable, which is yes at every scenario's
 * compatibility_level (3.6 in Mailu's main.cf and the recorded stack; mail_params.h
 * DEF_SMTPUTF8_ENABLE). Printable ASCII stays; a byte 194-254 followed by a continuation byte
 * stays with every continuation byte after it (its loose test, not valid_utf8_string()); every
 * other byte becomes '?' (smtpd_check_reject() asks for ' ').
 */
export function printable(text: string, replacement = '?'): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f) out += text[i];
    else if (code >= 194 && code <= 254 && isUtf8Continuation(text.charCodeAt(i + 1))) {
      let end = i + 1;
      while (isUtf8Continuation(text.charCodeAt(end))) end++;
      out += text.slice(i, end);
      i = end - 1;
    } else out += replacement;
  }
  return out;
}

/** neuter(value, NEUTER_CHARACTERS, '?') (smtpd.c): characters that could mess up headers become '?'. */
export function neuter(value: string): string {
  return value.replace(/[ <>()\\";@]/g, '?');
}
