/* dovecot-client-side - submission-login's own SMTP dialogue and proxy failure rules, driven through the contract by hand */
import { describe, expect, test } from 'vitest';
import { createFront } from '../../../models/front/index.ts';
import { DirectDriver } from './direct-driver.ts';
import { answerLookup, BAD_RESPONSE, CLIENT, greeted, local, OK_RESPONSE, remote } from './dovecot-driver.ts';

describe('client side', () => {
  test('banner and EHLO reply', () => {
    const d = greeted();
    expect(d.writes(CLIENT)).toEqual([
      '220 front.example.test Dovecot (Debian) ready.\r\n',
      '250-front.example.test\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250-BURL imap\r\n250-CHUNKING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-SIZE\r\n250-PIPELINING\r\n250 VRFY\r\n',
    ]);
  });

  test('upstream banner when configured so (login_greeting "Dovecot ready.")', () => {
    const d = new DirectDriver(createFront('dovecot-2.3', { login_greeting: 'Dovecot ready.', hostname: 'mail.example.test' }));
    d.input({ kind: 'accepted', conn: CLIENT, local, remote }).advanceBy(20_000);
    expect(d.writes(CLIENT)).toEqual(['220 mail.example.test Dovecot ready.\r\n']);
  });

  test('commands sent before the greeting are answered after it', () => {
    const d = new DirectDriver(createFront('dovecot-2.3')).input({ kind: 'accepted', conn: CLIENT, local, remote });
    d.bytes(CLIENT, 'NOOP\r\n').advanceBy(20_000);
    expect(d.writes(CLIENT)).toEqual(['220 front.example.test Dovecot (Debian) ready.\r\n', '250 2.0.0 OK\r\n']);
  });

  test('pipelined commands are answered in order, in one write', () => {
    const d = greeted();
    d.bytes(CLIENT, 'NOOP\r\nMAIL FROM:<a@b>\r\nRSET\r\nFOO\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT).at(-1)).toBe('250 2.0.0 OK\r\n530 5.7.0 Authentication required.\r\n250 2.0.0 OK\r\n500 5.5.1 Unknown command\r\n');
  });

  test('AUTH PLAIN without initial response: "334 " on its own write, then the blob', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT).at(-1)).toBe('334 \r\n');
    d.bytes(CLIENT, 'AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n');
    expect(answerLookup(d, OK_RESPONSE)).toBeDefined();
  });

  test('AUTH LOGIN: Username: and Password: challenges', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH LOGIN\r\n').advanceBy(1_000);
    d.bytes(CLIENT, 'YWxpY2VAZXhhbXBsZS50ZXN0\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT).slice(-2)).toEqual(['334 VXNlcm5hbWU6\r\n', '334 UGFzc3dvcmQ6\r\n']);
  });

  test('"*" aborts, bad base64 and unknown mechanisms are refused', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000).bytes(CLIENT, '*\r\n').advanceBy(1_000);
    d.bytes(CLIENT, 'AUTH PLAIN !!!\r\n').advanceBy(1_000);
    d.bytes(CLIENT, 'AUTH CRAM-MD5\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT).slice(-3)).toEqual([
      '501 5.5.2 Authentication aborted by client.\r\n',
      '501 5.5.2 Invalid base64 data in initial response\r\n',
      '504 5.5.4 Unsupported authentication mechanism.\r\n',
    ]);
  });

  test('bad password: 535 after auth_failure_delay, and the client may try again', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZw==\r\n');
    expect(answerLookup(d, BAD_RESPONSE)).toBeUndefined();
    const answeredAt = d.now - 1_000; // answerLookup fed the answer, then advanced 1 ms
    d.advanceBy(1_990_000);
    expect(d.writes(CLIENT).at(-1)).not.toContain('535');
    d.advanceBy(20_000);
    expect(d.writes(CLIENT).at(-1)).toBe('535 5.7.8 Authentication failed.\r\n');
    expect(d.of('write').at(-1)!.t - answeredAt).toBe(2_000_000);
    d.bytes(CLIENT, 'NOOP\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT).at(-1)).toBe('250 2.0.0 OK\r\n');
  });

  test('the failure delay follows the auth process\'s 500 ms check on whole seconds: 1.5 s for a failure late in a second', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZw==\r\n').advanceTo(899_000);
    expect(answerLookup(d, BAD_RESPONSE)).toBeUndefined(); // answered at 0.900 s
    d.advanceTo(900_000 + 1_499_000);
    expect(d.writes(CLIENT).at(-1)).not.toContain('535');
    d.advanceTo(900_000 + 1_500_000);
    expect(d.writes(CLIENT).at(-1)).toBe('535 5.7.8 Authentication failed.\r\n');
  });

  test('more than 10 bad commands in a row: 421 4.7.0 Too many invalid commands. and close', () => {
    const d = greeted();
    d.bytes(CLIENT, 'FOO\r\n'.repeat(10) + 'NOOP\r\n' + 'FOO\r\n'.repeat(11)).advanceBy(1_000);
    const text = d.writes(CLIENT).at(-1)!;
    expect(text.split('\r\n').filter((l) => l.startsWith('500 '))).toHaveLength(21);
    expect(text.endsWith('500 5.5.1 Unknown command\r\n421 4.7.0 Too many invalid commands.\r\n')).toBe(true);
    expect(d.of('close').map((o) => o.output.conn)).toContain(CLIENT);
  });

  test('QUIT: 221 and close, logged as Dovecot logs it', () => {
    const d = greeted();
    d.bytes(CLIENT, 'QUIT\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT).at(-1)).toBe('221 2.0.0 Bye\r\n');
    expect(d.of('close').map((o) => o.output.conn)).toContain(CLIENT);
    expect(d.of('log').map((o) => o.output.line)).toContainEqual('Info: Disconnected: Aborted login by logging out (no auth attempts in 0 secs): user=<>, rip=127.0.0.1, rport=40000, lip=127.0.0.1, lport=1587, secured');
  });

  test('hostile input: too long lines are refused and NUL bytes do not break the session', () => {
    const d = greeted();
    d.bytes(CLIENT, `NOOP ${'A'.repeat(9000)}\r\nNO\0OP\r\nNOOP\r\n`).advanceBy(1_000);
    // lib-smtp's parser takes the name "NO" and refuses the NUL after it ("Unexpected character <0x00> in command name").
    expect(d.writes(CLIENT).at(-1)).toBe('500 5.5.2 Line too long\r\n500 5.5.2 Invalid command syntax\r\n250 2.0.0 OK\r\n');
  });

  test('a line too long for the buffer gets what lib-smtp meets first in it (smtp-command-parser.c; each measured on Debian\'s 2.3.19.1)', () => {
    const replyTo = (line: string) => {
      const d = greeted();
      d.bytes(CLIENT, `${line}\r\nNOOP\r\n`).advanceBy(1_000);
      return d.writes(CLIENT).at(-1);
    };
    const a = (n: number) => 'a'.repeat(n);
    // A name over 32 letters (smtp_command_parse_identifier()), a tab after the name, a bad byte within the
    // parameters' limit: refused as syntax before the length matters.
    for (const line of [`${'A'.repeat(33)} ${a(9000)}`, `${'A'.repeat(40)}${a(9000)}`, `NOOP\t${a(9000)}`, `NOOP ${a(1000)}\x01${a(8000)}`]) {
      expect(replyTo(line), line.slice(0, 50)).toBe('500 5.5.2 Invalid command syntax\r\n250 2.0.0 OK\r\n');
    }
    // A bad byte past the limit: the good run before it is already too long, in a short line as in a long one.
    for (const line of [`NOOP ${a(1500)}\x01${a(10)}`, `NOOP ${a(9000)}`]) expect(replyTo(line), line.slice(0, 50)).toBe('500 5.5.2 Line too long\r\n250 2.0.0 OK\r\n');
  });

  test('"Line too long" counts as a bad command: the eleventh in a row ends the session (smtp-server-command.c bad_counter)', () => {
    const d = greeted();
    d.bytes(CLIENT, `NOOP ${'a'.repeat(9000)}\r\n`.repeat(11)).advanceBy(1_000);
    expect(d.writes(CLIENT).join('').endsWith('500 5.5.2 Line too long\r\n421 4.7.0 Too many invalid commands.\r\n')).toBe(true);
    expect(d.of('close').map((o) => o.output.conn)).toContain(CLIENT);
  });
});

