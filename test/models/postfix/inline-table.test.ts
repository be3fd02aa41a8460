/* inline-table - one reading of util/dict_inline.c for every inline table of the lab
 *
 * dict_inline_open() and split_qnameval() (v3.7.11). The refusals' texts are the real 3.7.11's, as
 * `postmap -c <dir> -s '<table>'` printed them: "bad syntax", "empty table", "missing '=' after attribute
 * name", "unbalanced '"'", "unsupported dictionary type: INLINE"; "=a=b" opens with the warning "empty
 * lookup key value is not allowed" and its entry never matches, so the lab refuses it.
 */
import { describe, expect, it } from 'vitest';
import { inlineTableProblem, parseInlineTableKeys } from '../../../models/postfix/config.js';
import { parseInlineTable } from '../../../models/postfix/inline-table.js';

describe('parseInlineTable()', () => {
  it('names case-folded, values trimmed, an item in braces whole', () => {
    expect(parseInlineTable('inline:{ A@x.test=REJECT, {b@x.test = HOLD kept for review}, c=d }')).toEqual({ 'a@x.test': 'REJECT', 'b@x.test': 'HOLD kept for review', c: 'd' });
  });

  it("refuses as dict_inline_open() does, in its words", () => {
    const need = (text: string, error: string) => `${error}: "${text}"; need "inline:{name=value...}"`;
    for (const [text, error] of [
      ['inline:{}', 'bad syntax'],
      ['inline:{ a=b }junk', 'bad syntax'],
      ['inline:{ a=b', 'bad syntax'],
      ['inline:{ }', 'empty table'],
      ['inline:{ x }', "missing '=' after attribute name"],
      ['inline:{ "a b"=c }', "unbalanced '\"'"],
      ['inline:{ =a=b }', 'empty lookup key value is not allowed'],
      ['inline:{ { } }', 'no key found; expected format: key = value'],
    ] as const) expect(parseInlineTable(text), text).toBe(need(text, error));
  });

  it('the type name with case: INLINE: is no inline table', () => {
    expect(parseInlineTable('INLINE:{ a=b }')).toBe('bad syntax: "INLINE:{ a=b }"; need "inline:{name=value...}"');
    expect(inlineTableProblem('virtual_mailbox_maps', 'INLINE:{ a=b }')).toMatch(/the lab looks up one inline:\{ key=value, \.\.\. \} table only/);
  });
});

describe("config.ts's key tables read through the same parser", () => {
  it('an item in braces, a backslash and double quotes in a name, as dict_inline.c reads them (postmap -s: "alice@example.test", "b\\=c", "\"q=r\"")', () => {
    expect(parseInlineTableKeys('virtual_mailbox_maps', 'inline:{ {Alice@example.test = x y}, b\\=c=d, "q=r"=s }')).toEqual(['alice@example.test', 'b\\=c', '"q=r"']);
  });

  it('the errors keep their wording, with the real reason named', () => {
    expect(inlineTableProblem('local_recipient_maps', 'inline:{ }')).toBe('local_recipient_maps: inline:{ }: an inline table needs at least one name=value (dict_inline.c: "empty table")');
    expect(inlineTableProblem('local_recipient_maps', 'inline:{ alice }')).toBe(`local_recipient_maps: "alice" in inline:{ alice }: need name=value (dict_inline.c: "missing '=' after attribute name")`);
  });
});
