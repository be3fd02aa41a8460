/* inline-table - an inline:{ name=value, ... } table as util/dict_inline.c reads it, values with white space included
 *
 * dict_inline_open() (v3.7.11, the same at v3.5.0 and v3.10.13), the one reading every inline table of the
 * lab goes through (access and login tables, routing tables, config.ts's key tables): the type name is
 * "inline" exactly (dict_open3() looks types up with case: "INLINE:" is "unsupported dictionary type");
 * the text after it must be one balanced {...} and nothing after it (balpar(), else "bad syntax"), not
 * "{}" (bad syntax either); inside it the items are mystrtokq(CHARS_COMMA_SP, CHARS_BRACE)'s words, an item
 * in braces has them stripped (extpar(), EXTPAR_FLAG_STRIP), so "{ name = a value with spaces }" is one
 * item, and each item is split by split_qnameval(): blanks, the name up to white space or '=' (a backslash
 * escapes, double quotes group), then '=', then the value with its blanks trimmed; no item at all is
 * "empty table". An empty name ("=a=b") is stored with postmap's warning "empty lookup key value is not
 * allowed" and can never match: the lab refuses it. Each refusal reads as dict_inline_open()'s own
 * ("<error>: "inline:{...}"; need "inline:{name=value...}""), checked with the real 3.7.11's postmap -s.
 * smtpd opens its access and login tables with DICT_FLAG_FOLD_FIX, so the names are case-folded.
 */

/** Why dict_inline_open() refuses a table: its whole syntax, no item, or one item (split_qnameval()'s error). */
export type InlineTableProblem = { readonly kind: 'syntax' } | { readonly kind: 'empty' } | { readonly kind: 'item'; readonly item: string; readonly error: string };

/** The table's entries by lower-case name, or what makes dict_inline_open() refuse `text`. */
export function readInlineTable(text: string): { readonly entries: Readonly<Record<string, string>> } | { readonly problem: InlineTableProblem } {
  const match = /^inline:(\{.*\})$/s.exec(text);
  if (match === null || !balanced(match[1]!) || match[1] === '{}') return { problem: { kind: 'syntax' } };
  const entries: Record<string, string> = {};
  for (const word of restrictionWords(match[1]!.slice(1, -1))) {
    const item = word.startsWith('{') ? word.slice(1, word.endsWith('}') ? -1 : undefined).trim() : word;
    const split = splitQnameval(item);
    if (typeof split === 'string') return { problem: { kind: 'item', item, error: split } };
    entries[split.name.toLowerCase()] = split.value;
  }
  return Object.keys(entries).length === 0 ? { problem: { kind: 'empty' } } : { entries };
}

/** dict_inline_open()'s text for a refused table. */
export function inlineTableProblemText(text: string, problem: InlineTableProblem): string {
  const error = problem.kind === 'syntax' ? 'bad syntax' : problem.kind === 'empty' ? 'empty table' : problem.error;
  return `${error}: "${text}"; need "inline:{name=value...}"`;
}

/** The table's entries by lower-case name, or dict_inline_open()'s reason to refuse `text`. */
export function parseInlineTable(text: string): Readonly<Record<string, string>> | string {
  const read = readInlineTable(text);
  return 'entries' in read ? read.entries : inlineTableProblemText(text, read.problem);
}

/** split_qnameval(): name and value of one item, or its error (an empty name too, which no lookup can find). */
function splitQnameval(item: string): { readonly name: string; readonly value: string } | string {
  const text = item.replace(/^\s+/, '');
  if (text === '') return 'no key found; expected format: key = value';
  let end = 0;
  let quoted = false;
  for (; end < text.length; end++) {
    const ch = text[end]!;
    if (ch === '\\') {
      if (++end >= text.length) break;
    } else if (/\s|=/.test(ch)) {
      if (!quoted) break;
    } else if (ch === '"') quoted = !quoted;
  }
  if (quoted) return "unbalanced '\"'";
  const rest = text.slice(end).replace(/^\s+/, '');
  if (!rest.startsWith('=')) return "missing '=' after attribute name";
  if (end === 0) return 'empty lookup key value is not allowed';
  return { name: text.slice(0, end), value: rest.slice(1).trim() };
}

/** balpar(): the text is one {...} whose braces balance. */
function balanced(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0 && i !== text.length - 1) return false;
    if (depth < 0) return false;
  }
  return depth === 0;
}

/** mystrtokq(CHARS_COMMA_SP, CHARS_BRACE): words split at commas and white space, a {...} stretch kept whole. */
export function restrictionWords(value: string): string[] {
  const words: string[] = [];
  let word = '';
  let depth = 0;
  for (const ch of value) {
    if (depth === 0 && /[\s,]/.test(ch)) {
      if (word !== '') words.push(word);
      word = '';
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    word += ch;
  }
  if (word !== '') words.push(word);
  return words;
}
