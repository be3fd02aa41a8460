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
 * Not modelled: smtpd_check_addr()'s resolve of the address (trivial-rewrite resolve.c: a bad
 * domain literal or hostname, a local part starting with '-'), which refuses with the same reply.
 */

const OPERATORS = '|%!()<>@,;:\\".[]';

type Token = { readonly kind: 'word' } | { readonly kind: 'op'; readonly op: string };

/** tok822_scan_limit(), comments left out (tok822_parse() moves them aside). */
function scan(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (' \t\r\n'.includes(ch)) i++;
    else if (ch === '(') i = skipComment(text, i + 1);
    else if (ch === '[' || ch === '"') {
      // COLLECT_SKIP_LAST: up to the closing ] or ", backslash escapes taken as they are.
      const close = ch === '[' ? ']' : '"';
      i++;
      while (i < text.length && text[i] !== close) i += text[i] === '\\' ? 2 : 1;
      i++;
      tokens.push({ kind: 'word' });
    } else if (ch !== '\\' && OPERATORS.includes(ch)) {
      tokens.push({ kind: 'op', op: ch });
      i++;
    } else {
      while (i < text.length && (text[i] === '\\' || !(' \t\r\n'.includes(text[i] ?? '') || OPERATORS.includes(text[i] ?? '')))) i += text[i] === '\\' ? 2 : 1;
      tokens.push({ kind: 'word' });
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

/** tok822_parse_limit()'s clustering, counting the address nodes it makes. */
function countAddressNodes(tokens: readonly Token[]): number {
  let count = 0;
  // tok822_group(): a node for the tokens strictly between `left` and `right`, if there are any.
  const group = (left: number, right: number) => {
    if (left + 1 < right) count++;
  };
  const isOp = (i: number, ops: string) => {
    const t = tokens[i];
    return t?.kind === 'op' && ops.includes(t.op);
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
  return count;
}

/** What extract_addr() parses: the argument less one pair of outer <> and a source route (@a,@b:). */
export function addressText(argument: string): string {
  // A one-character argument cannot both start with < and end with >, so no length test is needed.
  const text = argument.startsWith('<') && argument.endsWith('>') ? argument.slice(1, -1) : argument;
  // "Truncate deprecated route address form."
  const colon = text.indexOf(':');
  return text.startsWith('@') && colon >= 0 ? text.slice(colon + 1) : text;
}

/**
 * The address extract_addr() keeps, tok822_internalize() of the one ADDR node, for the forms
 * clients send: the <addr-spec> after a phrase (John Smith <js@x>, x<a@b>), else the text itself.
 * Not modelled: comments kept around a bare addr-spec, and the unquoting of quoted strings.
 */
export function addrSpecOf(argument: string): string {
  const text = addressText(argument);
  return /<([^<>]*)>$/.exec(text)?.[1] ?? text;
}

/** extract_addr()'s verdict on an argument: one address, or the trouble it reports. */
export function addressCountOf(argument: string): number {
  return countAddressNodes(scan(addressText(argument)));
}