describe('proxy failures (login-proxy.c)', () => {
  function loggedInAttempt(kind: 'dovecot-2.3' | 'lockstep' = 'dovecot-2.3') {
    const d = greeted(kind);
    d.bytes(CLIENT, 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n');
    const backend = answerLookup(d, OK_RESPONSE)!;
    return { d, backend };
  }

  /** Logged in, and the backend has answered the banner, EHLO, XCLIENT and the second EHLO; then `afterUs` pass. */
  function handshakeDone(afterUs: number) {
    const { d, backend } = loggedInAttempt();
    d.input({ kind: 'connected', conn: backend, local: { host: '127.0.0.1', port: 50001 }, remote: { host: '127.0.0.1', port: 10025 } });
    d.bytes(backend, '220 b ESMTP\r\n').advanceBy(1_000);
    d.bytes(backend, '250-b\r\n250 XCLIENT ADDR\r\n').advanceBy(1_000);
    d.bytes(backend, '220 b ESMTP\r\n250 b\r\n').advanceBy(afterUs);
    return { d, backend };
  }

  test('refused backend: a retry 1 s later, 3 reconnects, then 454', () => {
    const { d, backend } = loggedInAttempt();
    let conn = backend;
    for (let attempt = 1; attempt <= 4; attempt++) {
      // The refused socket still has its address (getsockname after ECONNREFUSED on Linux).
      d.input({ kind: 'connectFailed', conn, reason: 'refused', local: { host: '127.0.0.1', port: 50000 + attempt } });
      d.advanceBy(999_000);
      if (attempt === 4) break;
      expect(d.of('connect').at(-1)!.output.conn).toBe(conn);
      d.advanceBy(2_000);
      const next = d.of('connect').at(-1)!.output.conn;
      expect(next).not.toBe(conn);
      conn = next;
    }
    expect(d.writes(CLIENT).at(-1)).toBe('454 4.7.0 Account is temporarily unavailable.\r\n');
    expect(d.of('log').map((o) => o.output.line)).toContainEqual(expect.stringMatching(/^Error: proxy\(alice@example\.test,127\.0\.0\.1:10025\): connect\(127\.0\.0\.1, 10025\) failed: Connection refused \(after 3 secs, 3 reconnects, local=127\.0\.0\.1:50004\): user=<alice@example.test>/));
  });

  test('login_proxy_timeout: a backend that never greets fails after 30 s, too late to reconnect', () => {
    const { d, backend } = loggedInAttempt();
    d.input({ kind: 'connected', conn: backend, local: { host: '127.0.0.1', port: 50001 }, remote: { host: '127.0.0.1', port: 10025 } });
    d.advanceBy(29_990_000);
    expect(d.writes(CLIENT).at(-1)).not.toContain('454');
    d.advanceBy(20_000);
    expect(d.writes(CLIENT).at(-1)).toBe('454 4.7.0 Account is temporarily unavailable.\r\n');
    expect(d.of('connect').filter((o) => o.output.to.port === 10025)).toHaveLength(1);
    expect(d.of('log').map((o) => o.output.line)).toContainEqual(expect.stringContaining('Login timed out in state=banner (after 30 secs, local=127.0.0.1:50001)'));
  });

  test('no reconnect when less than 1.1 s of login_proxy_timeout is left', () => {
    const d = new DirectDriver(createFront('dovecot-2.3', { login_proxy_timeout: 2_000 })).input({ kind: 'accepted', conn: CLIENT, local, remote }).advanceBy(20_000);
    d.bytes(CLIENT, 'EHLO x\r\nAUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n');
    const backend = answerLookup(d, OK_RESPONSE)!;
    d.advanceBy(950_000);
    d.input({ kind: 'connectFailed', conn: backend, reason: 'refused' }).advanceBy(10_000);
    expect(d.writes(CLIENT).at(-1)).toBe('454 4.7.0 Account is temporarily unavailable.\r\n');
  });

  test('an invalid banner is a protocol failure, retried', () => {
    const { d, backend } = loggedInAttempt();
    d.input({ kind: 'connected', conn: backend, local: { host: '127.0.0.1', port: 50001 }, remote: { host: '127.0.0.1', port: 10025 } });
    d.bytes(backend, '421 busy\r\n').advanceBy(1_000);
    expect(d.of('log').map((o) => o.output.line)).toContainEqual(expect.stringContaining('Remote server sent invalid input: Invalid banner: 421 busy - reconnecting (attempt #1)'));
  });

  test('backend closes before greeting: "Disconnected by server: Connection closed (state=banner, ...)", retried', () => {
    const { d, backend } = loggedInAttempt();
    d.input({ kind: 'connected', conn: backend, local: { host: '127.0.0.1', port: 50001 }, remote: { host: '127.0.0.1', port: 10025 } });
    d.input({ kind: 'eof', conn: backend }).advanceBy(1_000);
    expect(d.of('log').map((o) => o.output.line)).toContainEqual(expect.stringMatching(/Disconnected by server: Connection closed \(state=banner, duration=\ds\) - reconnecting \(attempt #1\)/));
  });

  test('a client that closes right after 235 (while detaching) ends the relay: both sides close', () => {
    const { d, backend } = handshakeDone(300);
    expect(d.writes(CLIENT).at(-1)).toBe('235 2.7.0 Logged in.\r\n');
    d.input({ kind: 'eof', conn: CLIENT }).advanceBy(10_000);
    expect(d.of('close').map((o) => o.output.conn)).toEqual(expect.arrayContaining([backend, CLIENT]));
    expect(d.of('log').at(-1)!.output.line).toMatch(/^Info: proxy\(alice@example\.test,127\.0\.0\.1:10025\): Disconnected by client \(0s idle, in=\d+, out=\d+\)/);
  });

  test('a client that half-closes right after the final dot: the data reach the server, then both sides close and its 250 has nowhere to go', () => {
    // login-proxy.c login_proxy_finished(): the client side's IOSTREAM_PROXY_STATUS_INPUT_EOF is
    // "success" and goes straight to login_proxy_free_errstr(), which closes both connections once
    // the pump has flushed what it read. Dovecot has no half-close in its relay, so a client that
    // shuts down its side after "." loses the server's "250 ... queued as" though the mail is queued.
    const { d, backend } = handshakeDone(10_000);
    d.bytes(CLIENT, 'DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\n');
    d.input({ kind: 'eof', conn: CLIENT }).advanceBy(10_000);
    expect(d.writes(backend).at(-1)).toBe('DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\n');
    const ends = d.outputs.flatMap((o) => (o.output.kind === 'close' || o.output.kind === 'write' ? [`${o.output.kind} ${o.output.conn}`] : []));
    expect(ends.slice(-3)).toEqual([`write ${backend}`, `close ${backend}`, `close ${CLIENT}`]);
    d.bytes(backend, '250 2.0.0 Ok: queued as 12345\r\n').advanceBy(10_000);
    expect(d.writes(CLIENT).join('')).not.toContain('queued as');
  });

  test('a reconnect that wins: 235 late, "Started proxying ... (1.0xx secs, 1 reconnects)" as in raw/A4', () => {
    const { d, backend } = loggedInAttempt();
    const start = d.now;
    const handshake = (conn: string, xclientReply: string) => {
      d.input({ kind: 'connected', conn, local: { host: '127.0.0.1', port: 50001 }, remote: { host: '127.0.0.1', port: 10025 } });
      d.advanceBy(11_000).bytes(conn, '220 b ESMTP\r\n').advanceBy(1_000);
      d.bytes(conn, '250-b\r\n250 XCLIENT NAME ADDR PROTO HELO PORT LOGIN\r\n').advanceBy(1_000);
      d.bytes(conn, xclientReply).advanceBy(1_000);
    };
    handshake(backend, '554 5.5.0 Error: SMTP protocol synchronization\r\n');
    d.input({ kind: 'eof', conn: backend });
    d.advanceBy(1_000_000);
    const second = d.of('connect').at(-1)!.output.conn;
    expect(second).not.toBe(backend);
    handshake(second, '220 b ESMTP\r\n250 b\r\n');
    expect(d.writes(CLIENT).at(-1)).toBe('235 2.7.0 Logged in.\r\n');
    const started = d.of('log').map((o) => o.output.line).find((l) => l.includes('Started proxying'))!;
    expect(started).toMatch(/^Info: proxy\(alice@example\.test,127\.0\.0\.1:10025\): Started proxying to <127\.0\.0\.1> \(1\.0\d\d secs, 1 reconnects\): /);
    expect(d.of('fact').map((o) => o.output.fact)).toContainEqual({ kind: 'proxying', reconnects: 1 });
    expect(d.now - start).toBeGreaterThan(1_000_000);
  });

  test('lockstep: with a split XCLIENT, each part waits for its reply, and EHLO for the last', () => {
    const d = greeted('lockstep');
    const user = `${'l'.repeat(430)}@example.test`;
    const blob = Buffer.from(`\0${user}\0secret`, 'latin1').toString('base64');
    d.bytes(CLIENT, `AUTH PLAIN ${blob}\r\n`);
    const backend = answerLookup(d, OK_RESPONSE)!;
    d.input({ kind: 'connected', conn: backend, local: { host: '127.0.0.1', port: 50001 }, remote: { host: '127.0.0.1', port: 10025 } });
    d.bytes(backend, '220 b ESMTP\r\n').advanceBy(1_000);
    d.bytes(backend, '250-b\r\n250 XCLIENT NAME ADDR PROTO HELO PORT LOGIN\r\n').advanceBy(1_000);
    expect(d.writes(backend).map((w) => w.slice(0, 20))).toEqual(['EHLO front.example.t', 'XCLIENT HELO=client.', '\r\n']);
    d.bytes(backend, '220 b ESMTP\r\n').advanceBy(1_000);
    expect(d.writes(backend).slice(3)).toEqual(['XCLIENT ADDR=127.0.0.1\r\n']);
    d.bytes(backend, '220 b ESMTP\r\n').advanceBy(1_000);
    expect(d.writes(backend).slice(4)).toEqual(['EHLO front.example.test\r\n']);
    d.bytes(backend, '250 b\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT).at(-1)).toBe('235 2.7.0 Logged in.\r\n');
  });
});
