/* text - escape(), xtext decoding and printable() as Postfix does them */
import { describe, expect, it } from 'vitest';
import { escape, printable, xtextUnquote } from '../../../models/postfix/text.js';

describe('escape (util/unescape.c escape())', () => {
  it('escapes CR LF as in the real "improper command pipelining" log line', () => {
    expect(escape('EHLO front.example.test\r\n')).toBe('EHLO front.example.test\\r\\n');
  });
  it('uses C escapes, doubles backslashes and writes other bytes in octal', () => {
    expect(escape('\x07\b\f\t\v\\')).toBe('\\a\\b\\f\\t\\v\\\\');
    expect(escape('\x00\x1b\x7f\xe9')).toBe('\\000\\033\\177\\351');
  });
});

describe('xtextUnquote (global/xtext.c)', () => {
  it('decodes +HH in either case', () => {
    expect(xtextUnquote('alice+40example.test')).toBe('alice@example.test');
    expect(xtextUnquote('a+2bb+2B')).toBe('a+b+');
  });
  it('reports malformed xtext so the raw value is used', () => {
    expect(xtextUnquote('a+4')).toBeNull();
    expect(xtextUnquote('a+ZZ')).toBeNull();
  });
});

describe('printable', () => {
  it('replaces non-printable characters by ?', () => {
    expect(printable('a\tb\xe9c')).toBe('a?b?c');
  });

  it('keeps UTF-8 as printable_except() does with util_utf8_enable (smtputf8_enable = yes): a lead byte 194-254 and its continuation bytes', () => {
    expect(printable('\xc2\xa1@example.test')).toBe('\xc2\xa1@example.test');
    expect(printable('caf\xc3\xa9')).toBe('caf\xc3\xa9');
    expect(printable('\xf0\x9f\x92\xb7!')).toBe('\xf0\x9f\x92\xb7!');
    // Its test is loose: a lead byte with too many continuation bytes stays whole.
    expect(printable('\xc3\xa9\xa9x')).toBe('\xc3\xa9\xa9x');
    // 0xc0, 0xc1 and 0xff lead nothing; a continuation byte alone, or a lead byte at the end, is '?'.
    expect(printable('\xc0\x80 \xc1\xbf \xff\x80 \xa9 \xc3')).toBe('?? ?? ?? ? ?');
  });
  // printable_except(): "ch >= 194 && ch <= 254 && cp[1] >= 128 && cp[1] < 192", at each bound.
  it('the bounds: 0xfe leads, 0x80 continues; 0xc0 and another lead byte do not continue', () => {
    expect(printable('\xfe\x80')).toBe('\xfe\x80');
    expect(printable('\xc3\xc0')).toBe('??');
    expect(printable('\xc3\xc3\xa9')).toBe('?\xc3\xa9');
  });
});

describe('the character-class edges', () => {
  it('xtext: +HH with 0-9, a-f, A-F only; the bytes either side of each range are malformed', () => {
    expect(xtextUnquote('+30+39+61+66+41+46+00+ff+FF+aa+AA')).toBe('09afAF\x00\xff\xff\xaa\xaa');
    expect(['+/0', '+:0', '+`0', '+g0', '+@0', '+G0', '+0/', '+0:', '+0`', '+0g', '+0@', '+0G'].filter((x) => xtextUnquote(x) !== null)).toEqual([]);
  });
  it('xtext: a "+" with nothing or one digit after it is malformed; text without "+" is kept as is', () => {
    expect(xtextUnquote('a+')).toBeNull();
    expect(xtextUnquote('+4')).toBeNull();
    expect(xtextUnquote('plain text=1')).toBe('plain text=1');
    expect(xtextUnquote('')).toBe('');
  });
  it('printable keeps space to tilde, no byte outside it', () => {
    expect(printable('\x1f ~\x7f')).toBe('? ~?');
  });
  it('escape keeps space to tilde and writes the bytes just outside in octal', () => {
    expect(escape('\x1f ~\x7f\x80')).toBe('\\037 ~\\177\\200');
  });
});
