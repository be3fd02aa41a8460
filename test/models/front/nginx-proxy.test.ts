/* nginx-proxy - the nginx mail proxy model driven by hand: client commands, the auth_http request and answer, the upstream handshake, the relay
 *
 * nginx/nginx @3f6f782 (the same at release-1.26.3 for these paths):
 *  - src/mail/ngx_mail_smtp_handler.c ngx_mail_smtp_auth_state(), _helo(), _auth(), _mail(), _rcpt(), _rset();
 *  - src/mail/ngx_mail_handler.c ngx_mail_auth_plain(), ngx_mail_auth_login_username/_password();
 *  - src/mail/ngx_mail_parse.c ngx_mail_auth_parse();
 *  - src/mail/ngx_mail_auth_http_module.c ngx_mail_auth_http_create_request(), _process_headers();
 *  - src/mail/ngx_mail_proxy_module.c ngx_mail_proxy_init(), ngx_mail_proxy_smtp_handler(),
 *    ngx_mail_proxy_read_response(), ngx_mail_proxy_handler().
 */
import { describe, expect, test } from 'vitest';
import { bytesToLatin1 } from '../../../models/contract.ts';
import { mailuNginxConfig, type NginxFrontConfig } from '../../../models/front/config.ts';
import { NginxFront } from '../../../models/front/nginx-front.ts';
import { NGINX_LAB_LINE_MAX } from '../../../models/front/nginx-log-context.ts';
import { DirectDriver } from './direct-driver.ts';
import { HttpParser } from '../../../models/http/codec.ts';
import { auth } from '../auth/requests.ts';

const CLIENT = 'client1';
const remote = { host: '203.0.113.25', port: 40000 };
const OK_AUTH = 'HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 10025\r\nContent-Length: 0\r\n\r\n';
const INVALID = '500 5.5.1 Invalid command\r\n';
const INTERNAL = '451 4.3.2 Internal server error\r\n';
const b64 = (text: string) => Buffer.from(text, 'latin1').toString('base64');

/** An nginx front with one client greeted. */
function nginx(config: Partial<NginxFrontConfig> = {}, client = remote): DirectDriver {
  const d = new DirectDriver(new NginxFront({ ...mailuNginxConfig, ...config }));
  d.input({ kind: 'accepted', conn: CLIENT, local: { host: '127.0.0.1', port: 25 }, remote: client });
  return d.advanceBy(1_000);
}

/** The client's lines, each answered before the next is sent. */
function say(d: DirectDriver, ...lines: string[]): DirectDriver {
  for (const line of lines) d.bytes(CLIENT, `${line}\r\n`).advanceBy(1_000);
  return d;
}

const lastWrite = (d: DirectDriver, conn = CLIENT) => d.writes(conn).at(-1);
const closed = (d: DirectDriver, conn = CLIENT) => d.of('close').some((o) => o.output.conn === conn);
/** [time, text] of each write on one connection. */
const timedWrites = (d: DirectDriver, conn: string) => d.of('write').filter((o) => o.output.conn === conn).map((o): [number, string] => [o.t, bytesToLatin1(o.output.bytes)]);
const logs = (d: DirectDriver) => d.of('log').map((o) => o.output.line);
/** ngx_mail_log_error()'s context for the client above on the listener at 127.0.0.1:25 (nginx-log.test.ts has its every form). */
const CONTEXT = ', client: 203.0.113.25, server: 127.0.0.1:25';
const ALICE = `${CONTEXT}, login: "alice@example.test"`;
const connects = (d: DirectDriver) => d.of('connect').map((o) => o.output);

/** Connects the auth_http request the front opened and returns its connection and the request text. */
function authRequest(d: DirectDriver): { conn: string; request: string } {
  const conn = connects(d).at(-1)!.conn;
  d.input({ kind: 'connected', conn, local: { host: '127.0.0.1', port: 50000 }, remote: { host: '127.0.0.1', port: 8080 } });
  return { conn, request: d.writes(conn).join('') };
}

/** Answers the auth_http request; returns the upstream connection when the front opened one. */
function answerAuth(d: DirectDriver, response: string): string | undefined {
  const { conn } = authRequest(d);
  d.bytes(conn, response).advanceBy(1_000);
  const last = connects(d).at(-1)!;
  if (last.conn === conn) return undefined;
  d.input({ kind: 'connected', conn: last.conn, local: { host: '127.0.0.1', port: 50001 }, remote: last.to });
  return last.conn;
}

/** The upstream's replies, one at a time; returns what the front wrote to the upstream. */
function upstreamSays(d: DirectDriver, upstream: string, ...replies: string[]): string[] {
  for (const reply of replies) d.bytes(upstream, reply).advanceBy(1_000);
  return d.writes(upstream);
}

/** AUTH PLAIN for alice through the auth answer OK: the upstream connection. */
function authenticated(config: Partial<NginxFrontConfig> = {}, helo: string | null = 'EHLO client.example.test'): { d: DirectDriver; upstream: string } {
  const d = nginx({ smtp_auth: ['plain', 'login'], ...config });
  if (helo) say(d, helo);
  say(d, `AUTH PLAIN ${b64('\0alice@example.test\0secret')}`);
  return { d, upstream: answerAuth(d, OK_AUTH)! };
}

