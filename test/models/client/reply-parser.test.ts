import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { MAX_REPLY_BYTES, ReplyParser, type ServerReply } from '../../../models/client/reply-parser.ts';

const STREAM =
  '220 front.example.test Dovecot ready.\r\n' +
  '250-front.example.test\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250-PIPELINING\r\n250 VRFY\r\n' +
  '334 \r\n' +
  '235 2.7.0 Logged in.\r\n';

function parseChunks(chunks: readonly string[]): ServerReply[] {
  const parser = new ReplyParser();
  const replies: ServerReply[] = [];
  for (const chunk of chunks) {
    parser.push(Buffer.from(chunk, 'latin1'));
    for (let r = parser.next(); r !== undefined; r = parser.next()) replies.push(r);
  }
  return replies;
}

const WHOLE = parseChunks([STREAM]);

describe('ReplyParser', () => {
  it('cuts a whole stream into replies, multi-line ones kept together', () => {
    expect(WHOLE.map((r) => r.code)).toEqual([220, 250, 334, 235]);
    expect(WHOLE[1]?.lines).toEqual(['250-front.example.test', '250-8BITMIME', '250-AUTH PLAIN LOGIN', '250-PIPELINING', '250 VRFY']);
    expect(WHOLE[1]?.text).toBe('250-front.example.test\n250-8BITMIME\n250-AUTH PLAIN LOGIN\n250-PIPELINING\n250 VRFY');
    expect(WHOLE[2]?.finalLine).toBe('334 ');
  });

  it('gives the same replies fed one byte at a time', () => {
    expect(parseChunks([...STREAM])).toEqual(WHOLE);
  });

  test.prop([fc.array(fc.nat(STREAM.length), { maxLength: 20 })])('gives the same replies at any cut points', (cuts) => {
    const points = [...new Set(cuts)].sort((a, b) => a - b);
    const chunks = [0, ...points].map((start, i) => STREAM.slice(start, points[i] ?? STREAM.length));
    expect(parseChunks(chunks)).toEqual(WHOLE);
  });

  it('holds a reply back until its final line, and keeps trailing data for the next one', () => {
    const parser = new ReplyParser();
    parser.push(Buffer.from('250-a\r\n250-b\r\n'));
    expect(parser.next()).toBeUndefined();
    parser.push(Buffer.from('250 c\r\n221 bye'));
    expect(parser.next()?.lines).toEqual(['250-a', '250-b', '250 c']);
    expect(parser.next()).toBeUndefined();
    parser.push(Buffer.from('\r\n'));
    expect(parser.next()?.text).toBe('221 bye');
  });

  it('accepts bare LF and drops every CR, like swaks', () => {
    expect(parseChunks(['250-x\n25\r0 y\r\r\n']).map((r) => r.lines)).toEqual([['250-x', '250 y']]);
  });

  it('keeps non-reply lines inside the reply, as swaks does', () => {
    expect(parseChunks(['garbage\r\n250\r\n250 ok\r\n']).map((r) => r.lines)).toEqual([['garbage', '250', '250 ok']]);
  });

  it('keeps every byte value in the text (latin1)', () => {
    const parser = new ReplyParser();
    parser.push(Uint8Array.from([0x35, 0x35, 0x30, 0x20, 0xff, 0x00, 0x80, 0x0a]));
    expect(parser.next()?.finalLine).toBe('550 \u00ff\u0000\u0080');
  });

  it('flags a reply that grows past the bound instead of buffering forever', () => {
    const parser = new ReplyParser();
    parser.push(Buffer.from('250-'.padEnd(MAX_REPLY_BYTES, 'x')));
    expect(parser.overflow).toBe(false);
    parser.push(Buffer.from('xx\r\n'));
    expect(parser.overflow).toBe(true);
  });
});
