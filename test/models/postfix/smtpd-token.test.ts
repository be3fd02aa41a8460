/* smtpd-token - smtpd_token()'s words, as postfix/src/smtpd/smtpd_token.c (v3.7.11) splits a command
 *
 * smtp_next_token(): ISSPACE separates, \ takes the next character, a word ending "to:" or "from:"
 * (any case) ends at that colon, < and " open smtp_quoted() stretches that white space does not end;
 * smtp_quoted(): \ escapes, " nests inside <>, < nests inside <>, and the end of the command inside
 * one makes the word SMTPD_TOK_ERROR. The expected words are read off that code by hand (not run).
 */
import { describe, expect, it } from 'vitest';
import { smtpdTokens } from '../../../models/postfix/smtpd-token.js';

const words = (text: string) => smtpdTokens(text).map((t) => (t.error ? `!${t.text}` : t.text));

describe('smtpd_token()', () => {
  it('white space of every ISSPACE kind separates, and none is a word', () => {
    expect(words(' MAIL\tFROM:\v<a@b>\f SIZE=1\r')).toEqual(['MAIL', 'FROM:', '<a@b>', 'SIZE=1']);
    expect(words('   ')).toEqual([]);
  });
  it('"from:" and "to:" end at the colon in any case, other words with a colon do not', () => {
    expect(words('MAIL FROM:<a@b>')).toEqual(['MAIL', 'FROM:', '<a@b>']);
    expect(words('rcpt To:x@y')).toEqual(['rcpt', 'To:', 'x@y']);
    expect(words('XFROM:a SENDER:b')).toEqual(['XFROM:a', 'SENDER:b']);
    expect(words('MAIL FROM:')).toEqual(['MAIL', 'FROM:']);
  });
  it('<...> and "..." keep their white space, anywhere in a word, nested <> and " inside <>', () => {
    expect(words('MAIL FROM:<a b@c> X')).toEqual(['MAIL', 'FROM:', '<a b@c>', 'X']);
    expect(words('MAIL FROM:x<a b>y z')).toEqual(['MAIL', 'FROM:', 'x<a b>y', 'z']);
    expect(words('MAIL FROM:<"a> b"@c> X')).toEqual(['MAIL', 'FROM:', '<"a> b"@c>', 'X']);
    expect(words('MAIL FROM:<<a> b> X')).toEqual(['MAIL', 'FROM:', '<<a> b>', 'X']);
    expect(words('VRFY "a b" c')).toEqual(['VRFY', '"a b"', 'c']);
    // smtp_quoted() nests a < only while it wants a > ("c == '<' && wanted == '>'"): inside "..." it is text.
    expect(words('MAIL FROM:"a<b"@c X')).toEqual(['MAIL', 'FROM:', '"a<b"@c', 'X']);
  });
  it('a backslash takes the next character, in a word and inside a quoted stretch', () => {
    expect(words('a\\ b c')).toEqual(['a\\ b', 'c']);
    expect(words('<a\\> b> c')).toEqual(['<a\\> b>', 'c']);
    expect(words('x\\')).toEqual(['x\\']);
  });
  it('a command that ends inside <...> or "..." leaves that word an error', () => {
    expect(words('MAIL FROM:<a@b')).toEqual(['MAIL', 'FROM:', '!<a@b']);
    expect(words('MAIL FROM:<a@b SIZE=1')).toEqual(['MAIL', 'FROM:', '!<a@b SIZE=1']);
    expect(words('MAIL FROM:<<a> b')).toEqual(['MAIL', 'FROM:', '!<<a> b']);
    expect(words('MAIL FROM:"a')).toEqual(['MAIL', 'FROM:', '!"a']);
    expect(words('MAIL FROM:<a\\>')).toEqual(['MAIL', 'FROM:', '!<a\\>']);
  });
});