describe('client commands (ngx_mail_smtp_auth_state)', () => {
  test('the greeting is "220 <server_name> ESMTP ready"; HELO is answered "250 <server_name>"', () => {
    const d = say(nginx(), 'HELO client.example.test');
    expect(d.writes(CLIENT)).toEqual(['220 mail.example.test ESMTP ready\r\n', '250 mail.example.test\r\n']);
  });

  test('HELO and EHLO want exactly one argument (501 5.5.4 Invalid argument)', () => {
    const d = say(nginx(), 'EHLO', 'HELO a b');
    expect(d.writes(CLIENT).slice(1)).toEqual(['501 5.5.4 Invalid argument\r\n', '501 5.5.4 Invalid argument\r\n']);
  });

  test('QUIT: 221 2.0.0 Bye, then the connection closes', () => {
    const d = say(nginx(), 'QUIT');
    expect(lastWrite(d)).toBe('221 2.0.0 Bye\r\n');
    expect(closed(d)).toBe(true);
  });

  test('NOOP and RSET are 250 2.0.0 OK; VRFY (a verb the parser knows, the state machine does not) is 500', () => {
    const d = say(nginx(), 'NOOP', 'RSET', 'VRFY bob');
    expect(d.writes(CLIENT).slice(1)).toEqual(['250 2.0.0 OK\r\n', '250 2.0.0 OK\r\n', INVALID]);
    expect(closed(d)).toBe(false);
  });

  test('MAIL without smtp_auth none: 530 5.7.1 Authentication required', () => {
    const d = say(nginx({ smtp_auth: ['plain'] }), 'MAIL FROM:<a@example.test>');
    expect(lastWrite(d)).toBe('530 5.7.1 Authentication required\r\n');
  });

  test('smtp_auth none: a second MAIL is 503, MAIL without argument 501; RSET and EHLO forget the sender', () => {
    const d = say(nginx(), 'EHLO client.example.test', 'MAIL', 'MAIL FROM:<a@example.test>', 'MAIL FROM:<b@example.test>');
    expect(d.writes(CLIENT).slice(-3)).toEqual(['501 5.5.4 Invalid argument\r\n', '250 2.0.0 OK\r\n', '503 5.5.1 Bad sequence of commands\r\n']);
    say(d, 'RSET', 'MAIL FROM:<c@example.test>');
    expect(lastWrite(d)).toBe('250 2.0.0 OK\r\n');
    say(d, 'EHLO again.example.test', 'MAIL FROM:<d@example.test>');
    expect(lastWrite(d)).toBe('250 2.0.0 OK\r\n');
  });

  test('smtp_auth none: from 1.29.1 MAIL clears the login and the password a refused AUTH left; before, both go to auth_http with RCPT', () => {
    // ngx_mail_smtp_mail() at release-1.29.1 (commit 9c02c84a7): ngx_str_null(&s->login), ngx_str_null(&s->passwd);
    // ngx_mail_auth_http_create_request() sends s->login and s->passwd whatever the method.
    const afterRefusedAuth = (version: string) => {
      const d = say(nginx({ smtp_auth: ['none', 'plain'], version }), 'EHLO c.example.test', `AUTH PLAIN ${b64('\0alice@example.test\0secret')}`);
      answerAuth(d, 'HTTP/1.0 200 OK\r\nAuth-Status: Invalid login\r\nAuth-Wait: 1\r\nContent-Length: 0\r\n\r\n');
      d.advanceBy(1_000_000);
      say(d, 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
      return authRequest(d).request;
    };
    expect(afterRefusedAuth('1.29.0')).toContain('\r\nAuth-Method: none\r\nAuth-User: alice@example.test\r\nAuth-Pass: secret\r\n');
    expect(afterRefusedAuth('1.29.1')).toContain('\r\nAuth-Method: none\r\nAuth-User: \r\nAuth-Pass: \r\n');
  });

  test('MAIL and RCPT are kept from the verb to the end of their last argument: trailing spaces are not', () => {
    const d = say(nginx(), 'EHLO c.example.test', 'MAIL FROM:<a@example.test>   ', 'RCPT TO:<b@example.test>  ');
    expect(authRequest(d).request).toContain('Auth-SMTP-From: MAIL FROM:<a@example.test>\r\nAuth-SMTP-To: RCPT TO:<b@example.test>\r\n');
  });

  test('RCPT before MAIL is 503, RCPT without argument 501; neither asks auth_http', () => {
    const d = say(nginx(), 'RCPT TO:<bob@example.test>', 'MAIL FROM:<a@example.test>', 'RCPT');
    expect(d.writes(CLIENT).slice(-3)).toEqual(['503 5.5.1 Bad sequence of commands\r\n', '250 2.0.0 OK\r\n', '501 5.5.4 Invalid argument\r\n']);
    expect(connects(d)).toEqual([]);
  });

  test('a burst of pipelined commands is answered up to the end of the 4096-byte buffer: the command it cuts is "too long" (10,001 NOOPs in one read)', () => {
    // ngx_mail_smtp_auth_state() answers what s->buffer holds but moves it back to its start only once all of it is
    // taken: the 683rd NOOP has 4 bytes left (./nginx-client-buffer.ts). Debian's nginx 1.22.1: 682 NOOPs in one
    // write are all answered, 683 end in "client sent too long command".
    const d = nginx();
    d.bytes(CLIENT, 'NOOP\r\n'.repeat(10_001)).advanceBy(1_000);
    expect(d.writes(CLIENT).slice(1)).toEqual([...Array.from({ length: 682 }, () => '250 2.0.0 OK\r\n'), INVALID]);
    expect(closed(d)).toBe(true);
    expect(logs(d)[0]).toMatch(/^\[info\] client sent too long command "NOOP\r\nNOOP\r\n/);
  });

  test('a burst whose commands end exactly at the buffer\'s end is read on: the buffer starts again empty', () => {
    const d = nginx();
    const full = `${'NOOP\r\n'.repeat(681)}NOOP xxx\r\n`;
    expect(full.length).toBe(4096);
    // Debian's nginx 1.22.1, the same in one write: 782 replies, and QUIT's 221 after them
    d.bytes(CLIENT, full + 'NOOP\r\n'.repeat(100)).advanceBy(1_000);
    expect(d.writes(CLIENT).slice(1)).toEqual(Array.from({ length: 782 }, () => '250 2.0.0 OK\r\n'));
    expect(closed(d)).toBe(false);
  });

  test('a line longer than client_buffer_size (4096) gets 500 and the connection closes', () => {
    const d = say(nginx(), `NOOP ${'x'.repeat(5000)}`);
    expect(lastWrite(d)).toBe(INVALID);
    expect(closed(d)).toBe(true);
  });

  test('client_buffer_size holds the line with its CR LF: 4096 bytes fit, 4097 are too long (ngx_mail_read_command(): buffer full, no LF)', () => {
    const line = (bytes: number) => `NOOP ${'x'.repeat(bytes - 'NOOP \r\n'.length)}`;
    expect(lastWrite(say(nginx(), line(4096)))).toBe('250 2.0.0 OK\r\n');
    const over = say(nginx(), line(4097));
    expect([lastWrite(over), closed(over)]).toEqual([INVALID, true]);
  });

  test('a client silent for `timeout` while nginx reads its commands: "client timed out", closed; each read re-arms it', () => {
    const d = nginx({ timeout: 10_000 });
    d.advanceBy(9_000_000);
    say(d, 'NOOP');
    d.advanceBy(9_000_000);
    expect(closed(d)).toBe(false);
    d.advanceBy(1_100_000);
    expect(logs(d)).toContain(`[info] client timed out (110: Connection timed out) while in auth state${CONTEXT}`);
    expect(closed(d)).toBe(true);
  });

  test('the client timeout runs while nginx waits for an AUTH continuation too (Username:, Password:, the PLAIN blob)', () => {
    for (const lines of [['AUTH LOGIN'], ['AUTH LOGIN', b64('alice')], ['AUTH PLAIN']]) {
      const d = say(nginx({ smtp_auth: ['plain', 'login'], timeout: 10_000 }), ...lines);
      d.advanceBy(10_000_000);
      // AUTH LOGIN with the name on its line has set s->login already
      const login = lines.length === 2 ? `${CONTEXT}, login: "alice"` : CONTEXT;
      expect(logs(d)).toContain(`[info] client timed out (110: Connection timed out) while in auth state${login}`);
      expect(closed(d)).toBe(true);
    }
  });

  test('runs of spaces between arguments, and spaces after the last, make no arguments (ngx_mail_smtp_parse_command sw_spaces_before_argument)', () => {
    const d = say(nginx(), 'HELO  client.example.test', 'EHLO client.example.test ');
    expect(d.writes(CLIENT).slice(1).map((reply) => reply.slice(0, 4))).toEqual(['250 ', '250-']);
  });

  test('the greeting and each reply come reactionUs after what they answer', () => {
    const d = new DirectDriver(new NginxFront(mailuNginxConfig));
    d.input({ kind: 'accepted', conn: CLIENT, local: { host: '127.0.0.1', port: 25 }, remote });
    d.advanceBy(10_000).bytes(CLIENT, 'NOOP\r\n').advanceBy(10_000);
    expect(d.of('write').map((o) => o.t)).toEqual([mailuNginxConfig.timings.reactionUs, 10_000 + mailuNginxConfig.timings.reactionUs]);
  });

  test('the client timeout does not close a session that is waiting for auth_http', () => {
    const d = say(nginx({ timeout: 10_000 }), 'EHLO c.example.test', 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    d.advanceBy(11_000_000);
    expect(logs(d).filter((line) => line.includes('client timed out'))).toEqual([]);
    // ngx_mail_auth_http_block_read() ignores the client's timed-out read: no second request either.
    expect(connects(d)).toHaveLength(1);
  });

  test('a FIN behind a reply cut short: 451 as soon as the part is read (the next recv() returns 0)', () => {
    const { d, upstream } = authenticated({ proxy_pass_error_message: false });
    d.bytes(upstream, '220 b').input({ kind: 'eof', conn: upstream }).advanceBy(1_000);
    expect(lastWrite(d)).toBe(INTERNAL);
    expect(closed(d)).toBe(true);
    // ngx_mail_proxy_read_response(): recv() 0 is NGX_ERROR with no line (ngx_unix_recv() logs only errors)
    expect(logs(d)).toEqual([]);
  });

  test('a FIN right behind the last handshake reply: 235, then the relay reads the end and both close', () => {
    const { d, upstream } = authenticated();
    upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n');
    d.bytes(upstream, '250 b\r\n').input({ kind: 'eof', conn: upstream }).advanceBy(1_000);
    expect(d.writes(CLIENT).slice(-1)).toEqual(['235 2.0.0 OK\r\n']);
    expect(closed(d) && closed(d, upstream)).toBe(true);
  });

  test('a reset right behind a reply is read like a FIN: the reply is judged first, the reset on the next read', () => {
    // Linux tcp_reset() purges the write queue, not the receive queue, and tcp_recvmsg() copies what is
    // queued before it reports sk_err: ngx_mail_proxy_read_response() gets the reply, the next recv() the error.
    const refused = authenticated();
    refused.d.bytes(refused.upstream, '421 4.7.0 Server closing connection\r\n').input({ kind: 'reset', conn: refused.upstream }).advanceBy(1_000);
    expect(lastWrite(refused.d)).toBe('421 4.7.0 Server closing connection\r\n');
    const last = authenticated();
    upstreamSays(last.d, last.upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n');
    last.d.bytes(last.upstream, '250 b\r\n').input({ kind: 'reset', conn: last.upstream }).advanceBy(1_000);
    expect(last.d.writes(CLIENT).slice(-1)).toEqual(['235 2.0.0 OK\r\n']);
    expect(closed(last.d) && closed(last.d, last.upstream)).toBe(true);
    const cut = authenticated();
    cut.d.bytes(cut.upstream, '220 b').input({ kind: 'reset', conn: cut.upstream }).advanceBy(1_000);
    expect(lastWrite(cut.d)).toBe(INTERNAL);
    expect(closed(cut.d)).toBe(true);
  });
});

describe('AUTH (ngx_mail_smtp_auth, ngx_mail_auth_parse)', () => {
  const authed = { smtp_auth: ['plain', 'login'] } as const;

  test('AUTH without a mechanism is 501; an unknown one, or too many arguments, 500', () => {
    // ngx_mail_auth_parse(): LOGIN and PLAIN take one argument at most; a third is invalid, whatever the blob holds.
    const d = say(nginx(authed), 'AUTH', 'AUTH CRAM-MD5', `AUTH LOGIN ${b64('a')} x`, `AUTH PLAIN ${b64('\0a\0b')} x`);
    expect(d.writes(CLIENT).slice(1)).toEqual(['501 5.5.4 Invalid argument\r\n', INVALID, INVALID, INVALID]);
    expect(connects(d)).toEqual([]);
    // Only EXTERNAL reads an initial response as a name: CRAM-MD5 with one is invalid, and so is any mechanism nginx does not know.
    const withResponse = say(nginx(authed), `AUTH CRAM-MD5 ${b64('alice')}`, `AUTH DIGEST-MD5 ${b64('alice')}`);
    expect(withResponse.writes(CLIENT).slice(1)).toEqual([INVALID, INVALID]);
    expect(connects(withResponse)).toEqual([]);
  });

  test('AUTH EXTERNAL with an initial response goes to auth_http (Auth-Method external) whatever smtp_auth lists; a bare one, or CRAM-MD5, is 500', () => {
    // ngx_mail_auth_parse() runs ngx_mail_auth_external() on the initial response and ngx_mail_smtp_auth()
    // returns its NGX_DONE; the *_ENABLED checks guard only NGX_MAIL_AUTH_EXTERNAL (bare) and NGX_MAIL_AUTH_CRAM_MD5.
    for (const smtp_auth of [['plain', 'login'], ['none']] as const) {
      const d = say(nginx({ smtp_auth }), `AUTH EXTERNAL ${b64('alice@example.test')}`);
      expect(d.writes(CLIENT).slice(1)).toEqual([]);
      expect(authRequest(d).request).toContain('\r\nAuth-Method: external\r\nAuth-User: alice@example.test\r\nAuth-Pass: \r\n');
    }
    const refused = say(nginx(authed), 'AUTH EXTERNAL', 'AUTH CRAM-MD5', 'AUTH EXTERNAL !!!!', `AUTH EXTERNAL ${b64('a')} x`);
    expect(refused.writes(CLIENT).slice(1)).toEqual([INVALID, INVALID, INVALID, INVALID]);
    expect(connects(refused)).toEqual([]);
  });

  test('AUTH EXTERNAL after a refused PLAIN with Auth-Wait sends the old password again (only s->login is set)', () => {
    const d = say(nginx(authed), `AUTH PLAIN ${b64('\0alice@example.test\0secret')}`);
    answerAuth(d, 'HTTP/1.0 200 OK\r\nAuth-Status: Invalid login\r\nAuth-Wait: 1\r\nContent-Length: 0\r\n\r\n');
    d.advanceBy(1_000_000);
    say(d, `AUTH EXTERNAL ${b64('bob@example.test')}`);
    expect(authRequest(d).request).toContain('\r\nAuth-Method: external\r\nAuth-User: bob@example.test\r\nAuth-Pass: secret\r\n');
  });

  test('AUTH LOGIN: Username: then Password:, then auth_http with Auth-Method plain and the decoded credentials', () => {
    const d = say(nginx(authed), 'auth login', b64('alice@example.test'), b64('secret'));
    expect(d.writes(CLIENT).slice(1)).toEqual(['334 VXNlcm5hbWU6\r\n', '334 UGFzc3dvcmQ6\r\n']);
    const { request } = authRequest(d);
    expect(request).toContain('\r\nAuth-Method: plain\r\nAuth-User: alice@example.test\r\nAuth-Pass: secret\r\n');
  });

  test('AUTH LOGIN with the user name on the line goes straight to Password:; bad base64 there is 500', () => {
    const d = say(nginx(authed), `AUTH LOGIN ${b64('alice@example.test')}`, b64('secret'));
    expect(d.writes(CLIENT).slice(1)).toEqual(['334 UGFzc3dvcmQ6\r\n']);
    expect(authRequest(d).request).toContain('Auth-User: alice@example.test\r\nAuth-Pass: secret\r\n');
    const bad = say(nginx(authed), 'AUTH LOGIN !!!!', 'NOOP');
    expect(bad.writes(CLIENT).slice(1)).toEqual([INVALID, '250 2.0.0 OK\r\n']);
  });

  test('bad base64 in a continuation is 500 and the next line is a command again', () => {
    for (const mechanism of ['LOGIN', 'PLAIN']) {
      const d = say(nginx(authed), `AUTH ${mechanism}`, '!!!!', 'NOOP');
      expect(d.writes(CLIENT).slice(2)).toEqual([INVALID, '250 2.0.0 OK\r\n']);
    }
    const password = say(nginx(authed), 'AUTH LOGIN', b64('alice'), '!!!!', 'NOOP');
    expect(password.writes(CLIENT).slice(3)).toEqual([INVALID, '250 2.0.0 OK\r\n']);
    expect(connects(password)).toEqual([]);
  });

  test('AUTH PLAIN: "334 " and the blob; the authzid is skipped, the password is everything after the second NUL', () => {
    const d = say(nginx(authed), 'AUTH PLAIN', b64('admin\0alice@example.test\0se\0cret'));
    expect(d.writes(CLIENT).slice(1)).toEqual(['334 \r\n']);
    // The password keeps its NUL; Auth-Pass escapes it (%00).
    expect(authRequest(d).request).toContain('Auth-User: alice@example.test\r\nAuth-Pass: se%00cret\r\n');
  });

  test('the mechanism is matched case-insensitively (ngx_strncasecmp)', () => {
    const d = say(nginx(authed), 'auth plain');
    expect(lastWrite(d)).toBe('334 \r\n');
  });

  test('AUTH PLAIN refuses a blob without the two NULs, and accepts an empty login or password (ngx_mail_auth_plain checks only the NULs)', () => {
    for (const blob of ['alice', '\0alice']) {
      const d = say(nginx(authed), `AUTH PLAIN ${b64(blob)}`, 'NOOP');
      expect(d.writes(CLIENT).slice(1)).toEqual([INVALID, '250 2.0.0 OK\r\n']);
      expect(connects(d)).toEqual([]);
    }
    const empty = say(nginx(authed), `AUTH PLAIN ${b64('\0\0')}`);
    expect(authRequest(empty).request).toContain('Auth-User: \r\nAuth-Pass: \r\n');
  });
});

describe('the auth_http request and its answer', () => {
  test('smtp_auth none: the whole request, HTTP/1.0, with the SMTP envelope and Client-Port after auth_http_header', () => {
    const d = say(nginx(), 'EHLO client.example.test', 'MAIL FROM:<a@example.test> SIZE=10', 'RCPT TO:<b@example.test>');
    expect(authRequest(d).request).toBe([
      'GET /internal/auth/email HTTP/1.0', 'Host: localhost', 'Auth-Method: none', 'Auth-User: ', 'Auth-Pass: ',
      'Auth-Protocol: smtp', 'Auth-Login-Attempt: 1', 'Client-IP: 203.0.113.25', 'Client-Host: [UNAVAILABLE]',
      'Auth-SMTP-Helo: client.example.test', 'Auth-SMTP-From: MAIL FROM:<a@example.test> SIZE=10', 'Auth-SMTP-To: RCPT TO:<b@example.test>',
      'Auth-Port: 25', 'Client-Port: 40000', '', '',
    ].join('\r\n'));
  });

  test('a Client-Port among auth_http_header is not added twice; authenticated requests carry no Auth-SMTP lines', () => {
    const d = say(nginx({ smtp_auth: ['plain'], auth_http_header: [['Client-Port', '1']] }), `AUTH PLAIN ${b64('\0a b%\0p')}`);
    const { request } = authRequest(d);
    expect(request.match(/Client-Port/g)).toHaveLength(1);
    expect(request).not.toContain('Auth-SMTP');
    // Auth-User and Auth-Pass are escaped (ngx_escape_uri NGX_ESCAPE_MAIL_AUTH: space and % among them).
    expect(request).toContain('Auth-User: a%20b%25\r\nAuth-Pass: p\r\n');
  });

  test('Auth-User and Auth-Pass escape with upper-case hex digits (ngx_escape_uri: "0123456789ABCDEF")', () => {
    const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0a\x1f\0p\x1b')}`);
    expect(authRequest(d).request).toContain('Auth-User: a%1F\r\nAuth-Pass: p%1B\r\n');
  });

  test('bytes 0x7f-0xff go raw: a UTF-8 login reaches the auth server as its UTF-8 bytes (NGX_ESCAPE_MAIL_AUTH is the memcached table)', () => {
    const login = Buffer.from('¡@example.test', 'utf8').toString('latin1');
    const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64(`\0${login}\0p\x7f\xff`)}`);
    expect(authRequest(d).request).toContain(`Auth-User: ${login}\r\nAuth-Pass: p\x7f\xff\r\n`);
  });

  test("the answer's Auth-User and Auth-Pass replace the login and password, whatever the status: XCLIENT LOGIN= and the next request carry them", () => {
    // ngx_mail_auth_http_process_headers(): Auth-User sets s->login, Auth-Pass s->passwd, before the status is acted on
    const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0alice@example.test\0secret')}`);
    const upstream = answerAuth(d, OK_AUTH.replace('\r\n\r\n', '\r\nAuth-User: Alice@Example.test\r\n\r\n'))!;
    expect(upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n').at(-1)).toBe('XCLIENT ADDR=203.0.113.25 LOGIN=Alice@Example.test NAME=[UNAVAILABLE]\r\n');
    const refused = say(nginx({ smtp_auth: ['none', 'plain'], version: '1.26.3' }), 'EHLO c.example.test', `AUTH PLAIN ${b64('\0alice@example.test\0secret')}`);
    answerAuth(refused, 'HTTP/1.0 200 OK\r\nAuth-Status: Invalid login\r\nAuth-User: bob@example.test\r\nAuth-Pass: other\r\nAuth-Wait: 1\r\nContent-Length: 0\r\n\r\n');
    refused.advanceBy(1_000_000);
    say(refused, 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    expect(authRequest(refused).request).toContain('\r\nAuth-User: bob@example.test\r\nAuth-Pass: other\r\n');
  });

  test("Mailu's `auth_http_header Client-Port $remote_port` is sent with no other auth_http_header too", () => {
    const d = say(nginx({ smtp_auth: ['plain'], auth_http_header: [] }), `AUTH PLAIN ${b64('\0a\0b')}`);
    expect(authRequest(d).request).toContain('\r\nClient-Port: 40000\r\n');
  });

  test('Auth-Status: WAIT asks the auth server again after Auth-Wait seconds (at once without), as the same login attempt', () => {
    // ngx_mail_auth_http_process_headers(): s->auth_wait, then ngx_mail_auth_sleep_handler() -> ngx_mail_auth_http_init().
    const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0a\0b')}`);
    answerAuth(d, 'HTTP/1.0 200 OK\r\nAuth-Status: WAIT\r\nAuth-Wait: 2\r\nContent-Length: 0\r\n\r\n');
    expect(d.writes(CLIENT)).toHaveLength(1);
    expect(connects(d)).toHaveLength(1);
    d.advanceBy(1_900_000);
    expect(connects(d)).toHaveLength(1);
    d.advanceBy(100_000);
    expect(connects(d)).toHaveLength(2);
    const again = authRequest(d);
    expect(again.request).toContain('Auth-Login-Attempt: 1\r\n');
    d.bytes(again.conn, 'HTTP/1.0 200 OK\r\nAuth-Status: WAIT\r\nContent-Length: 0\r\n\r\n').advanceBy(0);
    expect(connects(d)).toHaveLength(3);
    expect(answerAuth(d, OK_AUTH)).toBeDefined();
    expect(d.writes(CLIENT)).toHaveLength(1);
  });

  test('client input during the WAIT sleep neither ends nor delays it (ngx_mail_auth_sleep_handler reads nothing)', () => {
    const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0a\0b')}`);
    answerAuth(d, 'HTTP/1.0 200 OK\r\nAuth-Status: WAIT\r\nAuth-Wait: 2\r\nContent-Length: 0\r\n\r\n');
    d.advanceBy(1_000_000);
    say(d, 'NOOP');
    d.advanceBy(1_000_000);
    expect(connects(d)).toHaveLength(2);
    expect(d.writes(CLIENT)).toHaveLength(1);
  });

  test('an auth server that closes without an answer: 451 (ngx_mail_auth_http_read_handler)', () => {
    const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0a\0b')}`);
    const { conn } = authRequest(d);
    d.input({ kind: 'eof', conn });
    expect(lastWrite(d)).toBe(INTERNAL);
    expect(closed(d)).toBe(true);
  });

  test('a refusal is "<Auth-Error-Code> <Auth-Status>" (default 535 5.7.0) and closes unless Auth-Wait', () => {
    const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0a\0b')}`);
    expect(answerAuth(d, 'HTTP/1.0 200 OK\r\nAuth-Status: Invalid login\r\nContent-Length: 0\r\n\r\n')).toBeUndefined();
    expect(lastWrite(d)).toBe('535 5.7.0 Invalid login\r\n');
    expect(logs(d)).toContain(`[info] client login failed: "Invalid login" while in http auth state${CONTEXT}, login: "a"`);
    expect(closed(d)).toBe(true);
  });

  test('an Auth-Wait ngx_atoi() refuses ("1.5", "-3", "") is no wait: the session quits', () => {
    for (const wait of ['1.5', '-3', '']) {
      const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0a\0b')}`);
      answerAuth(d, `HTTP/1.0 200 OK\r\nAuth-Status: Invalid login\r\nAuth-Wait: ${wait}\r\nContent-Length: 0\r\n\r\n`);
      expect(closed(d)).toBe(true);
    }
  });

  test('with Auth-Wait the refusal goes after the sleep, then the client may try again: the next request counts Auth-Login-Attempt 2', () => {
    // ngx_mail_auth_http_process_headers() keeps the reply in s->out and sleeps Auth-Wait seconds on the client's
    // read timer; ngx_mail_auth_sleep_handler() sends it, then reads commands, a line sent meanwhile first
    const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0a\0b')}`);
    const replies = d.writes(CLIENT).length;
    answerAuth(d, 'HTTP/1.0 200 OK\r\nAuth-Status: Invalid login\r\nAuth-Error-Code: 535 5.7.8\r\nAuth-Wait: 3\r\nContent-Length: 0\r\n\r\n');
    const answered = d.of('close').at(-1)!.t; // the answer is read, the auth connection closed
    d.bytes(CLIENT, `AUTH PLAIN ${b64('\0a\0c')}\r\n`).advanceTo(answered + 2_999_999);
    expect(d.writes(CLIENT).slice(replies)).toEqual([]);
    expect(connects(d)).toHaveLength(1);
    d.advanceBy(1);
    expect(timedWrites(d, CLIENT).at(-1)).toEqual([answered + 3_000_000, '535 5.7.8 Invalid login\r\n']);
    expect(closed(d)).toBe(false);
    expect(authRequest(d).request).toContain('Auth-Login-Attempt: 2\r\n');
    // The second answer is read on its own (a fresh response parser per request).
    expect(answerAuth(d, OK_AUTH)).toBeDefined();
  });

  test('both outgoing connections keep Nagle on (nothing in src/mail calls ngx_tcp_nodelay)', () => {
    const d = say(nginx(), 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    const writesBefore = d.of('write').length;
    answerAuth(d, OK_AUTH);
    expect(connects(d).map((c) => c.noDelay)).toEqual([false, false]);
    // Only the auth request was written: the upstream's connect writes nothing (nginx waits for its greeting).
    expect(d.of('write').slice(writesBefore).map((o) => o.output.conn)).toEqual([connects(d)[0]!.conn]);
  });

  test('bytes the auth server sends after its answer was read are not taken for the upstream\'s', () => {
    const d = say(nginx(), 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    const { conn } = authRequest(d);
    d.bytes(conn, OK_AUTH).advanceBy(1_000);
    const upstream = connects(d).at(-1)!.conn;
    d.input({ kind: 'connected', conn: upstream, local: { host: '127.0.0.1', port: 50001 }, remote: { host: '127.0.0.1', port: 10025 } });
    d.bytes(conn, '220 not the upstream\r\n').advanceBy(1_000);
    expect(d.writes(upstream)).toEqual([]);
    expect(upstreamSays(d, upstream, '220 b\r\n')).toEqual(['EHLO mail.example.test\r\n']);
  });

  test('inputs for connections and timers nginx does not know, or no longer knows, are ignored', () => {
    const d = say(nginx({ auth_http: { ...mailuNginxConfig.auth_http, timeoutMs: 1_000 } }), 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    const { conn } = authRequest(d);
    d.advanceBy(1_000_000);
    expect(closed(d)).toBe(true);
    const count = d.outputs.length;
    d.input({ kind: 'connectFailed', conn, reason: 'refused' });
    d.bytes(conn, OK_AUTH).bytes('nobody', 'x').bytes(CLIENT, 'NOOP\r\n');
    d.input({ kind: 'eof', conn }).input({ kind: 'reset', conn: CLIENT });
    d.input({ kind: 'timeout', timer: `${CLIENT}/commands` }).input({ kind: 'timeout', timer: 'not-a-timer' });
    expect(d.outputs.length).toBe(count);
  });

  test('an answer split across reads waits for its end; the auth connection closes once it is read', () => {
    const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0a\0b')}`);
    const { conn } = authRequest(d);
    d.bytes(conn, OK_AUTH.slice(0, 30)).advanceBy(1_000);
    expect(closed(d, conn)).toBe(false);
    d.bytes(conn, OK_AUTH.slice(30)).advanceBy(1_000);
    expect(closed(d, conn)).toBe(true);
    expect(connects(d).at(-1)!.to).toEqual({ host: '127.0.0.1', port: 10025 });
  });

  test.each([
    ['no Auth-Server', 'Auth-Status: OK\r\nAuth-Port: 25'],
    ['a name, not an IP', 'Auth-Status: OK\r\nAuth-Server: backend\r\nAuth-Port: 25'],
    ['port 0', 'Auth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 0'],
    ['port 65536', 'Auth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 65536'],
    ['port 2.5', 'Auth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 2.5'],
    ['port 1e2 (ngx_atoi takes digits only)', 'Auth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 1e2'],
    ['no Auth-Port', 'Auth-Status: OK\r\nAuth-Server: 127.0.0.1'],
  ])('%s: 451 4.3.2 and closed, no upstream connection', (_what, headers) => {
    const d = say(nginx(), 'EHLO c.example.test', 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    expect(answerAuth(d, `HTTP/1.0 200 OK\r\n${headers}\r\nContent-Length: 0\r\n\r\n`)).toBeUndefined();
    expect(lastWrite(d)).toBe(INTERNAL);
    expect(closed(d)).toBe(true);
  });

  test('ports 1 and 65535 are ports', () => {
    for (const port of [1, 65535]) {
      const d = say(nginx(), 'EHLO c.example.test', 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
      expect(answerAuth(d, `HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: ${port}\r\nContent-Length: 0\r\n\r\n`)).toBeDefined();
      expect(connects(d).at(-1)!.to).toEqual({ host: '127.0.0.1', port });
    }
  });

  test('an auth server that refuses the connection, or never answers within auth_http_timeout: 451', () => {
    const refused = say(nginx(), 'EHLO c.example.test', 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    const authConn = connects(refused)[0]!.conn;
    refused.input({ kind: 'connectFailed', conn: authConn, reason: 'refused' });
    expect(lastWrite(refused)).toBe(INTERNAL);
    // The failed connection is gone already: only the client is closed.
    expect(refused.of('close').map((o) => o.output.conn)).toEqual([CLIENT]);
    const silent = say(nginx({ auth_http: { ...mailuNginxConfig.auth_http, timeoutMs: 5_000 } }), 'EHLO c.example.test', 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    authRequest(silent);
    silent.advanceBy(4_000_000);
    expect(lastWrite(silent)).not.toBe(INTERNAL);
    silent.advanceBy(1_000_000);
    expect(lastWrite(silent)).toBe(INTERNAL);
    expect(closed(silent)).toBe(true);
  });
});

describe('the upstream handshake (ngx_mail_proxy_smtp_handler)', () => {
  test('authenticated after EHLO: EHLO <server_name>, XCLIENT with LOGIN, the client EHLO, then 235 2.0.0 OK', () => {
    const { d, upstream } = authenticated();
    const sent = upstreamSays(d, upstream, '220 backend ESMTP\r\n', '250 backend\r\n', '220 backend ESMTP\r\n');
    expect(sent).toEqual(['EHLO mail.example.test\r\n', 'XCLIENT ADDR=203.0.113.25 LOGIN=alice@example.test NAME=[UNAVAILABLE]\r\n', 'EHLO client.example.test\r\n']);
    expect(lastWrite(d)).not.toBe('235 2.0.0 OK\r\n');
    upstreamSays(d, upstream, '250 backend\r\n');
    expect(lastWrite(d)).toBe('235 2.0.0 OK\r\n');
    expect(logs(d)).toContain(`[info] client logged in${ALICE}, upstream: 127.0.0.1:10025`);
    // logged before the 235 goes: ngx_mail_proxy_smtp_handler() logs, then calls ngx_mail_proxy_handler()
    const order = d.outputs.filter((o) => o.output.kind === 'log' || (o.output.kind === 'write' && o.output.conn === CLIENT)).map((o) => o.output.kind);
    expect(order.slice(-2)).toEqual(['log', 'write']);
  });

  test('authenticated without HELO: the XCLIENT reply itself ends the handshake', () => {
    const { d, upstream } = authenticated({}, null);
    expect(upstreamSays(d, upstream, '220 backend ESMTP\r\n', '250 backend\r\n', '250 2.0.0 Ok\r\n')).toHaveLength(2);
    expect(lastWrite(d)).toBe('235 2.0.0 OK\r\n');
  });

  test('the client said HELO: nginx says HELO for the client too (EHLO <server_name> first, xclient on)', () => {
    const d = say(nginx(), 'HELO client.example.test', 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    const upstream = answerAuth(d, OK_AUTH)!;
    const sent = upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n', '250 b\r\n', '250 2.1.0 Ok\r\n', '554 5.7.1 no relaying\r\n');
    expect(sent).toEqual(['EHLO mail.example.test\r\n', 'XCLIENT ADDR=203.0.113.25 NAME=[UNAVAILABLE]\r\n', 'HELO client.example.test\r\n', 'MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<b@example.test>\r\n']);
    // smtp_auth none relays the RCPT reply, whatever it is.
    expect(lastWrite(d)).toBe('554 5.7.1 no relaying\r\n');
  });

  test('xclient off: HELO <server_name> (the client said HELO), then MAIL and RCPT straight away', () => {
    const d = say(nginx({ xclient: false }), 'HELO client.example.test', 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    const upstream = answerAuth(d, OK_AUTH)!;
    expect(upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '250 2.1.0 Ok\r\n')).toEqual(['HELO mail.example.test\r\n', 'MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<b@example.test>\r\n']);
    const esmtp = say(nginx({ xclient: false }), 'EHLO client.example.test', 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    expect(upstreamSays(esmtp, answerAuth(esmtp, OK_AUTH)!, '220 b\r\n')).toEqual(['EHLO mail.example.test\r\n']);
  });

  test('xclient off, authenticated: EHLO <server_name>, and its 250 ends the handshake (ngx_smtp_helo): no MAIL FROM or RCPT TO', () => {
    // ngx_mail_proxy_smtp_handler(), ngx_smtp_start: without xclient only auth none goes on to ngx_smtp_helo_from
    const { d, upstream } = authenticated({ xclient: false });
    expect(upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n')).toEqual(['EHLO mail.example.test\r\n']);
    expect(lastWrite(d)).toBe('235 2.0.0 OK\r\n');
    expect(logs(d)).toContain(`[info] client logged in${ALICE}, upstream: 127.0.0.1:10025`);
  });

  test('smtp_auth none without HELO: XCLIENT, then MAIL at once', () => {
    const d = say(nginx(), 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    const upstream = answerAuth(d, OK_AUTH)!;
    expect(upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n')).toEqual(['EHLO mail.example.test\r\n', 'XCLIENT ADDR=203.0.113.25 NAME=[UNAVAILABLE]\r\n', 'MAIL FROM:<a@example.test>\r\n']);
  });

  test('an IPv6 client is ADDR=IPV6:<address>', () => {
    const d = say(nginx({}, { host: '2001:db8::25', port: 40000 }), 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    expect(upstreamSays(d, answerAuth(d, OK_AUTH)!, '220 b\r\n', '250 b\r\n').at(-1)).toBe('XCLIENT ADDR=IPV6:2001:db8::25 NAME=[UNAVAILABLE]\r\n');
  });

  test('an IPv4 client of a dual-stack listener is IPV6:::ffff:<address> (the socket is AF_INET6)', () => {
    // ngx_mail_proxy_smtp_handler(): "IPV6:" when s->connection->sockaddr->sa_family == AF_INET6; ngx_inet6_ntop()
    // prints the mapped address as ::ffff:a.b.c.d, as Node's remoteAddress does (serve --host ::)
    const d = say(nginx({}, { host: '::ffff:203.0.113.25', port: 40000 }), 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    expect(upstreamSays(d, answerAuth(d, OK_AUTH)!, '220 b\r\n', '250 b\r\n').at(-1)).toBe('XCLIENT ADDR=IPV6:::ffff:203.0.113.25 NAME=[UNAVAILABLE]\r\n');
  });

  test('LOGIN= is xtext-encoded from 1.29.2 (releases.ts xclient_login_xtext), written raw before', () => {
    const login = (version: string) => {
      const d = nginx({ smtp_auth: ['plain'], version });
      say(d, `AUTH PLAIN ${b64('\0a+b=c\0secret')}`);
      return upstreamSays(d, answerAuth(d, OK_AUTH)!, '220 b\r\n', '250 b\r\n').at(-1);
    };
    expect(login('1.29.2')).toBe('XCLIENT ADDR=203.0.113.25 LOGIN=a+2Bb+3Dc NAME=[UNAVAILABLE]\r\n');
    expect(login('1.26.3')).toBe('XCLIENT ADDR=203.0.113.25 LOGIN=a+b=c NAME=[UNAVAILABLE]\r\n');
  });

  test('a multi-line reply is read once its last line is complete; a partial line or one under 4 bytes waits', () => {
    const { d, upstream } = authenticated();
    expect(upstreamSays(d, upstream, '220', '-backend\r\n', '220-more\r\n', '220 ready\r')).toEqual([]);
    expect(upstreamSays(d, upstream, '\n')).toEqual(['EHLO mail.example.test\r\n']);
  });

  test('a last line shorter than "200" CRLF is not found as one (the search starts 7 bytes before the end): the reply waits', () => {
    const { d, upstream } = authenticated();
    expect(upstreamSays(d, upstream, '220-backend\r\n220-x\r\n22\r\n')).toEqual([]);
    expect(upstreamSays(d, upstream, '220 ok\r\n')).toEqual(['EHLO mail.example.test\r\n']);
  });

  test('read_response: the greeting must be 220, the EHLO reply 250, XCLIENT 220 or 250', () => {
    const refused = (replies: string[]) => {
      const { d, upstream } = authenticated({ proxy_pass_error_message: false });
      upstreamSays(d, upstream, ...replies);
      return lastWrite(d) === INTERNAL && closed(d, upstream);
    };
    expect(refused(['250 not a greeting\r\n'])).toBe(true);
    expect(refused(['220 b\r\n', '220 not an EHLO reply\r\n'])).toBe(true);
    expect(refused(['220 b\r\n', '250 b\r\n', '251 not 220 or 250\r\n'])).toBe(true);
    expect(refused(['220 b\r\n', '250 b\r\n', '250 b\r\n'])).toBe(false);
  });

  // [the state, how the session got there, the replies before, the first digits read_response accepts there].
  const STATES: [string, () => { d: DirectDriver; upstream: string }, string[], string[]][] = [
    ['start', () => noneSession('HELO client.example.test'), [], ['220']],
    ['helo-xclient', () => noneSession('HELO client.example.test'), ['220 b\r\n'], ['250']],
    ['xclient-helo', () => noneSession('HELO client.example.test'), ['220 b\r\n', '250 b\r\n'], ['220', '250']],
    ['helo-from, after xclient-helo', () => noneSession('HELO client.example.test'), ['220 b\r\n', '250 b\r\n', '220 b\r\n'], ['250']],
    ['from', () => noneSession('HELO client.example.test'), ['220 b\r\n', '250 b\r\n', '220 b\r\n', '250 b\r\n'], ['250']],
    ['xclient-from (no HELO)', () => noneSession(null), ['220 b\r\n', '250 b\r\n'], ['220', '250']],
    ['helo-from (xclient off)', () => noneSession('HELO client.example.test', { xclient: false }), ['220 b\r\n'], ['250']],
    ['xclient (authenticated, no HELO)', () => authenticated({ proxy_pass_error_message: false }, null), ['220 b\r\n', '250 b\r\n'], ['220', '250']],
    // after the client's EHLO an authenticated session is in ngx_smtp_helo, whose reply must be 250 (not XCLIENT's 220 or 250)
    ['helo (authenticated, after xclient-helo)', () => authenticated({ proxy_pass_error_message: false }), ['220 b\r\n', '250 b\r\n', '220 b\r\n'], ['250']],
    ['helo (authenticated, xclient off)', () => authenticated({ proxy_pass_error_message: false, xclient: false }), ['220 b\r\n'], ['250']],
  ];

  /** smtp_auth none, after MAIL and RCPT, optionally after a HELO: the upstream connection. */
  function noneSession(helo: string | null, config: Partial<NginxFrontConfig> = {}): { d: DirectDriver; upstream: string } {
    const d = nginx({ proxy_pass_error_message: false, ...config });
    if (helo) say(d, helo);
    say(d, 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    return { d, upstream: answerAuth(d, OK_AUTH)! };
  }

  test.each(STATES)('read_response in %s: only its replies go on, any other is 451', (_state, start, before, accepts) => {
    for (const code of ['220', '221', '235', '250', '251', '354', '550']) {
      const { d, upstream } = start();
      upstreamSays(d, upstream, ...before, `${code} reply\r\n`);
      expect({ code, refused: lastWrite(d) === INTERNAL }).toEqual({ code, refused: !accepts.includes(code) });
    }
  });

  test('the RCPT reply (state to) is taken whatever it is', () => {
    const { d, upstream } = noneSession('HELO client.example.test');
    upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n', '250 b\r\n', '250 ok\r\n', '999 odd\r\n');
    expect(lastWrite(d)).toBe('999 odd\r\n');
    expect(closed(d)).toBe(false);
  });

  test('a reply under 4 bytes is not read, even with its CRLF (read_response wants 4)', () => {
    const { d, upstream } = authenticated({ timeout: 10_000 });
    upstreamSays(d, upstream, '2\r\n');
    expect(lastWrite(d)).not.toBe(INTERNAL);
    d.advanceBy(10_000_000);
    expect(lastWrite(d)).toBe(INTERNAL);
  });

  test('a reply of exactly 4 bytes is read (b->last - b->pos < 4 waits, 4 does not): "22" CRLF is no greeting', () => {
    const { d, upstream } = authenticated({ proxy_pass_error_message: false });
    upstreamSays(d, upstream, '22\r\n');
    expect(lastWrite(d)).toBe(INTERNAL);
  });

  test('each reply is answered reactionUs after it arrives', () => {
    const { d, upstream } = authenticated();
    const arrived = d.now;
    upstreamSays(d, upstream, '220 b\r\n');
    expect(timedWrites(d, upstream).map(([t]) => t)).toEqual([arrived + mailuNginxConfig.timings.reactionUs]);
  });

  test('one upstream connection per login (nginx does not retry), and "proxying" once logged in', () => {
    const { d, upstream } = authenticated();
    expect(d.of('fact').map((o) => [o.output.conn, o.output.fact])).toEqual([[CLIENT, { kind: 'backendAttempt', attempt: 1 }]]);
    upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n', '250 b\r\n');
    expect(d.of('fact').map((o) => [o.output.conn, o.output.fact])).toEqual([[CLIENT, { kind: 'backendAttempt', attempt: 1 }], [CLIENT, { kind: 'proxying', reconnects: 0 }]]);
  });

  test('what nginx logs goes to its own error log (program nginx)', () => {
    const loggedIn = authenticated();
    upstreamSays(loggedIn.d, loggedIn.upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n', '250 b\r\n');
    const refused = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0a\0b')}`);
    answerAuth(refused, 'HTTP/1.0 200 OK\r\nAuth-Status: Invalid login\r\nContent-Length: 0\r\n\r\n');
    const tooMany = say(nginx({ max_errors: 1 }), '!');
    const all = [loggedIn.d, refused, tooMany].flatMap((d) => d.of('log').map((o) => [o.output.program, o.output.line]));
    expect(all).toEqual([
      ['nginx', `[info] client logged in${ALICE}, upstream: 127.0.0.1:10025`],
      ['nginx', `[info] client login failed: "Invalid login" while in http auth state${CONTEXT}, login: "a"`],
      ['nginx', `[info] client sent too many invalid commands while in auth state${CONTEXT}`],
    ]);
  });

  test('the timeout after the client HELO/EHLO, MAIL FROM or RCPT TO was sent names that command (log->action)', () => {
    // smtp_auth none, no login: before 1.29.1 the upstream is not named either (releases.ts log_upstream_without_login)
    const timedOut = (action: string) => `[info] upstream timed out (110: Connection timed out) while ${action}${CONTEXT}`;
    const steps: [string[], string][] = [
      [['220 b\r\n', '250 b\r\n', '220 b\r\n'], 'sending client HELO/EHLO to upstream'],
      [['220 b\r\n', '250 b\r\n', '220 b\r\n', '250 b\r\n'], 'sending MAIL FROM to upstream'],
      [['220 b\r\n', '250 b\r\n', '220 b\r\n', '250 b\r\n', '250 b\r\n'], 'sending RCPT TO to upstream'],
    ];
    for (const [replies, action] of steps) {
      const d = say(nginx({ timeout: 10_000 }), 'EHLO client.example.test', 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
      const upstream = answerAuth(d, OK_AUTH)!;
      upstreamSays(d, upstream, ...replies);
      d.advanceBy(10_000_000);
      expect(logs(d)).toContain(timedOut(action));
    }
  });

  test('an invalid reply: passed to the client (logged at info) with proxy_pass_error_message, else 451 (logged at error)', () => {
    const on = authenticated();
    upstreamSays(on.d, on.upstream, '554 5.3.2 go away\r\n');
    expect(lastWrite(on.d)).toBe('554 5.3.2 go away\r\n');
    expect(logs(on.d)).toContain(`[info] upstream sent invalid response: "554 5.3.2 go away" while reading response from upstream${ALICE}, upstream: 127.0.0.1:10025`);
    expect(closed(on.d)).toBe(true);
    const off = authenticated({ proxy_pass_error_message: false });
    upstreamSays(off.d, off.upstream, '554 5.3.2 go away\r\n');
    expect(lastWrite(off.d)).toBe(INTERNAL);
    expect(logs(off.d)).toContain(`[error] upstream sent invalid response: "554 5.3.2 go away" while reading response from upstream${ALICE}, upstream: 127.0.0.1:10025`);
  });

  test('the upstream closing or never greeting within `timeout` of the connect: 451 and closed', () => {
    const eof = authenticated();
    eof.d.input({ kind: 'eof', conn: eof.upstream });
    expect(lastWrite(eof.d)).toBe(INTERNAL);
    expect(closed(eof.d)).toBe(true);
    // recv() 0: NGX_ERROR without a line (ngx_mail_proxy_read_response(), ngx_unix_recv())
    expect(logs(eof.d)).toEqual([]);
    const silent = authenticated({ timeout: 10_000 });
    silent.d.advanceBy(9_000_000);
    expect(closed(silent.d)).toBe(false);
    silent.d.advanceBy(1_000_000);
    expect(lastWrite(silent.d)).toBe(INTERNAL);
    expect(closed(silent.d, silent.upstream)).toBe(true);
  });

  test('a reply followed at once by the FIN is read and judged before the close: a 421 goes to the client; a good reply, then 451 (ngx_mail_proxy_read_response(): recv() returns the bytes, 0 only on the next read)', () => {
    const refused = authenticated();
    refused.d.bytes(refused.upstream, '421 4.7.0 Server closing connection\r\n').input({ kind: 'eof', conn: refused.upstream }).advanceBy(1_000);
    expect(lastWrite(refused.d)).toBe('421 4.7.0 Server closing connection\r\n');
    expect(logs(refused.d)).toContain(`[info] upstream sent invalid response: "421 4.7.0 Server closing connection" while reading response from upstream${ALICE}, upstream: 127.0.0.1:10025`);
    expect(closed(refused.d)).toBe(true);
    const greeted = authenticated();
    greeted.d.bytes(greeted.upstream, '220 b\r\n').input({ kind: 'eof', conn: greeted.upstream }).advanceBy(1_000);
    expect(greeted.d.writes(greeted.upstream)).toEqual(['EHLO mail.example.test\r\n']);
    expect(lastWrite(greeted.d)).toBe(INTERNAL);
    expect(closed(greeted.d)).toBe(true);
  });

  test('the handshake timer runs from the connect: replies do not re-arm it', () => {
    const { d, upstream } = authenticated({ timeout: 10_000 });
    d.advanceBy(8_000_000);
    upstreamSays(d, upstream, '220 b\r\n');
    d.advanceBy(2_000_000);
    expect(lastWrite(d)).toBe(INTERNAL);
  });

  test('the timeout is logged at info with the action under way (log->action): connecting, the command sent, or a reply begun', () => {
    const timedOut = (action: string) => `[info] upstream timed out (110: Connection timed out) while ${action}${ALICE}, upstream: 127.0.0.1:10025`;
    const silent = authenticated({ timeout: 10_000 });
    silent.d.advanceBy(10_000_000);
    expect(logs(silent.d)).toContain(timedOut('connecting to upstream'));
    const afterEhlo = authenticated({ timeout: 10_000 });
    upstreamSays(afterEhlo.d, afterEhlo.upstream, '220 b\r\n');
    afterEhlo.d.advanceBy(10_000_000);
    expect(logs(afterEhlo.d)).toContain(timedOut('sending HELO/EHLO to upstream'));
    const partial = authenticated({ timeout: 10_000 });
    upstreamSays(partial.d, partial.upstream, '220 b\r\n', '250-b\r\n');
    partial.d.advanceBy(10_000_000);
    expect(logs(partial.d)).toContain(timedOut('reading response from upstream'));
  });

  test('the upstream refusing the connection: 451', () => {
    const d = say(nginx(), 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
    const { conn } = authRequest(d);
    d.bytes(conn, OK_AUTH).advanceBy(1_000);
    const upstream = connects(d).at(-1)!.conn;
    d.input({ kind: 'connectFailed', conn: upstream, reason: 'refused' });
    expect(lastWrite(d)).toBe(INTERNAL);
    expect(closed(d)).toBe(true);
    expect(closed(d, upstream)).toBe(false);
  });
});

describe('the relay (ngx_mail_proxy_handler)', () => {
  function relaying() {
    const { d, upstream } = authenticated();
    upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n', '250 b\r\n');
    return { d, upstream };
  }

  test("a client that ends before its login is done: the auth state's read meets it and nothing is written; a FIN closes silently, a reset logs the failed recv() at info", () => {
    // ngx_mail_read_command(): recv() 0 closes without a line, an error is ngx_connection_error()'s (c->log_error info).
    // Measured on nginx 1.22.1: "recv() failed (104: Connection reset by peer) while in auth state, client: 127.0.0.1, server: 127.0.0.1:12525".
    const cases = [
      [{ kind: 'eof' }, []],
      [{ kind: 'reset' }, [`[info] recv() failed (104: Connection reset by peer) while in auth state${CONTEXT}`]],
      [{ kind: 'reset', errno: 'ETIMEDOUT' }, [`[info] recv() failed (110: Connection timed out) while in auth state${CONTEXT}`]],
    ] as const;
    for (const [end, lines] of cases) {
      const d = say(nginx({ smtp_auth: ['plain'] }), 'EHLO client.example.test');
      const writes = d.of('write').length;
      d.input({ ...end, conn: CLIENT });
      expect(closed(d), 'met by the next pass, reactionUs on').toBe(false);
      d.advanceBy(mailuNginxConfig.timings.reactionUs - 1);
      expect(closed(d), 'not before reactionUs').toBe(false);
      d.advanceBy(1);
      expect(d.of('write').length).toBe(writes);
      expect(closed(d)).toBe(true);
      expect(logs(d), JSON.stringify(end)).toEqual(lines);
    }
  });

  test("the commands a client sent before its end are answered first; after a reset the reply's send() fails (logged at info, closed), after a FIN the read then meets the 0", () => {
    // Measured on nginx 1.22.1: "NOOP" then a reset: "send() failed (104: Connection reset by peer) while in auth state, client: ...";
    // "NOOP" and a FIN: 250 2.0.0 OK, closed, nothing logged.
    const reset = nginx().bytes(CLIENT, 'NOOP\r\nNOOP\r\n').input({ kind: 'reset', conn: CLIENT }).advanceBy(1_000);
    expect(reset.writes(CLIENT)).toEqual(['220 mail.example.test ESMTP ready\r\n']);
    expect(logs(reset)).toEqual([`[info] send() failed (104: Connection reset by peer) while in auth state${CONTEXT}`]);
    expect(closed(reset)).toBe(true);
    const fin = nginx().bytes(CLIENT, 'NOOP\r\nNOOP\r\n').input({ kind: 'eof', conn: CLIENT }).advanceBy(1_000);
    expect(fin.writes(CLIENT).slice(1)).toEqual(['250 2.0.0 OK\r\n', '250 2.0.0 OK\r\n']);
    expect(logs(fin)).toEqual([]);
    expect(closed(fin)).toBe(true);
    // A command that goes to auth_http: the end waits for its answer (ngx_mail_auth_http_block_read()).
    const auth = nginx({ smtp_auth: ['plain'] }).bytes(CLIENT, `AUTH PLAIN ${b64('\0alice@example.test\0secret')}\r\n`).input({ kind: 'reset', conn: CLIENT }).advanceBy(1_000);
    expect(closed(auth)).toBe(false);
    expect(connects(auth)).toHaveLength(1);
  });

  test("a reset before the greeting went: its send() fails while \"sending client greeting line\"; after a FIN the greeting goes, then the read meets the 0", () => {
    // ngx_mail_init_connection() sets the action, ngx_mail_smtp_greeting() sends. Measured on nginx 1.22.1 (stopped while
    // the client connected and reset): "send() failed (104: Connection reset by peer) while sending client greeting line, client: 127.0.0.1, server: 127.0.0.1:12525".
    for (const [end, writes, lines] of [
      ['reset', [], [`[info] send() failed (104: Connection reset by peer) while sending client greeting line${CONTEXT}`]],
      ['eof', ['220 mail.example.test ESMTP ready\r\n'], []],
    ] as const) {
      const d = new DirectDriver(new NginxFront(mailuNginxConfig));
      d.input({ kind: 'accepted', conn: CLIENT, local: { host: '127.0.0.1', port: 25 }, remote }).input({ kind: end, conn: CLIENT }).advanceBy(1_000);
      expect(d.writes(CLIENT), end).toEqual(writes);
      expect(logs(d), end).toEqual(lines);
      expect(closed(d), end).toBe(true);
    }
  });

  test("a client's FIN during the upstream handshake is read only by the relay: the handshake ends, 235, what the client sent goes upstream, then both close", () => {
    // ngx_mail_proxy_block_read() reads nothing; once logged in, ngx_mail_proxy_handler() sends the 235, passes
    // s->buffer on and its recv() from the client returns 0 ("proxied session done").
    const { d, upstream } = authenticated();
    upstreamSays(d, upstream, '220 b\r\n');
    d.bytes(CLIENT, 'MAIL FROM:<alice@example.test>\r\n').input({ kind: 'eof', conn: CLIENT }).advanceBy(1_000);
    expect(closed(d)).toBe(false);
    upstreamSays(d, upstream, '250 b\r\n', '220 b\r\n');
    expect(closed(d)).toBe(false);
    upstreamSays(d, upstream, '250 b\r\n');
    expect(d.writes(upstream).slice(1)).toEqual([
      'XCLIENT ADDR=203.0.113.25 LOGIN=alice@example.test NAME=[UNAVAILABLE]\r\n',
      'EHLO client.example.test\r\n',
      'MAIL FROM:<alice@example.test>\r\n',
    ]);
    expect(lastWrite(d)).toBe('235 2.0.0 OK\r\n');
    expect(closed(d) && closed(d, upstream)).toBe(true);
    expect(logs(d).slice(-2)).toEqual([`[info] client logged in${ALICE}, upstream: 127.0.0.1:10025`, `[info] proxied session done${ALICE}, upstream: 127.0.0.1:10025`]);
  });

  test("before 1.23.4 a lone FIN during the handshake is lost (proxy_reads_blocked_client_event): the session waits for the upstream to end; with input buffered it is read in every release", () => {
    for (const [version, atOnce] of [['1.23.3', false], ['1.23.4', true]] as const) {
      const { d, upstream } = authenticated({ version });
      upstreamSays(d, upstream, '220 b\r\n');
      d.input({ kind: 'eof', conn: CLIENT }).advanceBy(1_000);
      upstreamSays(d, upstream, '250 b\r\n', '220 b\r\n', '250 b\r\n');
      expect(closed(d), version).toBe(atOnce);
      if (atOnce) continue;
      // Postfix's smtpd_timeout: its 421 is relayed, then its close ends both sides.
      d.bytes(upstream, '421 4.4.2 backend Error: timeout exceeded\r\n').input({ kind: 'eof', conn: upstream }).advanceBy(1_000);
      expect(closed(d) && closed(d, upstream), version).toBe(true);
    }
    const buffered = authenticated({ version: '1.23.3' });
    buffered.d.bytes(CLIENT, 'QUIT\r\n').input({ kind: 'eof', conn: CLIENT }).advanceBy(1_000);
    upstreamSays(buffered.d, buffered.upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n', '250 b\r\n');
    expect(buffered.d.writes(buffered.upstream).at(-1)).toBe('QUIT\r\n');
    expect(closed(buffered.d)).toBe(true);
  });

  test("a client's reset during the handshake, in every release: the handshake ends, \"client logged in\", then the 235's send() fails and both close; nothing of the client's goes upstream", () => {
    // ngx_mail_proxy_smtp_handler() calls ngx_mail_proxy_handler(s->connection->write) itself, whatever 2ca4355bf posts.
    // Measured on nginx 1.22.1: "client logged in, ...", then "send() failed (104: Connection reset by peer) while proxying
    // and sending to client, client: 127.0.0.1, server: 127.0.0.1:12525, login: "alice", upstream: 127.0.0.1:12526".
    for (const [version, buffered] of [['1.23.3', ''], ['1.23.4', ''], ['1.26.3', 'MAIL FROM:<alice@example.test>\r\n']] as const) {
      const { d, upstream } = authenticated({ version });
      if (buffered !== '') d.bytes(CLIENT, buffered);
      d.input({ kind: 'reset', conn: CLIENT }).advanceBy(1_000);
      const toClient = d.writes(CLIENT).length;
      upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n');
      expect(closed(d), version).toBe(false);
      upstreamSays(d, upstream, '250 b\r\n');
      expect(d.writes(upstream).at(-1), version).toBe('EHLO client.example.test\r\n');
      expect(d.writes(CLIENT), version).toHaveLength(toClient);
      expect(closed(d) && closed(d, upstream), version).toBe(true);
      expect(logs(d), version).toEqual([
        `[info] client logged in${ALICE}, upstream: 127.0.0.1:10025`,
        `[info] send() failed (104: Connection reset by peer) while proxying and sending to client${ALICE}, upstream: 127.0.0.1:10025`,
      ]);
    }
  });

  test("a client's end while auth_http is asked is not read either (ngx_mail_auth_http_block_read): the answer is acted on", () => {
    const ok = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0alice@example.test\0secret')}`);
    ok.input({ kind: 'eof', conn: CLIENT });
    expect(ok.pendingTimers(), 'no pass of the auth state is set up: the client is not read').not.toContain(`${CLIENT}/commands`);
    const upstream = answerAuth(ok, OK_AUTH);
    expect(upstream).toBeDefined();
    expect(closed(ok)).toBe(false);
    // A refusal with Auth-Wait: the 535, then the auth state's read meets the end.
    const WAIT_3 = 'HTTP/1.0 200 OK\r\nAuth-Status: Invalid login\r\nAuth-Wait: 3\r\nContent-Length: 0\r\n\r\n';
    const refused = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0alice@example.test\0wrong')}`);
    refused.input({ kind: 'eof', conn: CLIENT });
    answerAuth(refused, WAIT_3);
    refused.advanceBy(3_000_000);
    expect(lastWrite(refused)).toBe('535 5.7.0 Invalid login\r\n');
    expect(closed(refused)).toBe(true);
    expect(logs(refused)).toEqual([`[info] client login failed: "Invalid login" while in http auth state${ALICE}`]);
    // After a reset nothing can be written to the client: the refusal's send() fails, after the sleep "in auth state"
    // (ngx_mail_auth_sleep_handler()), without one "in http auth state". Measured on nginx 1.22.1, both.
    for (const [answer, action] of [[WAIT_3, 'in auth state'], ['HTTP/1.0 200 OK\r\nAuth-Status: Invalid login\r\nContent-Length: 0\r\n\r\n', 'in http auth state']] as const) {
      const reset = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0alice@example.test\0wrong')}`);
      const before = reset.writes(CLIENT).length;
      reset.input({ kind: 'reset', conn: CLIENT });
      answerAuth(reset, answer);
      reset.advanceBy(3_000_000);
      expect(reset.writes(CLIENT)).toHaveLength(before);
      expect(closed(reset)).toBe(true);
      expect(logs(reset)).toEqual([
        `[info] client login failed: "Invalid login" while in http auth state${ALICE}`,
        `[info] send() failed (104: Connection reset by peer) while ${action}${ALICE}`,
      ]);
    }
  });

  test('relayed bytes go on relayDelayUs after the first of a burst, client input held during the handshake relayDelayUs after the 235', () => {
    const { d, upstream } = authenticated();
    upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n');
    d.bytes(CLIENT, 'MAIL FROM:<alice@example.test>\r\n').advanceBy(1_000);
    d.bytes(upstream, '250 b\r\n').advanceBy(1_000);
    const [loggedIn] = timedWrites(d, CLIENT).find(([, text]) => text === '235 2.0.0 OK\r\n')!;
    const [heldAt, held] = timedWrites(d, upstream).at(-1)!;
    expect([held, heldAt - loggedIn]).toEqual(['MAIL FROM:<alice@example.test>\r\n', mailuNginxConfig.timings.relayDelayUs]);
    const sent = d.now;
    d.bytes(CLIENT, 'RCPT TO:<b@example.test>\r\n').bytes(upstream, '250 2.1.0 Ok\r\n').advanceBy(1_000);
    expect(d.of('write').filter((o) => o.t > sent).map((o) => o.t - sent)).toEqual([mailuNginxConfig.timings.relayDelayUs, mailuNginxConfig.timings.relayDelayUs]);
  });

  test('client input buffered during the handshake goes upstream once relaying starts', () => {
    const { d, upstream } = authenticated();
    upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '220 b\r\n');
    d.bytes(CLIENT, 'MAIL FROM:<alice@example.test>\r\n').advanceBy(1_000);
    expect(d.writes(upstream).at(-1)).toBe('EHLO client.example.test\r\n');
    upstreamSays(d, upstream, '250 b\r\n');
    expect(d.writes(upstream).at(-1)).toBe('MAIL FROM:<alice@example.test>\r\n');
  });

  test('bytes pass both ways as they come, lines or not', () => {
    const { d, upstream } = relaying();
    d.bytes(CLIENT, 'MAIL FR').advanceBy(1_000);
    d.bytes(upstream, '250 2.1.0').advanceBy(1_000);
    expect(d.writes(upstream).at(-1)).toBe('MAIL FR');
    expect(lastWrite(d)).toBe('250 2.1.0');
  });

  test('an upstream writing every 10 µs reaches the client within relayDelayUs of its first byte, nothing lost', () => {
    const { d, upstream } = relaying();
    const before = d.writes(CLIENT).length;
    const start = d.now;
    for (let i = 0; i < 10; i++) d.bytes(upstream, String(i)).advanceBy(10);
    const first = d.outputs.filter((o) => o.output.kind === 'write' && o.output.conn === CLIENT).slice(before)[0]!;
    expect(first.t - start).toBeLessThanOrEqual(mailuNginxConfig.timings.relayDelayUs);
    d.advanceBy(1_000);
    expect(d.writes(CLIENT).slice(before).join('')).toBe('0123456789');
  });

  test('the client closing: what it sent is passed on, then both connections close', () => {
    const { d, upstream } = relaying();
    d.bytes(CLIENT, 'QUIT\r\n').input({ kind: 'eof', conn: CLIENT });
    expect(d.writes(upstream).at(-1)).toBe('QUIT\r\n');
    expect(closed(d, upstream) && closed(d)).toBe(true);
  });

  test('the upstream closing: what it sent reaches the client, then both close', () => {
    const { d, upstream } = relaying();
    d.bytes(upstream, '221 2.0.0 Bye\r\n').input({ kind: 'reset', conn: upstream });
    expect(lastWrite(d)).toBe('221 2.0.0 Bye\r\n');
    expect(closed(d)).toBe(true);
  });

  test('either end going while bytes for the other are on their way: they are passed on first (nginx passes each read on in the event that read it)', () => {
    const clientEnds = relaying();
    clientEnds.d.bytes(clientEnds.upstream, '250 2.1.0 Ok\r\n').input({ kind: 'eof', conn: CLIENT });
    expect(lastWrite(clientEnds.d)).toBe('250 2.1.0 Ok\r\n');
    const upstreamEnds = relaying();
    upstreamEnds.d.bytes(CLIENT, 'RSET\r\n').input({ kind: 'eof', conn: upstreamEnds.upstream });
    expect(upstreamEnds.d.writes(upstreamEnds.upstream).at(-1)).toBe('RSET\r\n');
    expect(closed(upstreamEnds.d) && closed(clientEnds.d)).toBe(true);
  });

  test('once relaying, the client read timeout of the auth state is gone', () => {
    const { d } = relaying();
    d.advanceBy(120_000_000);
    expect(closed(d)).toBe(false);
  });
});

describe("Mailu's rate-limited answer, as each release writes it (views/auth.py; auth releases.ts ratelimit_answer_without_auth_wait)", () => {
  /** nginx's own auth_http request for a PLAIN login, answered by a Mailu service of `release` that already limits its address (AUTH_RATELIMIT_IP 1/hour, one failure). */
  function rateLimitedLogin(release: string): DirectDriver {
    const service = auth({ mailuVersion: release, AUTH_RATELIMIT_IP: '1/hour' });
    service.authenticate([['Auth-Port', '465'], ['Auth-User', 'x@example.test'], ['Auth-Pass', 'x'], ['Auth-Protocol', 'smtp'], ['Client-IP', remote.host], ['Client-Port', '1'], ['Auth-Method', 'plain'], ['Auth-Login-Attempt', '1']], 0);
    // Mailu's 465 server block: auth_http_header Auth-Port 465.
    const d = say(nginx({ smtp_auth: ['plain'], auth_http_header: [['Auth-Port', '465']] }), `AUTH PLAIN ${b64('\0alice@example.test\0secret')}`);
    const parser = new HttpParser('request');
    parser.feed(Buffer.from(authRequest(d).request, 'latin1'));
    const parsed = parser.nextRequest();
    if (parsed.kind !== 'message') throw new Error(`nginx's request did not parse: ${parsed.kind}`);
    const answer = service.authenticate(parsed.message.headers.map(([name, value]) => [name, value]), 1_000_000);
    if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
    const { conn } = authRequest(d);
    d.bytes(conn, `HTTP/1.0 200 OK\r\n${answer.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}Content-Length: 0\r\n\r\n`).advanceBy(1_000);
    return d;
  }
  const REPLY = '451 4.3.2 Temporary authentication failure (rate-limit)\r\n';

  test('2.0.43 asks nginx to wait (Auth-Wait: 3): the refusal comes 3 s later and the session stays for another try', () => {
    const d = rateLimitedLogin('2.0.43');
    expect(lastWrite(d)).not.toBe(REPLY);
    d.advanceBy(3_000_000);
    expect(lastWrite(d)).toBe(REPLY);
    expect(closed(d)).toBe(false);
  });

  test('2024.06.0 does not: nginx refuses at once and closes the session', () => {
    const d = rateLimitedLogin('2024.06.0');
    expect(lastWrite(d)).toBe(REPLY);
    expect(closed(d)).toBe(true);
  });
});

describe("the error log's context (ngx_mail_log_error(), ./nginx-log-context.ts)", () => {
  test('client: the address alone, server: the listener with its port, an IPv6 listener in brackets (ngx_sock_ntop())', () => {
    const d = new DirectDriver(new NginxFront({ ...mailuNginxConfig, timeout: 10_000 }));
    d.input({ kind: 'accepted', conn: CLIENT, local: { host: '2001:db8::1', port: 587 }, remote: { host: '2001:db8::25', port: 40000 } }).advanceBy(11_000_000);
    expect(logs(d)).toEqual(['[info] client timed out (110: Connection timed out) while in auth state, client: 2001:db8::25, server: [2001:db8::1]:587']);
  });

  test('login: s->login as it is, quotes and spaces unescaped (%V), from the AUTH LOGIN name on', () => {
    const d = say(nginx({ smtp_auth: ['login'] }), 'AUTH LOGIN', b64('al "ice" x'));
    d.input({ kind: 'reset', conn: CLIENT }).advanceBy(1_000);
    expect(logs(d)).toEqual([`[info] recv() failed (104: Connection reset by peer) while in auth state${CONTEXT}, login: "al "ice" x"`]);
  });

  test("upstream: Auth-Server and Auth-Port as the auth server wrote them, once the proxy is set up", () => {
    const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0alice@example.test\0secret')}`);
    const upstream = answerAuth(d, OK_AUTH.replace('Auth-Port: 10025', 'Auth-Port: 010025'))!;
    upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '250 b\r\n');
    expect(logs(d)).toEqual([`[info] client logged in${ALICE}, upstream: 127.0.0.1:010025`]);
  });

  test('Auth-Server as ngx_parse_addr() reads it: the connection goes to the address, the log names the text (Debian nginx 1.22.1: 0127.0.0.001 and ::ffff:127.0.0.1 reached a 127.0.0.1 listener)', () => {
    const upstreamOf = (server: string) => {
      const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64('\0alice@example.test\0secret')}`);
      const upstream = answerAuth(d, OK_AUTH.replace('Auth-Server: 127.0.0.1', `Auth-Server: ${server}`))!;
      const to = connects(d).at(-1)!.to;
      upstreamSays(d, upstream, '220 b\r\n', '250 b\r\n', '250 b\r\n');
      return { to: `${to.host}:${to.port}`, log: logs(d).at(-1) };
    };
    expect(upstreamOf('0127.0.0.001')).toEqual({ to: '127.0.0.1:10025', log: `[info] client logged in${ALICE}, upstream: 0127.0.0.001:10025` });
    expect(upstreamOf('::FFFF:127.0.0.1')).toEqual({ to: '127.0.0.1:10025', log: `[info] client logged in${ALICE}, upstream: ::FFFF:127.0.0.1:10025` });
    expect(upstreamOf(':0:0:0:0:0:0:0:1').to).toBe('::1:10025');
  });

  test('log_upstream_without_login: with smtp_auth none (no login) the upstream is named from 1.29.1 only (commit 239e10793)', () => {
    const loggedIn = (version: string) => {
      const d = say(nginx({ version }), 'MAIL FROM:<a@example.test>', 'RCPT TO:<b@example.test>');
      upstreamSays(d, answerAuth(d, OK_AUTH)!, '220 b\r\n', '250 b\r\n', '250 b\r\n', '250 b\r\n', '250 b\r\n');
      return logs(d);
    };
    // Measured on nginx 1.22.1 (smtp_auth none): "client logged in, client: 127.0.0.1, server: 127.0.0.1:12527".
    expect(loggedIn('1.29.0')).toEqual([`[info] client logged in${CONTEXT}`]);
    expect(loggedIn('1.29.1')).toEqual([`[info] client logged in${CONTEXT}, upstream: 127.0.0.1:10025`]);
  });
});

describe('error paths, each line checked on Debian\'s nginx 1.22.1 (the same texts at release-1.22.0 and release-1.29.8)', () => {
  const ERROR_AUTH = (what: string, login = ', login: "alice@example.test"') => `[error] auth http server 127.0.0.1:8080 ${what} while in http auth state${CONTEXT}${login}`;
  const plain = () => say(nginx({ smtp_auth: ['plain', 'login'] }), `AUTH PLAIN ${b64('\0alice@example.test\0secret')}`);

  test('a refused SASL response: its info line in the auth state, 500, and the next line is a command again, never counted against max_errors', () => {
    const refused = (...lines: string[]) => {
      const d = say(nginx({ smtp_auth: ['plain', 'login'], max_errors: 1 }), ...lines, 'NOOP');
      return { replies: d.writes(CLIENT).slice(1), logs: logs(d), closed: closed(d) };
    };
    const line = (what: string, login = '') => `[info] client sent ${what} while in auth state${CONTEXT}${login}`;
    expect(refused('AUTH LOGIN', '*')).toEqual({ replies: ['334 VXNlcm5hbWU6\r\n', INVALID, '250 2.0.0 OK\r\n'], logs: [line('invalid base64 encoding in AUTH LOGIN command')], closed: false });
    expect(refused('AUTH LOGIN *').logs).toEqual([line('invalid base64 encoding in AUTH LOGIN command')]);
    // the user name was taken: the line names it
    expect(refused(`AUTH LOGIN ${b64('bob')}`, '*').logs).toEqual([line('invalid base64 encoding in AUTH LOGIN command', ', login: "bob"')]);
    expect(refused('AUTH PLAIN *').logs).toEqual([line('invalid base64 encoding in AUTH PLAIN command')]);
    expect(refused('AUTH PLAIN', 'a').logs).toEqual([line('invalid base64 encoding in AUTH PLAIN command')]);
    for (const blob of ['alice', 'authz\0', '']) expect(refused(`AUTH PLAIN ${b64(blob)}=`).logs).toEqual([line('invalid login in AUTH PLAIN command')]);
    expect(refused(`AUTH PLAIN ${b64('\0alice')}`).logs).toEqual([line('invalid password in AUTH PLAIN command')]);
    expect(refused('AUTH EXTERNAL *').logs).toEqual([line('invalid base64 encoding in AUTH EXTERNAL command')]);
    // six refusals with max_errors 1: each 500, none closes (nginx 1.22.1: six lines, six 500s, then NOOP's 250)
    const six = refused(...Array.from({ length: 6 }, () => 'AUTH LOGIN *'));
    expect([six.replies.filter((r) => r === INVALID).length, six.logs.length, six.closed]).toEqual([6, 6, false]);
  });

  test('a too long command: the whole buffer from its start quoted (commands answered before it too), no context, 500 and closed', () => {
    // nginx 1.22.1: "NOOP\r\n" and a 4093-byte line in one write: 250, then "client sent too long command "NOOP\r\nNOOP ccc..."
    const d = nginx();
    const line = `NOOP ${'c'.repeat(4086)}`;
    d.bytes(CLIENT, `NOOP\r\n${line}\r\n`).advanceBy(1_000);
    expect(d.writes(CLIENT).slice(1)).toEqual(['250 2.0.0 OK\r\n', INVALID]);
    expect(closed(d)).toBe(true);
    const [logged] = logs(d);
    expect(logged).toBe(`[info] client sent too long command "NOOP\r\n${line}`.slice(0, NGINX_LAB_LINE_MAX));
    // the same line alone fits
    expect(lastWrite(say(nginx(), line))).toBe('250 2.0.0 OK\r\n');
  });

  test('auth_http_timeout: "auth http server <address> timed out" at error, 451, closed', () => {
    const d = plain();
    authRequest(d);
    d.advanceBy(60_000_000);
    expect(logs(d)).toEqual([ERROR_AUTH('timed out (110: Connection timed out)')]);
    expect([lastWrite(d), closed(d)]).toEqual([INTERNAL, true]);
  });

  test.each([
    ['a CR in the status line not followed by LF', 'HTTP/1.0 200 OK\rX\r\n\r\n', 'sent invalid response'],
    ["a byte a header name may not hold ('_')", 'HTTP/1.0 200 OK\r\nAuth_Status: OK\r\n\r\n', 'sent invalid header in response'],
    ['a CR in a value not followed by LF', 'HTTP/1.0 200 OK\r\nAuth-Status: OK\rX\r\n\r\n', 'sent invalid header in response'],
    ['no Auth-Server', 'HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Port: 10025\r\n\r\n', 'did not send server or port'],
    ['an empty Auth-Port', 'HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port:\r\n\r\n', 'did not send server or port'],
    ['a name for Auth-Server', 'HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: mail.example\r\nAuth-Port: 10025\r\n\r\n', 'sent invalid server address:"mail.example"'],
    ['port 0', 'HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 0\r\n\r\n', 'sent invalid server port:"0"'],
  ])('%s: "auth http server <address> ..." at error, 451, closed', (_what, answer, logged) => {
    const d = plain();
    expect(answerAuth(d, answer)).toBeUndefined();
    expect(logs(d)).toEqual([ERROR_AUTH(logged)]);
    expect([lastWrite(d), closed(d)]).toEqual([INTERNAL, true]);
  });

  test('headers without a status line are read as headers: the login goes on (nginx 1.22.1: 235)', () => {
    const d = plain();
    expect(answerAuth(d, 'Auth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 10025\r\n\r\n')).toBeDefined();
  });

  test('an Auth-User read before a bad header has replaced the login the line names', () => {
    const d = plain();
    answerAuth(d, 'HTTP/1.0 200 OK\r\nAuth-User: carol\r\nAuth-Status OK\r\n\r\n');
    expect(logs(d)).toEqual([ERROR_AUTH('sent invalid header in response', ', login: "carol"')]);
  });

  test('an answer that fills the 1024-byte buffer without ending: 451 and no line (the next recv() asks for 0 bytes)', () => {
    const long = `HTTP/1.0 200 OK\r\nX-Padding: ${'p'.repeat(1100)}\r\n\r\n`;
    const d = plain();
    answerAuth(d, long);
    expect([logs(d), lastWrite(d), closed(d)]).toEqual([[], INTERNAL, true]);
    // 1024 bytes that do end are an answer
    const fits = `HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 10025\r\nX-Padding: `;
    const exact = `${fits}${'p'.repeat(1024 - fits.length - 4)}\r\n\r\n`;
    expect(exact.length).toBe(1024);
    expect(answerAuth(plain(), exact)).toBeDefined();
  });

  test('the auth server refusing the connection or resetting it: "recv() failed" at error while in http auth state, 451', () => {
    const refused = plain();
    refused.input({ kind: 'connectFailed', conn: connects(refused)[0]!.conn, reason: 'refused' });
    expect(logs(refused)).toEqual([`[error] recv() failed (111: Connection refused) while in http auth state${CONTEXT}, login: "alice@example.test"`]);
    expect(lastWrite(refused)).toBe(INTERNAL);
    // a connect() that timed out: SO_ERROR ETIMEDOUT, the same recv() failure with its errno
    const timedOut = plain();
    timedOut.input({ kind: 'connectFailed', conn: connects(timedOut)[0]!.conn, reason: 'timeout' });
    expect(logs(timedOut)).toEqual([`[error] recv() failed (110: Connection timed out) while in http auth state${CONTEXT}, login: "alice@example.test"`]);
    const reset = plain();
    reset.input({ kind: 'reset', conn: authRequest(reset).conn });
    expect(logs(reset)).toEqual([`[error] recv() failed (104: Connection reset by peer) while in http auth state${CONTEXT}, login: "alice@example.test"`]);
    // a FIN is recv() 0: 451 without a line
    const fin = plain();
    fin.input({ kind: 'eof', conn: authRequest(fin).conn });
    expect([logs(fin), lastWrite(fin)]).toEqual([[], INTERNAL]);
  });

  test("after the client's reset, a failed auth answer's 451 cannot be sent: send() failed, and the client's connection is closed once", () => {
    const d = plain();
    d.input({ kind: 'reset', conn: CLIENT });
    answerAuth(d, 'HTTP/1.0 200 OK\r\nAuth-Status: OK\r\n\r\n');
    expect(logs(d)).toEqual([
      `[error] auth http server 127.0.0.1:8080 did not send server or port while in http auth state${ALICE}`,
      `[info] send() failed (104: Connection reset by peer) while in http auth state${ALICE}`,
    ]);
    expect(d.of('close').filter((o) => o.output.conn === CLIENT)).toHaveLength(1);
  });

  test('the upstream refusing the connection: "recv() failed (111: Connection refused) while reading response from upstream", with the upstream named', () => {
    const d = plain();
    const { conn } = authRequest(d);
    d.bytes(conn, OK_AUTH).advanceBy(1_000);
    d.input({ kind: 'connectFailed', conn: connects(d).at(-1)!.conn, reason: 'refused' });
    expect(logs(d)).toEqual([`[error] recv() failed (111: Connection refused) while reading response from upstream${ALICE}, upstream: 127.0.0.1:10025`]);
    expect([lastWrite(d), closed(d)]).toEqual([INTERNAL, true]);
  });

  test("the upstream's reset in the handshake: recv() fails, or, behind a reply that was taken, the next command's send()", () => {
    const UPSTREAM = `${ALICE}, upstream: 127.0.0.1:10025`;
    const quiet = authenticated();
    quiet.d.input({ kind: 'reset', conn: quiet.upstream });
    expect(logs(quiet.d)).toEqual([`[error] recv() failed (104: Connection reset by peer) while reading response from upstream${UPSTREAM}`]);
    const behind = authenticated();
    behind.d.bytes(behind.upstream, '220 b\r\n').input({ kind: 'reset', conn: behind.upstream }).advanceBy(1_000);
    expect(logs(behind.d)).toEqual([`[error] send() failed (104: Connection reset by peer) while sending HELO/EHLO to upstream${UPSTREAM}`]);
    const cut = authenticated();
    cut.d.bytes(cut.upstream, '220 b').input({ kind: 'reset', conn: cut.upstream }).advanceBy(1_000);
    expect(logs(cut.d)).toEqual([`[error] recv() failed (104: Connection reset by peer) while reading response from upstream${UPSTREAM}`]);
    for (const { d } of [quiet, behind, cut]) expect([lastWrite(d), closed(d)]).toEqual([INTERNAL, true]);
  });

  test('a line longer than nginx can write is cut where the longest left-out prefix would cut it: the context goes first', () => {
    // nginx 1.22.1: a 2100-byte login in "client login failed" gave a 2047-byte line ending inside the login
    const d = say(nginx({ smtp_auth: ['plain'] }), `AUTH PLAIN ${b64(`\0${'u'.repeat(2100)}\0nope`)}`);
    answerAuth(d, 'HTTP/1.0 200 OK\r\nAuth-Status: Invalid login\r\n\r\n');
    const full = `[info] client login failed: "Invalid login" while in http auth state${CONTEXT}, login: "${'u'.repeat(2100)}"`;
    expect(logs(d)).toEqual([full.slice(0, NGINX_LAB_LINE_MAX)]);
    expect(NGINX_LAB_LINE_MAX).toBe(2047 - 20 - 17 - 22);
  });
});
