/* extract-addr - how many addresses Postfix's RFC 822 parser finds in a command's argument
 *
 * smtpd.c extract_addr() (v3.9.0) strips one pair of outer <>, drops a source route
 * (@a,@b:), parses the rest with tok822_parse() and refuses the argument when the parse tree holds
 * more than one address form, or none. This is that count:
 *   global/tok822_parse.c tok822_scan_limit(): white space separates; ( ) comments (nested, with
 *     \ escapes), "quoted strings" and [domain literals] are single tokens; each of |%!()<>@,;:\".[]
 *     is an operator; any other run of characters is an atom.
 *   tok822_parse_limit(): from right to left, clusters the tokens between boundaries into
 *     address nodes; "Add missing commas on the fly": two words with no operator between them
 *     (John Smith) are two addresses, while a phrase before <route> (John Smith <js@x>) is
 *     skipped over and only the bracketed part is an address. Comments are moved aside, so they
 *     count for nothing.
 * The address kept is tok822_internalize() of the ADDR node (extract_addr() keeps the last one):
 * its tokens' texts run together, no blank between them (a token inside a node gets no space,
 * tok822_append_space()), as tok822_scan_limit() stored them: a quoted string without its quotes,
 * a domain literal in [], each with its \ escapes taken and blanks made spaces (COLLECT()).
 * smtpd_check_addr() (its resolve, and non-ASCII domains without SMTPUTF8), which refuses some more
 * with the same reply, is resolve-addr.ts.
 */
import { checkAddrRefuses } from './resolve-addr.js';

const OPERATORS = '|%!()<>@,;:\\".[]';
const BLANKS = ' \t\r\n';

/** A token and its text as tok822_scan_limit() stores it (an operator is its own character). */
type Token = { readonly kind: 'word' | 'op'; readonly text: string };

/** COLLECT(): characters from `i` while `more` holds, a \ taking the next one whatever it is, blanks stored as spaces. */
function collect(text: string, i: number, more: (ch: string) => boolean): { text: string; end: number } {
  let out = '';
  while (i < text.length) {
    let ch = text[i] ?? '';
    if (ch === '\\') {
      i++;
      if (i === text.length) break;
      ch = text[i] ?? '';
    } else if (!more(ch)) break;
    out += BLANKS.includes(ch) ? ' ' : ch;
    i++;
  }
  return { text: out, end: i };
}

/** tok822_scan_limit(), comments left out (tok822_parse() moves them aside). */
function scan(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (BLANKS.includes(ch)) i++;
    else if (ch === '(') i = skipComment(text, i + 1);
    else if (ch === '[' || ch === '"') {
      // COLLECT_SKIP_LAST: up to the closing ] or ", then past it.
      const close = ch === '[' ? ']' : '"';
      const quoted = collect(text, i + 1, (c) => c !== close);
      i = quoted.end + 1;
      tokens.push({ kind: 'word', text: ch === '[' ? `[${quoted.text}]` : quoted.text });
    } else if (ch !== '\\' && OPERATORS.includes(ch)) {
      tokens.push({ kind: 'op', text: ch });
      i++;
    } else {
      const atom = collect(text, i, (c) => !BLANKS.includes(c) && !OPERATORS.includes(c));
      i = atom.end;
      tokens.push({ kind: 'word', text: atom.text });
    }
  }
  return tokens;
}

/** tok822_comment(): the index after the ) that closes the comment opened before `i` (or the end). */
function skipComment(text: string, i: number): number {
  let level = 1;
  while (i < text.length && level > 0) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '(') level++;
    else if (ch === ')') level--;
    i++;
  }
  return i;
}

const DO_WORD = 1;
const DO_GROUP = 2;

/** The address nodes tok822_parse_limit() makes: how many, and the tokens of the last one in the list. */
interface AddressNodes {
  readonly count: number;
  readonly last: readonly Token[];
}

/** tok822_parse_limit()'s clustering, right to left, counting the address nodes it makes. */
function addressNodes(tokens: readonly Token[]): AddressNodes {
  let count = 0;
  let last: readonly Token[] = [];
  // tok822_group(): a node for the tokens strictly between `left` and `right`, if there are any;
  // the first made is the rightmost, the last in the list.
  const group = (left: number, right: number) => {
    if (left + 1 < right) {
      if (count === 0) last = tokens.slice(left + 1, right);
      count++;
    }
  };
  const isOp = (i: number, ops: string) => {
    const t = tokens[i];
    return t?.kind === 'op' && ops.includes(t.text);
  };
  let state = DO_WORD;
  let right = tokens.length;
  let i = tokens.length - 1;
  while (i >= 0) {
    const t = tokens[i];
    if (t?.kind === 'word') {
      // A word after a word: the one to the right becomes an address, a comma goes between.
      if ((state & DO_WORD) === 0) {
        group(i, right);
        right = i + 1;
      }
      state &= ~DO_WORD;
    } else if (isOp(i, ';')) {
      group(i, right);
      right = i;
      state = DO_GROUP | DO_WORD;
    } else if (isOp(i, ':') && (state & DO_GROUP) !== 0) {
      group(i, right);
      let j = i;
      while (j >= 0 && !isOp(j, ',')) j--;
      right = j;
      i = j;
      continue;
    } else if (isOp(i, '>')) {
      group(i, right);
      let j = i;
      while (j >= 0 && !isOp(j, '<')) j--;
      group(j, i);
      // The phrase before <route> is skipped up to the previous > ; , or :.
      while (j >= 0 && !isOp(j, '>;,:')) j--;
      right = j;
      state |= DO_WORD;
      i = j;
      continue;
    } else if (isOp(i, ',')) {
      group(i, right);
      right = i;
      state |= DO_WORD;
    } else {
      state |= DO_WORD;
    }
    i--;
  }
  group(-1, right);
  return { count, last };
}

/** What extract_addr() parses: the argument less one pair of outer <> and a source route (@a,@b:). */
export function addressText(argument: string): string {
  // A one-character argument cannot both start with < and end with >, so no length test is needed.
  const text = argument.startsWith('<') && argument.endsWith('>') ? argument.slice(1, -1) : argument;
  // "Truncate deprecated route address form."
  const colon = text.indexOf(':');
  return text.startsWith('@') && colon >= 0 ? text.slice(colon + 1) : text;
}

/** What tok822_parse() finds in extract_addr()'s text: how many address forms (naddr), and tok822_internalize() of the last. */
export function parsedAddress(argument: string): { readonly count: number; readonly address: string } {
  const nodes = addressNodes(scan(addressText(argument)));
  return { count: nodes.count, address: nodes.last.map((t) => t.text).join('') };
}

/**
 * extract_addr()'s verdict: the address kept, or null for "Illegal address syntax": more than one
 * address form; an empty address where the command wants one (REJECT_EMPTY_ADDR: RCPT and VRFY; the
 * test is on the internal form, so an empty quoted string "" is empty too); or one that
 * smtpd_check_addr() refuses (resolve-addr.ts), which needs to know whether the command declared
 * SMTPUTF8.
 */
export function extractedAddress(argument: string, allowEmpty: boolean, smtputf8: boolean): string | null {
  const { count, address } = parsedAddress(argument);
  if (count > 1 || (address === '' && !allowEmpty) || checkAddrRefuses(address, smtputf8)) return null;
  return address;
}
