/* lib-smtp-helo - which EHLO/HELO arguments Dovecot's lib-smtp calls a valid domain, and what XCLIENT then says
 *
 * dovecot/core 2.3.19.1 src/lib-smtp/smtp-server-cmd-helo.c smtp_server_cmd_helo_run(),
 * smtp-syntax.c smtp_helo_domain_parse(), smtp-parser.c smtp_parser_parse_domain() and
 * smtp_parser_parse_address_literal(), smtp-server-connection.c smtp_server_connection_get_proxy_data(),
 * src/submission-login/submission-proxy.c proxy_send_xclient().
 */
import { describe, expect, test } from 'vitest';
import { createFront } from '../../../models/front/index.ts';
import { validHeloDomain } from '../../../models/front/lib-smtp-helo.ts';
import { DirectDriver } from './direct-driver.ts';
import { answerLookup, CLIENT, local, OK_RESPONSE, remote } from './dovecot-driver.ts';

const PLAIN_ALICE = `AUTH PLAIN ${Buffer.from('\0alice@example.test\0secret').toString('base64')}\r\n`;

/** The client's EHLO/HELO reply and the XCLIENT line the proxy then writes to the backend. */
function afterHelo(helo: string): { reply: string; xclient: string } {
  const d = new DirectDriver(createFront('dovecot-2.3')).input({ kind: 'accepted', conn: CLIENT, local, remote }).advanceBy(20_000);
  d.bytes(CLIENT, `${helo}\r\n`).advanceBy(1_000);
  const reply = d.writes(CLIENT).at(-1)!;
  d.bytes(CLIENT, PLAIN_ALICE).advanceBy(1_000);
  const backend = answerLookup(d, OK_RESPONSE)!;
  d.input({ kind: 'connected', conn: backend, local: { host: '127.0.0.1', port: 50001 }, remote: { host: '127.0.0.1', port: 10025 } });
  d.bytes(backend, '220 b\r\n').advanceBy(1_000);
  d.bytes(backend, '250 XCLIENT HELO PROTO LOGIN TTL PORT ADDR\r\n').advanceBy(1_000);
  return { reply, xclient: d.writes(backend)[1]! };
}

describe('an invalid domain is answered 250 and reaches the backend as HELO=[UNAVAILABLE]', () => {
  test.each([
    ['EHLO caf\u00c3\u00a9', 'ESMTP'],
    ['EHLO bad..example', 'ESMTP'],
    ['EHLO trailing.dot.', 'ESMTP'],
    ['EHLO !!!', 'ESMTP'],
    ['EHLO [256.1.1.1]', 'ESMTP'],
    ['HELO [203.0.113.25]', 'SMTP'],
  ])('%s', (helo, proto) => {
    const { reply, xclient } = afterHelo(helo);
    expect(reply).toMatch(/^250[ -]/);
    expect(xclient).toBe(`XCLIENT HELO=[UNAVAILABLE] PROTO=${proto} LOGIN=alice@example.test TTL=4 PORT=40000 ADDR=127.0.0.1\r\n`);
  });

  test('a valid one goes on as it was written, without what follows its space', () => {
    expect(afterHelo('EHLO [203.0.113.25] x').xclient).toMatch(/^XCLIENT HELO=\[203\.0\.113\.25\] PROTO=ESMTP /);
    expect(afterHelo('HELO under_score-host.example').xclient).toMatch(/^XCLIENT HELO=under_score-host\.example PROTO=SMTP /);
  });

  test('an empty argument is still "501 Missing hostname"', () => {
    const d = new DirectDriver(createFront('dovecot-2.3')).input({ kind: 'accepted', conn: CLIENT, local, remote }).advanceBy(20_000);
    d.bytes(CLIENT, 'EHLO\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT).at(-1)).toBe('501 Missing hostname\r\n');
  });
});

describe('validHeloDomain', () => {
  test('domains: labels of letters, digits, - and _, single dots', () => {
    for (const name of ['laptop', 'a.b.c', '-x_.y-', '203.0.113.25', 'A1']) expect([name, validHeloDomain(name, true)]).toEqual([name, name]);
    for (const name of ['.a', 'a..b', 'a.', 'a/b', 'a:b', 'caf\u00c3\u00a9', '\tx']) expect([name, validHeloDomain(name, false)]).toEqual([name, null]);
  });

  test('address literals: EHLO only; IPv4 of four bytes up to 255; a tag with dcontent; IPv6: checked', () => {
    expect(validHeloDomain('[1.2.3.4]', false)).toBe('[1.2.3.4]');
    expect(validHeloDomain('[1.2.3.4]', true)).toBeNull();
    for (const ok of ['[255.0.0.001]', '[IPv6:::1]', '[ipv6:2001:db8::1]', '[x-tag:any!thing]']) expect([ok, validHeloDomain(ok, false)]).toEqual([ok, ok]);
    for (const bad of ['[1.2.3]', '[1.2.3.4.5]', '[1.2.3.256]', '[IPv6:nope]', '[tag:]', '[tag-:x]', '[:x]', '[1.2.3.4', '[x:a[b]', '[1.2.3.4]x']) expect([bad, validHeloDomain(bad, false)]).toEqual([bad, null]);
  });
});
