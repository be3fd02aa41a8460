/* xclient - xclient_cmd(): authorization, attribute checks, resets, re-evaluation */
import { describe, expect, it } from 'vitest';
import { labPreset } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const BANNER = '220 backend.example.test ESMTP lab-postfix';
const replyTo = (line: string, config = labPreset(), from = '127.0.0.1') => talk(config, lockstep([EHLO, line, 'QUIT\r\n']), from);

describe('XCLIENT', () => {
  it('is refused (550) for clients outside smtpd_authorized_xclient_hosts, and not announced', () => {
    const run = replyTo('XCLIENT ADDR=127.0.0.1\r\n', labPreset(), '10.1.2.3');
    expect(run.replies.some((r) => r.startsWith('250-XCLIENT'))).toBe(false);
    expect(run.replies).toContain('550 5.7.0 Error: insufficient authorization');
    expect(run.logLines.at(-1)).toBe('disconnect from unknown[10.1.2.3] ehlo=1 xclient=0/1 quit=1 commands=2/3');
  });

  it('re-evaluates authorization against the new address: a second XCLIENT after ADDR=<outside> gets 550', () => {
    const run = talk(labPreset(), lockstep([EHLO, 'XCLIENT ADDR=192.0.2.7\r\n', EHLO, 'XCLIENT ADDR=127.0.0.1\r\n', 'QUIT\r\n']));
    expect(run.replies.filter((r) => r === BANNER)).toHaveLength(2);
    expect(run.replies.filter((r) => r.startsWith('250-XCLIENT'))).toHaveLength(1);
    expect(run.replies).toContain('550 5.7.0 Error: insufficient authorization');
    // ADDR without NAME keeps the old name, as in xclient_cmd().
    expect(run.logLines.at(-1)).toBe('disconnect from localhost[192.0.2.7] ehlo=2 xclient=0/2 quit=1 commands=3/5');
  });

  it('HELO=, PROTO= and LOGIN= before a bad attribute stay in force: xclient_cmd() sets each as it checks it (found by the smtpd differential)', () => {
    // HELO= satisfies smtpd_helo_required although the XCLIENT got 501.
    const helo = talk(labPreset(), lockstep(['XCLIENT HELO=peer.example.test ADDR=not-an-address\r\n', 'MAIL FROM:<a@example.test>\r\n', 'QUIT\r\n']));
    expect(helo.replies.slice(1, 3)).toEqual(['501 5.5.4 Bad ADDR syntax: not-an-address', '250 2.1.0 Ok']);
    // LOGIN= logged the client in (smtpd_sasl_auth_extern()): AUTH is refused as a second login.
    const login = talk(labPreset(), lockstep([EHLO, 'XCLIENT LOGIN=alice@example.test FOO=bar\r\n', 'AUTH PLAIN\r\n', 'QUIT\r\n']));
    expect(login.replies.slice(-3, -1)).toEqual(['501 5.5.4 Bad XCLIENT attribute name: FOO', '503 5.5.1 Error: already authenticated']);
    // PROTO=SMTP after EHLO: MAIL and RSET in one write are now unauthorized pipelining (the real 3.7.11 answers
    // so; after EHLO alone both get 250).
    const proto = talk(labPreset(), lockstep([EHLO, 'XCLIENT PROTO=SMTP FOO=bar\r\n', 'MAIL FROM:<a@example.test>\r\nRSET\r\n']));
    expect(proto.replies.slice(-2)).toEqual(['501 5.5.4 Bad XCLIENT attribute name: FOO', '554 5.5.0 Error: SMTP protocol synchronization']);
  });

  it('a refused XCLIENT changes nothing it was not given: the EHLO name and protocol stay, and no login is made', () => {
    // A client allowed to send XCLIENT but outside mynetworks, so the relay check has to reject and log.
    const config = labPreset({ smtpd_authorized_xclient_hosts: ['10.1.2.3'] });
    const run = talk(config, lockstep([EHLO, 'XCLIENT FOO=bar\r\n', 'MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<x@elsewhere.test>\r\n', 'QUIT\r\n']), '10.1.2.3');
    expect(run.replies).toContain('554 5.7.1 <x@elsewhere.test>: Relay access denied');
    expect(run.logLines.find((line) => line.startsWith('NOQUEUE: reject: RCPT'))).toMatch(/; from=<a@example\.test> to=<x@elsewhere\.test> proto=ESMTP helo=<front\.example\.test>$/);
    expect(run.facts.map((f) => f.fact)).not.toContainEqual(expect.objectContaining({ kind: 'authenticated' }));
  });

  it("a LOGIN= that stays in force after a bad attribute is XCLIENT's login: sasl_method=XCLIENT in the queue file's log line", () => {
    const run = talk(labPreset(), lockstep([EHLO, 'XCLIENT LOGIN=alice@example.test FOO=bar\r\n', 'MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<bob@example.test>\r\n', 'QUIT\r\n']));
    expect(run.logLines.find((line) => line.includes('client='))).toMatch(/ sasl_method=XCLIENT, sasl_username=alice@example\.test$/);
    expect(run.facts.map((f) => f.fact)).toContainEqual({ kind: 'authenticated', user: 'alice@example.test', via: 'xclient' });
  });

  it('a refused XCLIENT leaves the logged client name and address as they were, though it set ADDR= (found by the smtpd differential)', () => {
    // xclient_cmd() (smtpd.c v3.7.11) sets state->addr as it checks ADDR= but rebuilds state->namaddr only after the
    // loop: the real 3.7.11 logs the pipelining and the disconnect as from localhost[127.0.0.1].
    const run = talk(labPreset(), lockstep([EHLO, 'XCLIENT ADDR=192.0.2.1 FOO=bar\r\n', 'HELO x\r\nNOOP\r\n']));
    expect(run.replies.slice(-2)).toEqual(['501 5.5.4 Bad XCLIENT attribute name: FOO', '554 5.5.0 Error: SMTP protocol synchronization']);
    expect(run.logLines).toContain('improper command pipelining after HELO from localhost[127.0.0.1]: NOOP\\r\\n');
    expect(run.logLines.at(-1)).toBe('disconnect from localhost[127.0.0.1] helo=0/1 ehlo=1 xclient=0/1 commands=1/3');
  });

  it('is refused inside a MAIL transaction (503)', () => {
    const run = talk(labPreset(), lockstep([EHLO, 'MAIL FROM:<a@example.test>\r\n', 'XCLIENT ADDR=127.0.0.1\r\n']));
    expect(run.replies.at(-2)).toBe('503 5.5.1 Error: MAIL transaction in progress');
  });

  const bad: readonly [string, string][] = [
    ['XCLIENT', '501 5.5.4 Syntax: XCLIENT attribute=value...'],
    ['XCLIENT ADDR', '501 5.5.4 Error: attribute=value expected'],
    ['XCLIENT ADDR=', '501 5.5.4 Error: attribute=value expected'],
    [`XCLIENT HELO=${'h'.repeat(256)}`, '501 5.5.4 Error: attribute value too long'],
    ['XCLIENT FOO=bar', '501 5.5.4 Bad XCLIENT attribute name: FOO'],
    ['XCLIENT ADDR=999.1.1.1', '501 5.5.4 Bad ADDR syntax: 999.1.1.1'],
    ['XCLIENT PORT=65x', '501 5.5.4 Bad PORT syntax: 65x'],
    ['XCLIENT PORT=123456', '501 5.5.4 Bad PORT syntax: 123456'],
    ['XCLIENT PROTO=LMTP', '501 5.5.4 Bad PROTO syntax: LMTP'],
    ['XCLIENT NAME=bad!name', '501 5.5.4 Bad NAME syntax: bad!name'],
    ['XCLIENT DESTADDR=nowhere', '501 5.5.4 Bad DESTADDR syntax: nowhere'],
  ];
  for (const [command, reply] of bad) {
    it(`answers ${reply.slice(0, 30)}... to ${command.slice(0, 30)}`, () => {
      expect(replyTo(`${command}\r\n`).replies).toContain(reply);
    });
  }

  it('refuses IPv6 addresses when inet_protocols = ipv4 (the lab), and bare IPv6 without the IPV6: prefix', () => {
    expect(replyTo('XCLIENT ADDR=IPV6:2001:DB8::1\r\n').replies).toContain('501 5.5.4 Bad ADDR syntax: IPV6:2001:DB8::1');
    expect(replyTo('XCLIENT ADDR=2001:db8::1\r\n', labPreset({ inet_protocols: 'all' })).replies).toContain('501 5.5.4 Bad ADDR syntax: 2001:db8::1');
    expect(replyTo('XCLIENT ADDR=IPV6:::ffff:127.0.0.2\r\n').logLines.at(-1)).toBe('disconnect from localhost[127.0.0.2] ehlo=1 xclient=0/1 quit=1 commands=2/3');
  });

  it('accepts IPV6:, [UNAVAILABLE], [TEMPUNAVAIL] and xtext, and logs with the new name and address', () => {
    const run = talk(labPreset({ inet_protocols: 'all' }), lockstep([EHLO, 'XCLIENT NAME=[TEMPUNAVAIL] ADDR=IPV6:2001:DB8::1 PORT=[UNAVAILABLE] LOGIN=bob+40example.test\r\n', 'QUIT\r\n']));
    expect(run.replies.filter((r) => r === BANNER)).toHaveLength(2);
    expect(run.logLines.at(-1)).toBe('disconnect from unknown[2001:db8::1] ehlo=1 xclient=0/1 quit=1 commands=2/3');
    expect(run.facts.map((f) => f.fact)).toContainEqual({ kind: 'authenticated', user: 'bob@example.test', via: 'xclient' });
  });

  it('LOGIN= becomes the SASL user: the queue line says sasl_method=XCLIENT', () => {
    const run = talk(labPreset(), lockstep([
      EHLO, 'XCLIENT HELO=client PROTO=ESMTP LOGIN=alice@example.test ADDR=127.0.0.1\r\n', 'MAIL FROM:<alice@example.test>\r\n',
      'RCPT TO:<bob@example.test>\r\n',
    ]));
    expect(run.logLines.find((l) => l.includes('client='))).toMatch(/^[0-9A-F]{11}: client=localhost\[127\.0\.0\.1\], sasl_method=XCLIENT, sasl_username=alice@example\.test$/);
  });

  it('a refused XCLIENT (503, 501) does not count as a success: xclient=0/1', () => {
    const inTransaction = talk(labPreset(), lockstep([EHLO, 'MAIL FROM:<a@example.test>\r\n', 'XCLIENT ADDR=127.0.0.1\r\n', 'QUIT\r\n']));
    expect(inTransaction.logLines.at(-1)).toMatch(/ xclient=0\/1 /);
    expect(replyTo('XCLIENT\r\n').logLines.at(-1)).toMatch(/ xclient=0\/1 /);
    expect(replyTo('XCLIENT FOO=bar\r\n').logLines.at(-1)).toMatch(/ xclient=0\/1 /);
  });

  it('PROTO= sets the protocol the session goes on with, and without PROTO it is SMTP (the proto= of a reject log line)', () => {
    const relay = (xclient: string) => talk(labPreset(), lockstep([EHLO, xclient, 'MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<x@elsewhere.example>\r\n']));
    const reject = (conv: ReturnType<typeof relay>) => conv.logLines.find((l) => l.startsWith('NOQUEUE: reject: RCPT'));
    expect(reject(relay('XCLIENT ADDR=192.0.2.7 HELO=c PROTO=ESMTP\r\n'))).toMatch(/ proto=ESMTP helo=<c>$/);
    expect(reject(relay('XCLIENT ADDR=192.0.2.7 HELO=c\r\n'))).toMatch(/ proto=SMTP helo=<c>$/);
  });

  it('resets HELO unless given: MAIL right after a bare XCLIENT needs HELO/EHLO again', () => {
    const without = talk(labPreset(), lockstep([EHLO, 'XCLIENT ADDR=127.0.0.1\r\n', 'MAIL FROM:<a@example.test>\r\n']));
    expect(without.replies).toContain('503 5.5.1 Error: send HELO/EHLO first');
    const withHelo = talk(labPreset(), lockstep([EHLO, 'XCLIENT ADDR=127.0.0.1 HELO=client\r\n', 'MAIL FROM:<a@example.test>\r\n']));
    expect(withHelo.replies).toContain('250 2.1.0 Ok');
  });

  it('resets SASL state unless LOGIN is given: AUTH works again after a bare XCLIENT', () => {
    const auth = 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n';
    const run = talk(labPreset(), lockstep([EHLO, auth, 'XCLIENT ADDR=127.0.0.1\r\n', EHLO, auth]));
    expect(run.replies.filter((r) => r === '235 2.7.0 Authentication successful')).toHaveLength(2);
    const logged = talk(labPreset(), lockstep([EHLO, 'XCLIENT LOGIN=alice@example.test\r\n', EHLO, auth]));
    expect(logged.replies).toContain('503 5.5.1 Error: already authenticated');
  });
});
