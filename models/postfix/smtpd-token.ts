/* smtpd-token - the words of an SMTP command as smtpd_token() splits them (postfix/src/smtpd/smtpd_token.c, v3.7.11)
 *
 * MAIL and RCPT read their address from these words, not from the space-separated ones:
 *   smtp_next_token(): white space (ISSPACE: space, \t, \n, \v, \f, \r) ends a word; a \ takes the
 *     next character into the word; a ':' ends the word when the word is then "to:" or "from:" in
 *     any case ("MAIL FROM:<a>" is MAIL, FROM:, <a>); a < or " anywhere in a word starts a quoted
 *     stretch (smtp_quoted()) that white space does not end.
 *   smtp_quoted(): up to the matching > or "; \ escapes the next character; a " inside <> opens a
 *     quoted string and a < inside <> nests; a stretch the text ends inside leaves the word
 *     SMTPD_TOK_ERROR (mail_cmd() then answers "Bad sender address syntax").
 */

export interface SmtpdToken {
  readonly text: string;
  /** SMTPD_TOK_ERROR: a <...> or "..." the command ended inside. */
  readonly error: boolean;
}

const isSpace = (ch: string) => ' \t\n\v\f\r'.includes(ch);

/** The words that end at their colon: "to:" and "from:", compared without case. */
const COLON_WORDS = ['to:', 'from:'];

/** smtp_quoted(): the stretch from `start` (just after the opening `open`) to its close; the index after it. */
function quoted(text: string, start: number, open: string): { end: number; closed: boolean } {
  const wanted = [open === '<' ? '>' : '"'];
  let i = start;
  while (i < text.length) {
    const ch = text[i++];
    const top = wanted[wanted.length - 1];
    if (ch === '\\') i++;
    else if (ch === top) {
      if (wanted.length === 1) return { end: i, closed: true };
      wanted.pop();
    } else if (ch === '"') wanted.push('"');
    else if (ch === '<' && top === '>') wanted.push('>');
  }
  return { end: text.length, closed: false };
}

/** smtpd_token(): the command's words. */
export function smtpdTokens(text: string): SmtpdToken[] {
  const tokens: SmtpdToken[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSpace(text[i] ?? '')) i++;
    if (i === text.length) break;
    const start = i;
    let error = false;
    while (i < text.length && !isSpace(text[i] ?? '')) {
      const ch = text[i++] ?? '';
      if (ch === '<' || ch === '"') {
        const stretch = quoted(text, i, ch);
        i = stretch.end;
        error ||= !stretch.closed;
      } else if (ch === '\\') i++;
      else if (ch === ':' && COLON_WORDS.includes(text.slice(start, i).toLowerCase())) break;
    }
    // A \ at the very end leaves i past the end, where slice() stops anyway.
    tokens.push({ text: text.slice(start, i), error });
  }
  return tokens;
}
