/* xclient - Dovecot's XCLIENT composition: attribute order, xtext, and the write boundaries of a split command
 *
 * submission-proxy.c proxy_send_xclient_more_data(): once the line passes 512 bytes, the text before
 * the attribute that overflowed goes out as one write and "\r\n" as the next; the last command is
 * one write with its CRLF.
 */
import { describe, expect, test } from 'vitest';
import { buildXclientCommands, xtextEncode } from '../../../models/front/index.ts';
import { backendWrites, runChain } from './chain.ts';

const values = { helo: 'client.example.test', proto: 'ESMTP' as const, login: 'alice@example.test', ttl: 4, port: 34202, addr: '127.0.0.1', destination: null, session: 'e10uP0VhmoV/AAAB' };
const POSTFIX_ATTRIBUTES = 'NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT'.split(' ');

describe('XCLIENT composition', () => {
  test('Postfix\'s attributes in Dovecot\'s order: HELO PROTO LOGIN PORT ADDR (A1)', () => {
    expect(buildXclientCommands(POSTFIX_ATTRIBUTES, values)).toEqual([
      ['XCLIENT HELO=client.example.test PROTO=ESMTP LOGIN=alice@example.test PORT=34202 ADDR=127.0.0.1\r\n'],
    ]);
  });

  test('TTL and SESSION when offered; LOGIN only with proxy_noauth; [UNAVAILABLE] without HELO', () => {
    expect(buildXclientCommands(['SESSION', 'TTL', 'LOGIN', 'HELO'], { ...values, login: null, helo: null })).toEqual([
      ['XCLIENT HELO=[UNAVAILABLE] TTL=4 SESSION=e10uP0VhmoV/AAAB\r\n'],
    ]);
  });

  test('xtext: "+", "=", space and control bytes become +XX', () => {
    expect(xtextEncode('a+b=c d\x01é')).toBe('a+2Bb+3Dc+20d+01+E9');
  });

  test('xtext: "+" or "=" alone is encoded too, and "!" and "~" (33 and 126, the xchar bounds) are kept', () => {
    expect(xtextEncode('a+b')).toBe('a+2Bb');
    expect(xtextEncode('a=b')).toBe('a+3Db');
    expect(xtextEncode('!~ ~!')).toBe('!~+20~!');
  });

  // proxy_send_xclient(): proto stays "[UNAVAILABLE]" for SMTP_PROXY_PROTOCOL_UNKNOWN.
  test('PROTO=[UNAVAILABLE] when the client never said HELO or EHLO', () => {
    expect(buildXclientCommands(['PROTO'], { ...values, proto: null })).toEqual([['XCLIENT PROTO=[UNAVAILABLE]\r\n']]);
  });

  test('a line passing 512 bytes is cut before the attribute that overflowed: text and CRLF are two writes', () => {
    const login = `${'l'.repeat(430)}@example.test`;
    const commands = buildXclientCommands(POSTFIX_ATTRIBUTES, { ...values, login });
    const first = `XCLIENT HELO=client.example.test PROTO=ESMTP LOGIN=${login}`;
    expect(first.length + ' PORT=34202'.length).toBeLessThanOrEqual(512);
    expect(first.length + ' PORT=34202 ADDR=127.0.0.1'.length).toBeGreaterThan(512);
    expect(commands).toEqual([
      [`${first} PORT=34202`, '\r\n'],
      ['XCLIENT ADDR=127.0.0.1\r\n'],
    ]);
  });

  test('a line of exactly 512 bytes is not cut (proxy_send_xclient_more_data: str_len(buf) > 512)', () => {
    const login = 'x'.repeat(512 - 'XCLIENT LOGIN='.length);
    expect(buildXclientCommands(['LOGIN'], { ...values, login })).toEqual([[`XCLIENT LOGIN=${login}\r\n`]]);
  });

  test('an attribute too long on its own is sent whole, and the buffer restarts empty', () => {
    const login = 'x'.repeat(600);
    expect(buildXclientCommands(['LOGIN', 'ADDR'], { ...values, login })).toEqual([
      [`XCLIENT LOGIN=${login}`, '\r\n'],
      ['XCLIENT ADDR=127.0.0.1\r\n'],
    ]);
  });

  test('through the simulator: a 443-byte user gives XCLIENT part, CRLF, XCLIENT rest, EHLO as four writes', () => {
    const user = `${'l'.repeat(430)}@example.test`;
    const run = runChain({ kind: 'dovecot-2.3', client: { user }, postfix: { saslUsers: { [user]: 'secret' } } });
    const [first] = backendWrites(run.events);
    expect(first!.slice(0, 5).map((w) => w.replace(/PORT=\d+/, 'PORT=<p>'))).toEqual([
      'EHLO front.example.test\r\n',
      `XCLIENT HELO=client.example.test PROTO=ESMTP LOGIN=${user} PORT=<p>`,
      '\r\n',
      'XCLIENT ADDR=127.0.0.1\r\n',
      'EHLO front.example.test\r\n',
    ]);
  });
});
