/* inline-table - an inline:{ name=value, ... } table as util/dict_inline.c reads it, values with white space included
 *
 * dict_inline_open() (v3.7.11, the same at v3.5.0 and v3.10.13): the text after "inline:" must be one
 * balanced {...} (balpar(), else "bad syntax: ... need inline:{name=value...}"); inside it the items are
 * mystrtokq(CHARS_COMMA_SP, CHARS_BRACE)'s words, an item in braces has them stripped (extpar(),
 * EXTPAR_FLAG_STRIP), so "{ name = a value with spaces }" is one item, and each item is split by
 * split_qnameval(): the name up to white space or '=', then '=', then the value with its blanks trimmed.
 * smtpd opens its access and login tables with DICT_FLAG_FOLD_FIX, so the names are case-folded.
 */

/** The table's entries by lower-case name, or the reason dict_inline_open() would refuse `text`. */
export function parseInlineTable(text: string): Readonly<Record<string, string>> | string {
  const match = /^inline:(\{.*\})$/is.exec(text);
  if (match === null || !balanced(match[1]!)) return `"${text}": bad syntax; need "inline:{name=value...}" (dict_inline.c)`;
  const inner = match[1]!.slice(1, -1);
  if (inner.trim() === '') return `"${text}": bad syntax; need "inline:{name=value...}" (dict_inline.c)`;
  const entries: Record<string, string> = {};
  for (const word of restrictionWords(inner)) {
    const item = word.startsWith('{') ? word.slice(1, word.endsWith('}') ? -1 : undefined).trim() : word;
    const split = /^([^\s=]+)\s*=\s*(.*)$/s.exec(item);
    if (split === null) return `"${text}": "${item}": missing '=' after attribute name (split_qnameval())`;
    entries[split[1]!.toLowerCase()] = split[2]!.trim();
  }
  return entries;
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
