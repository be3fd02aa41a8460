/* dovecot-session - a submission-login client's life through its phases: where each can end, what it logs, the hand-over and the relay
 *
 * dovecot/core 2.3.19.1:
 *  - src/login-common/client-common.c client_get_extra_disconnect_reason() (the "(...)" of every
 *    Disconnected line), client_idle_disconnect_timeout(), client_destroy_oldest();
 *  - src/login-common/sasl-server.c (auth_attempts, auth_first_started, auth_successes);
 *  - src/submission-login/client-authenticate.c cmd_helo_reply() (the EHLO list), client.c;
 *  - src/login-common/client-common-auth.c proxy_check_start(), login-proxy.c login_proxy_detach()
 *    and login_proxy_free_errstr() ("Disconnected by server|client[: error] (Ns idle, in=N, out=N)").
 */
import { describe, expect, test } from 'vitest';
import { createFront } from '../../../models/front/index.ts';
import { labDovecotConfig, type DovecotFrontConfig } from '../../../models/front/config.ts';
import { DirectDriver } from './direct-driver.ts';
import { answerLookup, BAD_RESPONSE, CLIENT, greeted, local, OK_RESPONSE, remote } from './dovecot-driver.ts';
import { readFailed } from '../../../models/front/dovecot-read-error.ts';

const PLAIN_ALICE = `AUTH PLAIN ${Buffer.from('\0alice@example.test\0secret').toString('base64')}\r\n`;
const ADDRESSES = 'rip=127.0.0.1, rport=40000, lip=127.0.0.1, lport=1587, secured';
/** Before any AUTH: user=<%u> is written empty (client_get_log_str(): have_username_key()), method=%m is left out. */
const SUFFIX = `user=<>, ${ADDRESSES}`;
const USER_SUFFIX = `user=<alice@example.test>, method=PLAIN, ${ADDRESSES}`;
const PROXY = 'proxy(alice@example.test,127.0.0.1:10025)';

const logs = (d: DirectDriver) => d.of('log').map((o) => o.output.line);
const closes = (d: DirectDriver) => d.of('close').map((o) => o.output.conn);
const aborts = (d: DirectDriver) => d.of('abort').map((o) => o.output.conn);
const lastWrite = (d: DirectDriver, conn = CLIENT) => d.writes(conn).at(-1);
/** When each write on `conn` went out. */
const writeTimes = (d: DirectDriver, conn: string) => d.of('write').filter((o) => o.output.conn === conn).map((o) => o.t);
const connected = (d: DirectDriver, conn: string) => d.input({ kind: 'connected', conn, local: { host: '127.0.0.1', port: 50001 }, remote: { host: '127.0.0.1', port: 10025 } });

/** A client that sent AUTH and whose lookup is open (the request written, no answer yet). */
function lookingUp(config: Partial<DovecotFrontConfig> = {}): { d: DirectDriver; http: string } {
  const d = greeted('dovecot-2.3', config);
  d.bytes(CLIENT, PLAIN_ALICE).advanceBy(1_000);
  const http = d.of('connect').at(-1)!.output.conn;
  d.input({ kind: 'connected', conn: http, local: { host: '127.0.0.1', port: 50000 }, remote: { host: '127.0.0.1', port: 8080 } });
  return { d, http };
}

/** Logged in through the passdb; the backend is connected and has answered up to `replies`. */
function proxying(replies: readonly string[] = [], config: Partial<DovecotFrontConfig> = {}): { d: DirectDriver; backend: string } {
  const d = greeted('dovecot-2.3', config);
  d.bytes(CLIENT, PLAIN_ALICE);
  const backend = answerLookup(d, OK_RESPONSE)!;
  connected(d, backend);
  for (const reply of replies) d.bytes(backend, reply).advanceBy(1_000);
  return { d, backend };
}

const HANDSHAKE = ['220 b ESMTP\r\n', '250-b\r\n250 XCLIENT ADDR\r\n', '220 ok\r\n250 b\r\n'];

/** Proxying and relaying (the detach done). */
function relaying(): { d: DirectDriver; backend: string } {
  const run = proxying(HANDSHAKE);
  run.d.advanceBy(10_000);
  return run;
}

describe('where a client can end, and what Dovecot logs', () => {
  test('before the greeting (auth not ready yet): "disconnected before auth was ready", and no greeting follows', () => {
    const d = new DirectDriver(createFront('dovecot-2.3')).input({ kind: 'accepted', conn: CLIENT, local, remote }).advanceBy(5_000);
    d.input({ kind: 'eof', conn: CLIENT }).advanceBy(50_000);
    expect(logs(d)).toEqual([`Info: Disconnected: Connection closed (disconnected before auth was ready, waited 0 secs): ${SUFFIX}`]);
    expect(d.writes(CLIENT)).toEqual([]);
    expect(closes(d)).toEqual([CLIENT]);
  });

  test('a reset is the read error of the client\'s 1026-byte istream, and aborts the connection instead of closing it', () => {
    const d = greeted();
    d.advanceBy(2_000_000).input({ kind: 'reset', conn: CLIENT });
    // 1026 - the 26 bytes of EHLO read; the real Dovecot after "EHLO x" (8 bytes): read(size=1018)
    expect(logs(d).at(-1)).toBe(`Info: Disconnected: Connection closed: read(size=1000) failed: Connection reset by peer (no auth attempts in 2 secs): ${SUFFIX}`);
    expect(aborts(d)).toEqual([CLIENT]);
  });

  test('in the middle of SASL: "client didn\'t finish SASL auth, waited N secs", counted from the AUTH', () => {
    const d = greeted();
    d.advanceBy(3_000_000).bytes(CLIENT, 'AUTH LOGIN\r\n').advanceBy(2_000_000);
    d.input({ kind: 'eof', conn: CLIENT });
    expect(logs(d).at(-1)).toBe(`Info: Disconnected: Connection closed (client didn't finish SASL auth, waited 2 secs): user=<>, method=LOGIN, ${ADDRESSES}`);
    // LOGIN's second challenge (Password:) waits again: sasl_callback() sets client->auth_waiting on every
    // SASL_SERVER_REPLY_CONTINUE, after client_auth_respond() cleared it (client-common-auth.c, 2.3.19.1).
    const password = greeted();
    password.bytes(CLIENT, 'AUTH LOGIN\r\n').advanceBy(1_000_000).bytes(CLIENT, `${Buffer.from('alice@example.test').toString('base64')}\r\n`).advanceBy(1_000_000);
    password.input({ kind: 'eof', conn: CLIENT });
    expect(logs(password).at(-1)).toMatch(/^Info: Disconnected: Connection closed \(client didn't finish SASL auth, waited 2 secs\): /);
  });

  test('while the passdb answers: "disconnected while authenticating", and the lookup connection is aborted', () => {
    const { d, http } = lookingUp();
    d.advanceBy(1_000_000).input({ kind: 'eof', conn: CLIENT });
    expect(logs(d).at(-1)).toBe(`Info: Disconnected: Connection closed (disconnected while authenticating, waited 1 secs): ${USER_SUFFIX}`);
    expect(aborts(d)).toEqual([http]);
  });

  test('while the failure is delayed: still "disconnected while authenticating"; the 535 never comes', () => {
    const d = greeted();
    d.bytes(CLIENT, PLAIN_ALICE);
    answerLookup(d, BAD_RESPONSE);
    d.input({ kind: 'eof', conn: CLIENT }).advanceBy(5_000_000);
    expect(logs(d).at(-1)).toMatch(/^Info: Disconnected: Connection closed \(disconnected while authenticating, waited 0 secs\): /);
    expect(d.writes(CLIENT).join('')).not.toContain('535');
  });

  test('after failed attempts: "auth failed, N attempts in N secs", counted from the first AUTH', () => {
    const d = greeted();
    for (let i = 0; i < 2; i++) {
      d.bytes(CLIENT, PLAIN_ALICE);
      answerLookup(d, BAD_RESPONSE);
      d.advanceBy(3_000_000);
    }
    expect(d.writes(CLIENT).filter((w) => w.startsWith('535 '))).toHaveLength(2);
    d.input({ kind: 'eof', conn: CLIENT });
    expect(logs(d).at(-1)).toBe(`Info: Disconnected: Connection closed (auth failed, 2 attempts in 6 secs): ${USER_SUFFIX}`);
  });

  test('a second attempt left unfinished or unanswered is "auth failed, 2 attempts" (the waiting reasons want 1 attempt)', () => {
    for (const second of ['AUTH PLAIN\r\n', PLAIN_ALICE]) {
      const d = greeted();
      d.bytes(CLIENT, PLAIN_ALICE);
      answerLookup(d, BAD_RESPONSE);
      d.advanceBy(3_000_000).bytes(CLIENT, second).advanceBy(1_000);
      d.input({ kind: 'eof', conn: CLIENT });
      expect(logs(d).at(-1)).toBe(`Info: Disconnected: Connection closed (auth failed, 2 attempts in 3 secs): ${USER_SUFFIX}`);
    }
  });

  test('after a login that failed at the backend: "internal failure, 1 successful auths"', () => {
    const { d, backend } = proxying([], { login_proxy_max_reconnects: 0 });
    d.input({ kind: 'connectFailed', conn: backend, reason: 'refused' }).advanceBy(10_000);
    expect(lastWrite(d)).toBe('454 4.7.0 Account is temporarily unavailable.\r\n');
    d.input({ kind: 'eof', conn: CLIENT });
    expect(logs(d).at(-1)).toBe(`Info: Disconnected: Connection closed (internal failure, 1 successful auths): ${USER_SUFFIX}`);
  });

  test('the 3-minute login timeout: 421 4.4.2 with the phase\'s reason, or the login proxy\'s "Logging in ... timed out"', () => {
    const idle = greeted();
    idle.advanceTo(180_000_000);
    expect(lastWrite(idle)).toBe('421 4.4.2 front.example.test Disconnected for inactivity.\r\n');
    expect(logs(idle).at(-1)).toBe(`Info: Disconnected: Inactivity (no auth attempts in 180 secs): ${SUFFIX}`);

    const sasl = greeted();
    sasl.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceTo(180_000_000);
    expect(lastWrite(sasl)).toBe('421 4.4.2 front.example.test Disconnected for inactivity during authentication.\r\n');
    expect(logs(sasl).at(-1)).toMatch(/^Info: Disconnected: Inactivity during authentication \(client didn't finish SASL auth, waited 180 secs\): /);

    const lookup = lookingUp({ authHttp: { address: { host: '127.0.0.1', port: 8080 }, hostHeader: 'admin:8080', timeout: 200_000, max_attempts: 1, mailuVersion: '2024.06.0' } });
    lookup.d.advanceTo(180_000_000);
    expect(lastWrite(lookup.d)).toBe('421 4.4.2 front.example.test Disconnected for inactivity during authentication.\r\n');

    const backend = proxying([], { login_proxy_timeout: 200_000 });
    backend.d.advanceTo(180_000_000);
    expect(lastWrite(backend.d)).toBe('421 4.4.2 front.example.test Timeout while finishing login.\r\n');
    expect(logs(backend.d).at(-1)).toBe(`Error: ${PROXY}: Logging in to 127.0.0.1:10025 timed out (state=banner, duration=180s): ${USER_SUFFIX}`);
    expect(closes(backend.d)).toEqual(expect.arrayContaining([backend.backend, CLIENT]));
  });

  test('the login timeout goes with "Started proxying": a 235 just before the 3 minutes is not followed by a 421', () => {
    const { d, backend } = proxying(HANDSHAKE.slice(0, 2), { login_proxy_timeout: 300_000 });
    d.advanceTo(179_999_000).bytes(backend, HANDSHAKE[2]!).advanceBy(300);
    expect(lastWrite(d)).toBe('235 2.7.0 Logged in.\r\n');
    d.advanceTo(181_000_000);
    expect(lastWrite(d)).toBe('235 2.7.0 Logged in.\r\n');
    expect(closes(d)).not.toContain(CLIENT);
  });

  test('the client leaving while the backend handshake runs: the backend connection goes too', () => {
    const { d, backend } = proxying(HANDSHAKE.slice(0, 1));
    d.input({ kind: 'eof', conn: CLIENT }).advanceBy(1_000);
    expect(logs(d).at(-1)).toBe(`Info: Disconnected: Connection closed (internal failure, 1 successful auths): ${USER_SUFFIX}`);
    expect(closes(d)).toEqual(expect.arrayContaining([backend, CLIENT]));
    expect(d.pendingTimers()).toEqual([]);
  });

  test('once relaying, the login timeout is gone', () => {
    const { d } = relaying();
    d.advanceTo(200_000_000);
    expect(closes(d)).not.toContain(CLIENT);
  });

  test('make room: a client still logging in goes with 421 4.0.0; detaching and relaying ones stay', () => {
    const front = createFront('dovecot-2.3');
    const d = new DirectDriver(front).input({ kind: 'accepted', conn: CLIENT, local, remote });
    expect(front.makeRoom!(d.now)).toBe(true);
    d.input({ kind: 'timeout', timer: 'none' });
    expect(logs(d)).toEqual([`Info: Disconnected: Connection queue full (disconnected before auth was ready, waited 0 secs): ${SUFFIX}`]);
    const detaching = proxying(HANDSHAKE.slice(0, 2));
    detaching.d.bytes(detaching.backend, HANDSHAKE[2]!).advanceBy(300);
    expect(lastWrite(detaching.d)).toBe('235 2.7.0 Logged in.\r\n');
    expect(detaching.d.model.makeRoom!(detaching.d.now)).toBe(false);
    const relayed = relaying();
    expect(relayed.d.model.makeRoom!(relayed.d.now)).toBe(false);
  });
});

describe('what a session leaves behind and when it reads', () => {
  test('a session that ended has no timer left, however it ended', () => {
    const quit = greeted();
    quit.bytes(CLIENT, 'QUIT\r\n').advanceBy(1_000);
    const lookup = lookingUp();
    lookup.d.input({ kind: 'reset', conn: CLIENT });
    const relayed = relaying();
    relayed.d.input({ kind: 'eof', conn: relayed.backend }).advanceBy(1_000);
    for (const d of [quit, lookup.d, relayed.d]) {
      expect(closes(d).concat(aborts(d))).toContain(CLIENT);
      expect(d.pendingTimers()).toEqual([]);
    }
  });

  test('no command is read while the passdb answers (client_auth_begin_common: io_remove until the auth reply)', () => {
    const { d } = lookingUp();
    const timersBefore = d.of('timer').length;
    d.bytes(CLIENT, 'NOOP\r\n').advanceBy(1_000);
    expect(d.of('timer').slice(timersBefore).map((o) => o.output.timer)).not.toContain(`${CLIENT}/command`);
    expect(d.pendingTimers()).not.toContain(`${CLIENT}/command`);
  });

  test('after the greeting with nothing buffered, no command pass is scheduled', () => {
    const d = new DirectDriver(createFront('dovecot-2.3')).input({ kind: 'accepted', conn: CLIENT, local, remote }).advanceBy(20_000);
    expect(d.of('timer').map((o) => o.output.timer)).not.toContain(`${CLIENT}/command`);
  });

  test('a client writing every 10 µs while relaying is passed on within relayDelayUs of its first byte', () => {
    const { d, backend } = relaying();
    const before = d.writes(backend).length;
    const start = d.now;
    for (let i = 0; i < 10; i++) d.bytes(CLIENT, String(i)).advanceBy(10);
    const first = d.outputs.filter((o) => o.output.kind === 'write' && o.output.conn === backend).slice(before)[0]!;
    expect(first.t - start).toBeLessThanOrEqual(30);
    d.advanceBy(1_000);
    expect(d.writes(backend).slice(before).join('')).toBe('0123456789');
  });
});

describe('commands before AUTH (lib-smtp, client-authenticate.c)', () => {
  test('verbs are read case-insensitively', () => {
    const d = greeted();
    d.bytes(CLIENT, 'noop\r\nRsEt\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe('250 2.0.0 OK\r\n250 2.0.0 OK\r\n');
  });

  test('EHLO without a domain is 501 Missing hostname; HELO is "250 <hostname>"', () => {
    const d = greeted();
    d.bytes(CLIENT, 'EHLO\r\nHELO  \r\nHELO c.example.test\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe('501 Missing hostname\r\n501 Missing hostname\r\n250 front.example.test\r\n');
  });

  test('lib-smtp refuses a second space after the command name and a name not ended by a space: 500 5.5.2 Invalid command syntax, a bad command', () => {
    // smtp-command-parser.c smtp_command_parse_parameters() "Duplicate space after command name", the SP state's
    // "Unexpected character in command name"; smtp_server_connection_handle_input() answers BAD_COMMAND with the 500.
    const d = greeted();
    d.bytes(CLIENT, 'EHLO  c.example.test\r\nAUTH  PLAIN\r\nEHLO\tc.example.test\r\nHELO c.example.test \t\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe('500 5.5.2 Invalid command syntax\r\n'.repeat(3) + '250 front.example.test\r\n');
    d.bytes(CLIENT, 'EHLO  c.example.test\r\n'.repeat(11)).advanceBy(1_000);
    expect(lastWrite(d)!.endsWith('421 4.7.0 Too many invalid commands.\r\n')).toBe(true);
  });

  test('RSET and QUIT take no parameters, NOOP an optional String: otherwise 501 5.5.4 (smtp_server_cmd_rset/_quit/_noop)', () => {
    const d = greeted();
    d.bytes(CLIENT, 'RSET x\r\nQUIT now\r\nNOOP "a b"\r\nNOOP a b\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe([
      '501 5.5.4 Invalid parameters',
      '501 5.5.4 Invalid parameters',
      '250 2.0.0 OK',
      '501 5.5.4 Invalid string parameter: Invalid character in string',
    ].map((line) => `${line}\r\n`).join(''));
    expect(closes(d)).toEqual([]);
  });

  test('MAIL, RCPT, DATA, BDAT and VRFY want AUTH first, whatever their parameters (smtp_server_command_new(): no SMTP_SERVER_CMD_FLAG_PREAUTH; the real Dovecot, dovecot-differential)', () => {
    const d = greeted();
    d.bytes(CLIENT, 'MAIL FROM:<a@b>\r\nRCPT TO:<a@b>\r\nDATA\r\nBDAT 10\r\nVRFY bob\r\nVRFY\r\nVRFY <bob@example.test>\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe('530 5.7.0 Authentication required.\r\n'.repeat(7));
  });

  test('STARTTLS: TLS is not enabled on a plaintext connection, already active on an implicit-TLS one (smtp_server_cmd_starttls())', () => {
    const plain = greeted();
    plain.bytes(CLIENT, 'STARTTLS\r\nSTARTTLS now\r\n').advanceBy(1_000);
    expect(lastWrite(plain)).toBe('502 5.5.1 TLS support is not enabled.\r\n'.repeat(2));
    const tls = greeted('dovecot-2.3', { secured: 'TLS' });
    tls.bytes(CLIENT, 'STARTTLS\r\n').advanceBy(1_000);
    expect(lastWrite(tls)).toBe('502 5.5.1 TLS is already active.\r\n');
  });

  test('the EHLO list follows the backend\'s capabilities and submission_max_mail_size', () => {
    const bare = greeted('dovecot-2.3', { submission_backend_capabilities: [], submission_max_mail_size: 1000, auth_mechanisms: ['plain'] });
    expect(bare.writes(CLIENT)[1]).toBe('250-front.example.test\r\n250-AUTH PLAIN\r\n250-BURL imap\r\n250-CHUNKING\r\n250-ENHANCEDSTATUSCODES\r\n250-SIZE 1000\r\n250 PIPELINING\r\n');
    const binary = greeted('dovecot-2.3', { submission_backend_capabilities: ['binarymime', 'chunking'] });
    expect(binary.writes(CLIENT)[1]).toContain('250-AUTH PLAIN LOGIN\r\n250-BINARYMIME\r\n250-BURL imap\r\n');
    // client_parse_backend_capabilities(): BINARYMIME brings CHUNKING (measured on Debian's 2.3.19.1: both advertised)
    expect(greeted('dovecot-2.3', { submission_backend_capabilities: ['BINARYMIME'] }).writes(CLIENT)[1]).toContain('250-BINARYMIME\r\n');
    // an unknown name is skipped (warned about at start-up)
    expect(greeted('dovecot-2.3', { submission_backend_capabilities: ['SMTPUTF8'] }).writes(CLIENT)[1]).toBe(bare.writes(CLIENT)[1]!.replace('SIZE 1000', 'SIZE').replace('AUTH PLAIN', 'AUTH PLAIN LOGIN'));
  });

  test('exotic-backend: BURL, CHUNKING, ENHANCEDSTATUSCODES, SIZE and PIPELINING only when the backend is said to offer them; SIZE with a value always', () => {
    const exotic = (capabilities: string[], size = 0) => greeted('dovecot-2.3', { submission_backend_capabilities: capabilities, submission_client_workarounds: ['exotic-backend'], submission_max_mail_size: size }).writes(CLIENT)[1];
    expect(exotic(['8BITMIME'])).toBe('250-front.example.test\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n');
    expect(exotic(['burl', 'chunking', 'enhancedstatuscodes', 'size', 'pipelining'])).toBe('250-front.example.test\r\n250-AUTH PLAIN LOGIN\r\n250-BURL imap\r\n250-CHUNKING\r\n250-ENHANCEDSTATUSCODES\r\n250-SIZE\r\n250 PIPELINING\r\n');
    // measured on Debian's 2.3.19.1: BINARYMIME alone brings CHUNKING, which exotic-backend then advertises
    expect(exotic(['BINARYMIME'])).toBe('250-front.example.test\r\n250-AUTH PLAIN LOGIN\r\n250-BINARYMIME\r\n250 CHUNKING\r\n');
    expect(exotic([], 1000)).toBe('250-front.example.test\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1000\r\n');
  });

  test('a bad command streak is broken by a good reply; the 11th bad command in a row ends the session', () => {
    const d = greeted();
    d.bytes(CLIENT, 'FOO\r\n'.repeat(10) + 'NOOP\r\n' + 'FOO\r\n'.repeat(10) + 'VRFY x\r\n').advanceBy(1_000);
    expect(closes(d)).toEqual([]);
    // 501 counts as a bad command too (and 503, which no command before AUTH gets here).
    d.bytes(CLIENT, 'EHLO\r\nRSET x\r\n'.repeat(5) + 'FOO\r\n').advanceBy(1_000);
    expect(lastWrite(d)!.endsWith('421 4.7.0 Too many invalid commands.\r\n')).toBe(true);
    expect(logs(d).at(-1)).toBe(`Info: Disconnected: Too many invalid commands. (no auth attempts in 0 secs): ${SUFFIX}`);
  });

  test('replies of 5xx that are not 500, 501 or 503 do not count (504, 530)', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH CRAM-MD5\r\n'.repeat(12) + 'MAIL FROM:<a@b>\r\n'.repeat(12)).advanceBy(1_000);
    expect(closes(d)).toEqual([]);
  });

  test('a too-long line during SASL ends the exchange: 500 5.5.2 Line too long, and the next line is a command', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000);
    d.bytes(CLIENT, `${'A'.repeat(9000)}\r\nNOOP\r\n`).advanceBy(1_000);
    expect(lastWrite(d)).toBe('500 5.5.2 Line too long\r\n250 2.0.0 OK\r\n');
  });

  test('replies already corked go out before a 334, which is written at once', () => {
    const d = greeted();
    d.bytes(CLIENT, 'NOOP\r\nAUTH PLAIN\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT).slice(-2)).toEqual(['250 2.0.0 OK\r\n', '334 \r\n']);
  });
});

describe('AUTH and the passdb lookup', () => {
  test('AUTH with a mechanism not in auth_mechanisms is 504; AUTH alone is 501 Missing SASL mechanism parameter', () => {
    const d = greeted('dovecot-2.3', { auth_mechanisms: ['plain'] });
    d.bytes(CLIENT, 'AUTH LOGIN\r\nAUTH\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe('504 5.5.4 Unsupported authentication mechanism.\r\n501 5.5.4 Missing SASL mechanism parameter\r\n');
  });

  test('a mechanism not offered is an attempt all the same, and names the mechanism in the log (sasl_server_auth_begin() counts and names it before the lookup)', () => {
    // client_get_extra_disconnect_reason(): last_auth_fail MECH_INVALID; %m is client->auth_mech_name, str_ucase()d.
    const d = greeted();
    d.bytes(CLIENT, 'AUTH cram-md5\r\nQUIT\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe('504 5.5.4 Unsupported authentication mechanism.\r\n221 2.0.0 Bye\r\n');
    expect(logs(d).at(-1)).toBe(`Info: Disconnected: Aborted login by logging out (tried to use unsupported auth mechanism): user=<>, method=CRAM-MD5, ${ADDRESSES}`);
    // It counts with the attempts after it; a challenge clears the failure code (sasl_callback()).
    const twice = greeted();
    twice.bytes(CLIENT, 'AUTH CRAM-MD5\r\nAUTH PLAIN\r\n').advanceBy(1_000);
    twice.input({ kind: 'eof', conn: CLIENT });
    expect(logs(twice).at(-1)).toBe(`Info: Disconnected: Connection closed (auth failed, 2 attempts in 0 secs): user=<>, method=PLAIN, ${ADDRESSES}`);
  });

  test('the disconnect reason names an aborted exchange, invalid base64 and a temporary failure (client->auth_waiting, last_auth_fail)', () => {
    const reasonAfter = (lines: string) => {
      const d = greeted();
      d.bytes(CLIENT, lines).advanceBy(1_000).bytes(CLIENT, 'QUIT\r\n').advanceBy(1_000);
      return logs(d).at(-1);
    };
    // '*' answers a challenge: auth_waiting stays set (client_auth_abort() does not clear it), so the exchange is
    // unfinished, not "(aborted authentication)" (measured on Debian's 2.3.19.1: AUTH PLAIN, *, close).
    expect(reasonAfter('AUTH PLAIN\r\n*\r\n')).toBe(`Info: Disconnected: Aborted login by logging out (client didn't finish SASL auth, waited 0 secs): user=<>, method=PLAIN, ${ADDRESSES}`);
    // Aborted on a second attempt: the reason wants one attempt, and the abort left no failure code.
    expect(reasonAfter('AUTH CRAM-MD5\r\nAUTH PLAIN\r\n*\r\n')).toBe(`Info: Disconnected: Aborted login by logging out (auth failed, 2 attempts in 0 secs): user=<>, method=PLAIN, ${ADDRESSES}`);
    expect(reasonAfter('AUTH LOGIN !!!\r\n')).toBe(`Info: Disconnected: Aborted login by logging out (sent invalid base64 in response): user=<>, method=LOGIN, ${ADDRESSES}`);
    const d = greeted();
    d.bytes(CLIENT, PLAIN_ALICE);
    answerLookup(d, 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n');
    d.advanceBy(3_000_000).bytes(CLIENT, 'QUIT\r\n').advanceBy(1_000);
    expect(logs(d).at(-1)).toBe(`Info: Disconnected: Aborted login by logging out (auth service reported temporary failure): ${USER_SUFFIX}`);
  });

  test('the logged mechanism is upper-cased in ASCII only and sanitized to 64 bytes (str_ucase(), str_sanitize(MAX_MECH_NAME))', () => {
    const methodOf = (mechanism: string) => {
      const d = greeted();
      d.bytes(CLIENT, `AUTH ${mechanism}\r\nQUIT\r\n`).advanceBy(1_000);
      return /method=(.*), rip=/.exec(logs(d).at(-1)!)?.[1];
    };
    // U+0135 is C4 B5 in UTF-8: as latin1 text, B5 is the micro sign, which toUpperCase() would make a Greek capital.
    expect(methodOf('x\tb\xc4\xb5')).toBe('X?B\xc4\xb5');
    expect(methodOf('a'.repeat(70))).toBe(`${'A'.repeat(61)}...`);
  });

  test('AUTH parameters split on every space, empty words kept (smtp_server_cmd_auth(): t_strsplit): a third word, or two spaces, is 501 Invalid parameters', () => {
    for (const line of ['AUTH PLAIN AGFsaWNlAHNlY3JldA== x', 'AUTH PLAIN  AGFsaWNlAHNlY3JldA==']) {
      const d = greeted();
      d.bytes(CLIENT, `${line}\r\n`).advanceBy(1_000);
      expect(lastWrite(d)).toBe('501 5.5.4 Invalid parameters\r\n');
      expect(d.of('connect')).toEqual([]);
    }
  });

  test('an initial response "=" is an empty one: PLAIN of nothing fails after the delay', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH PLAIN =\r\n').advanceBy(3_000_000);
    expect(lastWrite(d)).toBe('535 5.7.8 Authentication failed.\r\n');
    expect(d.of('connect')).toEqual([]);
  });

  test('PLAIN wants exactly authzid NUL authcid NUL password with a user: others fail without asking the passdb', () => {
    for (const blob of ['\0alice\0pw\0more', '\0\0pw']) {
      const d = greeted();
      d.bytes(CLIENT, `AUTH PLAIN ${Buffer.from(blob).toString('base64')}\r\n`).advanceBy(3_000_000);
      expect(d.of('connect')).toEqual([]);
      expect(lastWrite(d)).toBe('535 5.7.8 Authentication failed.\r\n');
    }
  });

  test('a continued PLAIN response of the wrong shape fails after the delay, like an initial one', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000).bytes(CLIENT, `${Buffer.from('alice').toString('base64')}\r\n`).advanceBy(3_000_000);
    expect(lastWrite(d)).toBe('535 5.7.8 Authentication failed.\r\n');
    expect(d.of('connect')).toEqual([]);
  });

  test('bad base64 in a continued response is "501 5.5.2 Invalid base64 data in continued response"', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000).bytes(CLIENT, '!!!\r\nNOOP\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe('501 5.5.2 Invalid base64 data in continued response\r\n250 2.0.0 OK\r\n');
  });

  test('a continued response ends without its blanks (lib-smtp trims them): "* " aborts, " " is empty, and Debian\'s base64 check does not see them (each measured on its 2.3.19.1 build)', () => {
    const answer = (response: string, version = '2.3.19.1') => {
      const d = greeted('dovecot-2.3', { version });
      d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000).bytes(CLIENT, `${response}\r\n`).advanceBy(3_000_000);
      return lastWrite(d);
    };
    expect(answer('* ')).toBe('501 5.5.2 Authentication aborted by client.\r\n');
    for (const version of ['2.3.19.1', '2.3.19.1+deb12u7']) {
      expect(answer(' ', version)).toBe('535 5.7.8 Authentication failed.\r\n');
      // Base64 once trimmed: the request goes on to the passdb (which this driver leaves unanswered).
      expect(answer('AGFsaWNlAHdyb25n \t', version)).toBe('334 \r\n');
    }
  });

  test('a continued response with a byte outside textstr (8-bit, control) is "500 5.5.2 Invalid AUTH response syntax" and ends the exchange (smtp_command_parse_auth_response(); the real Dovecot, dovecot-differential)', () => {
    for (const bad of ['MAIL FROM:<\xe9@example.test>', 'YWxp\x01Y2U=']) {
      const d = greeted();
      d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000).bytes(CLIENT, `${bad}\r\nNOOP\r\n`).advanceBy(1_000);
      expect(lastWrite(d)).toBe('500 5.5.2 Invalid AUTH response syntax\r\n250 2.0.0 OK\r\n');
    }
    // HT and SP are textstr: such a response reaches the base64 decoder.
    const d = greeted();
    d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000).bytes(CLIENT, 'a\tb c\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe('501 5.5.2 Invalid base64 data in continued response\r\n');
  });

  test('after that 500 the AUTH request is still pending: the next AUTH kills the login process (cmd_auth() assertion; the real Dovecot 2.3.19.1 panics), other commands are answered', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000).bytes(CLIENT, 'YWxp\xe9Y2U=\r\nNOOP\r\nMAIL FROM:<a@b>\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe('500 5.5.2 Invalid AUTH response syntax\r\n250 2.0.0 OK\r\n530 5.7.0 Authentication required.\r\n');
    // AUTH without a mechanism is refused by lib-smtp before cmd_auth() runs.
    d.bytes(CLIENT, 'AUTH\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe('501 5.5.4 Missing SASL mechanism parameter\r\n');
    const before = d.writes(CLIENT).length;
    d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000);
    expect(d.writes(CLIENT)).toHaveLength(before);
    expect(closes(d)).toEqual([CLIENT]);
    // The Panic, then the master's line for the dead child, filed under submission-login (log-connection.c client_log_fatal()).
    expect(logs(d).slice(-2)).toEqual([
      'Panic: file client-authenticate.c: line 325 (cmd_auth): assertion failed: (subm_client->pending_auth == NULL)',
      'Fatal: master: service(submission-login): child killed with signal 6 (core dumps disabled - https://dovecot.org/bugreport.html#coredumps)',
    ]);
    expect(d.of('log').slice(-2).map((o) => o.output.program)).toEqual(['submission-login', 'submission-login']);
  });

  test('a too-long AUTH response leaves the request pending as a bad one does: "Line too long", then the next AUTH kills the login process (measured on Debian\'s 2.3.19.1)', () => {
    // cmd_auth_input() answers LINE_TOO_LONG itself, as it answers BAD_COMMAND; a byte outside textstr within the
    // 8192 (max_auth_size) is met before the length (smtp_command_parse_parameters()).
    for (const [response, reply] of [['a'.repeat(9000), 'Line too long'], [`${'a'.repeat(100)}\x01${'a'.repeat(9000)}`, 'Invalid AUTH response syntax']] as const) {
      const d = greeted();
      d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000).bytes(CLIENT, `${response}\r\nNOOP\r\n`).advanceBy(1_000);
      expect(lastWrite(d)).toBe(`500 5.5.2 ${reply}\r\n250 2.0.0 OK\r\n`);
      d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000);
      expect(closes(d)).toEqual([CLIENT]);
      expect(logs(d).at(-2)).toMatch(/^Panic: /);
    }
  });

  test("the Panic names the release's own assertion in cmd_auth() (client-authenticate.c at each tag; 2.4.3 asserts !client->authenticating first)", () => {
    const panicOf = (kind: 'dovecot-2.3' | 'dovecot-2.4', version: string) => {
      const d = greeted(kind, { version });
      d.bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000).bytes(CLIENT, 'YWxp\xe9Y2U=\r\n').advanceBy(1_000).bytes(CLIENT, 'AUTH PLAIN\r\n').advanceBy(1_000);
      return logs(d).at(-2);
    };
    const pending = (line: number) => `Panic: file client-authenticate.c: line ${line} (cmd_auth): assertion failed: (subm_client->pending_auth == NULL)`;
    expect(panicOf('dovecot-2.3', '2.3.17')).toBe(pending(273));
    expect(panicOf('dovecot-2.3', '2.3.18')).toBe(pending(310));
    expect(panicOf('dovecot-2.3', '2.3.21.1')).toBe(pending(325));
    expect(panicOf('dovecot-2.4', '2.4.1')).toBe(pending(336));
    expect(panicOf('dovecot-2.4', '2.4.2')).toBe(pending(338));
    expect(panicOf('dovecot-2.4', '2.4.4')).toBe('Panic: file client-authenticate.c: line 361 (cmd_auth): assertion failed: (!client->authenticating)');
    // Debian's build of 2.3.19.1, whose patches moved the function down (its Panic, measured).
    expect(panicOf('dovecot-2.3', '2.3.19.1+deb12u7')).toBe(pending(343));
  });

  test('PLAIN: an authzid equal to the user is accepted, another one fails without asking the passdb', () => {
    const same = greeted();
    same.bytes(CLIENT, `AUTH PLAIN ${Buffer.from('alice@example.test\0alice@example.test\0secret').toString('base64')}\r\n`).advanceBy(1_000);
    expect(same.of('connect')).toHaveLength(1);
    const other = greeted();
    other.bytes(CLIENT, `AUTH PLAIN ${Buffer.from('bob\0alice@example.test\0secret').toString('base64')}\r\n`).advanceBy(3_000_000);
    expect(other.of('connect')).toEqual([]);
    expect(lastWrite(other)).toBe('535 5.7.8 Authentication failed.\r\n');
  });

  test('the passdb request carries the user, the password, the ports and the mechanism, after authRequestDelayUs', () => {
    const d = greeted();
    d.bytes(CLIENT, 'AUTH LOGIN\r\n').advanceBy(1_000);
    d.bytes(CLIENT, `${Buffer.from('alice@example.test').toString('base64')}\r\n`).advanceBy(1_000);
    d.bytes(CLIENT, `${Buffer.from('secret').toString('base64')}\r\n`).advanceBy(299);
    expect(d.of('connect')).toEqual([]);
    d.advanceBy(1_000);
    const http = d.of('connect').at(-1)!.output.conn;
    d.input({ kind: 'connected', conn: http, local: { host: '127.0.0.1', port: 50000 }, remote: { host: '127.0.0.1', port: 8080 } });
    const request = d.writes(http).join('');
    for (const header of ['Auth-Port: 1587', 'Auth-User: alice@example.test', 'Auth-Pass: secret', 'Client-IP: 127.0.0.1', 'Client-Port: 40000', 'Auth-Method: LOGIN']) expect(request).toContain(`${header}\r\n`);
  });

  test('an internal passdb failure is "454 4.7.0 Temporary authentication failure. [<host>:<time>]"', () => {
    const d = greeted();
    d.bytes(CLIENT, PLAIN_ALICE);
    answerLookup(d, 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n');
    d.advanceBy(3_000_000);
    expect(lastWrite(d)).toMatch(/^454 4\.7\.0 Temporary authentication failure\. \[vm:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]\r\n$/);
  });

  test('the auth server ending the lookup connection before its answer: lib-http tries again at once; a reset connection is not aborted again', () => {
    for (const how of ['eof', 'reset'] as const) {
      const { d, http } = lookingUp();
      d.input({ kind: how, conn: http });
      expect(d.of('connect').at(-1)!.output.conn).not.toBe(http);
      expect(aborts(d).includes(http)).toBe(how === 'eof');
    }
  });

  test('a passdb attempt that timed out and connects or fails late changes nothing (the retry owns the lookup)', () => {
    const d = greeted();
    d.bytes(CLIENT, PLAIN_ALICE).advanceBy(1_000);
    const first = d.of('connect').at(-1)!.output.conn;
    d.advanceBy(labDovecotConfig.authHttp.timeout * 1000);
    expect(d.of('connect').at(-1)!.output.conn).not.toBe(first);
    const outputs = d.outputs.length;
    connected(d, first).input({ kind: 'connectFailed', conn: first, reason: 'refused' });
    expect(d.outputs.length).toBe(outputs);
  });

  test('a passdb host that is not an IP: the 454 comes failureReplyDelayUs after the answer', () => {
    const timings = { ...labDovecotConfig.timings, failureReplyDelayUs: 777 };
    const d = greeted('dovecot-2.3', { timings });
    d.bytes(CLIENT, PLAIN_ALICE);
    const answeredAt = d.now + 1_000;
    answerLookup(d, 'HTTP/1.1 200 OK\r\nAuth-Status: OK\r\nAuth-Server: backend\r\nAuth-Port: 10025\r\nContent-Length: 0\r\n\r\n');
    expect(writeTimes(d, CLIENT).at(-1)! - answeredAt).toBe(777);
  });

  test('a passdb host that is not an IP: "BUG: host ... is not an IP", then 454', () => {
    const d = greeted();
    d.bytes(CLIENT, PLAIN_ALICE);
    expect(answerLookup(d, 'HTTP/1.1 200 OK\r\nAuth-Status: OK\r\nAuth-Server: backend\r\nAuth-Port: 10025\r\nContent-Length: 0\r\n\r\n')).toBeUndefined();
    d.advanceBy(1_000);
    expect(logs(d)).toContain(`Error: proxy(alice@example.test,backend:10025): BUG: host backend is not an IP (auth should have changed it): ${USER_SUFFIX}`);
    expect(lastWrite(d)).toBe('454 4.7.0 Account is temporarily unavailable.\r\n');
    d.bytes(CLIENT, 'NOOP\r\n').advanceBy(1_000);
    expect(lastWrite(d)).toBe('250 2.0.0 OK\r\n');
  });

  test.each([['0'], ['65536'], ['1.5']])('passdb port %s is not a port: 454 without a backend connection', (port) => {
    const d = greeted();
    d.bytes(CLIENT, PLAIN_ALICE);
    expect(answerLookup(d, `HTTP/1.1 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: ${port}\r\nContent-Length: 0\r\n\r\n`)).toBeUndefined();
    d.advanceBy(1_000);
    expect(lastWrite(d)).toBe('454 4.7.0 Account is temporarily unavailable.\r\n');
  });

  test('passdb port 65535 is a port', () => {
    const d = greeted();
    d.bytes(CLIENT, PLAIN_ALICE);
    expect(answerLookup(d, 'HTTP/1.1 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 65535\r\nContent-Length: 0\r\n\r\n')).toBeDefined();
  });

  test('XCLIENT tells the backend the client\'s HELO, PROTO, LOGIN, TTL, PORT and ADDR (and, from 2.4.3, DESTPORT and DESTADDR)', () => {
    const xclientOf = (kind: 'dovecot-2.3' | 'dovecot-2.4', helo: string) => {
      const d = new DirectDriver(createFront(kind)).input({ kind: 'accepted', conn: CLIENT, local, remote }).advanceBy(20_000);
      d.bytes(CLIENT, `${helo}\r\n${PLAIN_ALICE}`).advanceBy(1_000);
      const backend = answerLookup(d, OK_RESPONSE)!;
      connected(d, backend);
      d.bytes(backend, '220 b\r\n').advanceBy(1_000);
      d.bytes(backend, '250 XCLIENT HELO PROTO LOGIN TTL PORT ADDR DESTADDR DESTPORT\r\n').advanceBy(1_000);
      return d.writes(backend)[1];
    };
    expect(xclientOf('dovecot-2.3', 'HELO old.example.test')).toBe('XCLIENT HELO=old.example.test PROTO=SMTP LOGIN=alice@example.test TTL=4 PORT=40000 ADDR=127.0.0.1\r\n');
    expect(xclientOf('dovecot-2.4', 'EHLO new.example.test x')).toBe('XCLIENT HELO=new.example.test PROTO=ESMTP LOGIN=alice@example.test TTL=4 PORT=40000 ADDR=127.0.0.1 DESTPORT=1587 DESTADDR=127.0.0.1\r\n');
  });
});

describe('the hand-over and the relay (login_proxy_detach, login_proxy_free_errstr)', () => {
  test('235, "Started proxying" with the seconds since the proxy began, and the relay after detachDelayUs', () => {
    const { d, backend } = proxying(HANDSHAKE.slice(0, 2));
    d.bytes(backend, HANDSHAKE[2]!).advanceBy(300);
    expect(lastWrite(d)).toBe('235 2.7.0 Logged in.\r\n');
    expect(logs(d)).toContainEqual(expect.stringMatching(new RegExp(`^Info: ${PROXY.replace(/[().]/g, '\\$&')}: Started proxying to <127\\.0\\.0\\.1> \\(0\\.0\\d\\d secs\\): user=<alice@example\\.test>`)));
    // Client bytes while detaching wait for the relay.
    d.bytes(CLIENT, 'MAIL FROM:<alice@example.test>\r\n').advanceBy(100);
    expect(d.writes(backend).at(-1)).toBe('EHLO front.example.test\r\n');
    d.advanceBy(2_000);
    expect(d.writes(backend).at(-1)).toBe('MAIL FROM:<alice@example.test>\r\n');
  });

  test('client lines buffered behind the AUTH and backend bytes behind the last reply both go on at the detach', () => {
    const d = greeted();
    d.bytes(CLIENT, `${PLAIN_ALICE}MAIL FROM:<alice@example.test>\r\n`);
    const backend = answerLookup(d, OK_RESPONSE)!;
    connected(d, backend);
    d.bytes(backend, HANDSHAKE[0]!).advanceBy(1_000);
    d.bytes(backend, HANDSHAKE[1]!).advanceBy(1_000);
    d.bytes(backend, `${HANDSHAKE[2]!}250 extra\r\n`).advanceBy(10_000);
    expect(d.writes(backend).at(-1)).toBe('MAIL FROM:<alice@example.test>\r\n');
    expect(lastWrite(d)).toBe('250 extra\r\n');
  });

  test('bytes pass both ways after relayDelayUs, one write per burst', () => {
    const { d, backend } = relaying();
    d.bytes(CLIENT, 'MAIL FROM:<a@b>\r\n').bytes(CLIENT, 'RCPT TO:<c@d>\r\n');
    d.bytes(backend, '250 2.1.0 Ok\r\n').bytes(backend, '250 2.1.5 Ok\r\n');
    expect(d.writes(backend).at(-1)).toBe('EHLO front.example.test\r\n');
    d.advanceBy(30);
    expect(d.writes(backend).at(-1)).toBe('MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n');
    expect(lastWrite(d)).toBe('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n');
  });

  test('the server ending the relay: its last bytes reach the client, then "Disconnected by server" with idle time and byte counts', () => {
    const { d, backend } = relaying();
    d.advanceBy(2_000_000);
    d.bytes(backend, '421 bye\r\n').input({ kind: 'reset', conn: backend }).advanceBy(1_000);
    expect(lastWrite(d)).toBe('421 bye\r\n');
    const inBytes = d.writes(backend).join('').length;
    const outBytes = d.writes(CLIENT).join('').length;
    const readFromBackend = [...HANDSHAKE, '421 bye\r\n'].join('').length;
    expect(logs(d).at(-1)).toBe(`Info: ${PROXY}: Disconnected by server: read(size=${4096 - readFromBackend}) failed: Connection reset by peer (0s idle, in=${inBytes}, out=${outBytes}): ${USER_SUFFIX}`);
    expect(aborts(d)).toEqual(expect.arrayContaining([backend, CLIENT]));
  });

  test('the client resetting the relay: the line of the real Dovecot 2.3.19.1 after the same EHLO and AUTH PLAIN (75 bytes read of 1026), and after 1157 (past one buffer)', () => {
    const { d, backend } = relaying();
    d.advanceBy(2_000_000).input({ kind: 'reset', conn: CLIENT }).advanceBy(1_000);
    const inBytes = d.writes(backend).join('').length;
    expect(logs(d).at(-1)).toBe(`Info: ${PROXY}: Disconnected by client: read(size=951) failed: Connection reset by peer (2s idle, in=${inBytes}, out=${d.writes(CLIENT).join('').length}): ${USER_SUFFIX}`);
    expect(readFailed(1026, 8 + 49 + 2 * 550, 'Connection reset by peer')).toBe('read(size=895) failed: Connection reset by peer');
    expect(readFailed(1026, 1026, 'x')).toBe('read(size=1026) failed: x');
  });

  test('the kernel ending a relay side (keepalive or retransmissions gave up: a reset with errno ETIMEDOUT) is the same read error with strerror(ETIMEDOUT)', () => {
    const { d, backend } = relaying();
    d.advanceBy(2_000_000).input({ kind: 'reset', conn: backend, errno: 'ETIMEDOUT' }).advanceBy(1_000);
    expect(logs(d).at(-1)).toMatch(/^Info: .*: Disconnected by server: read\(size=\d+\) failed: Connection timed out \(2s idle, /);
    expect(aborts(d)).toEqual(expect.arrayContaining([backend, CLIENT]));
  });

  test('a client the kernel timed out before logging in: "Connection timed out" in lib-smtp\'s reason', () => {
    const d = greeted();
    d.advanceBy(2_000_000).input({ kind: 'reset', conn: CLIENT, errno: 'ETIMEDOUT' });
    expect(logs(d).at(-1)).toBe(`Info: Disconnected: Connection closed: read(size=1000) failed: Connection timed out (no auth attempts in 2 secs): ${SUFFIX}`);
  });

  test('a relaying session leaves both its connections to the kernel (login_proxy_detach()); before the relay Dovecot has deadlines of its own', () => {
    const { d, backend } = proxying();
    expect(d.model.deadlineLeftToKernel!(CLIENT)).toBeNull();
    expect(d.model.deadlineLeftToKernel!(backend)).toBeNull();
    for (const reply of HANDSHAKE) d.bytes(backend, reply).advanceBy(1_000);
    d.advanceBy(10_000);
    for (const conn of [CLIENT, backend]) expect(d.model.deadlineLeftToKernel!(conn)).toMatch(/^Dovecot relays a proxied session with no timeout of its own \(login_proxy_detach\(\)/);
    expect(d.model.deadlineLeftToKernel!('unknown')).toBeNull();
  });

  test('SO_KEEPALIVE on every socket (lib/net.c): the accepted ones through the listener, the passdb lookup\'s connect', () => {
    const { d } = lookingUp();
    expect(d.of('connect').at(-1)!.output).toMatchObject({ keepAlive: true });
    expect(createFront('dovecot-2.3').keepAliveOnAccept).toBe(true);
  });

  test('the client ending the relay after a quiet spell: "Disconnected by client (Ns idle, ...)", both closed', () => {
    const { d, backend } = relaying();
    d.advanceBy(3_000_000).input({ kind: 'eof', conn: CLIENT }).advanceBy(1_000);
    expect(logs(d).at(-1)).toMatch(/^Info: proxy\(alice@example\.test,127\.0\.0\.1:10025\): Disconnected by client \(3s idle, in=\d+, out=\d+\): /);
    expect(closes(d)).toEqual(expect.arrayContaining([backend, CLIENT]));
  });

  test('the backend closing while detaching ends the relay once the detach is done', () => {
    const { d, backend } = proxying(HANDSHAKE.slice(0, 2));
    d.bytes(backend, HANDSHAKE[2]!).advanceBy(300);
    d.input({ kind: 'eof', conn: backend }).advanceBy(10_000);
    expect(logs(d).at(-1)).toMatch(/Disconnected by server \(0s idle/);
    expect(closes(d)).toEqual(expect.arrayContaining([backend, CLIENT]));
  });

  test('either side ending while detaching ends nothing before the detach (the iostream proxy is not there yet)', () => {
    for (const side of ['backend', 'client'] as const) {
      const { d, backend } = proxying(HANDSHAKE.slice(0, 2));
      d.bytes(backend, HANDSHAKE[2]!).advanceBy(300);
      d.input({ kind: 'eof', conn: side === 'backend' ? backend : CLIENT }).advanceBy(500);
      expect(closes(d).filter((conn) => conn === backend || conn === CLIENT)).toEqual([]);
      d.advanceBy(10_000);
      expect(closes(d)).toEqual(expect.arrayContaining([backend, CLIENT]));
    }
  });

  test('bytes that come just before the detach go at the detach; bytes just after it relayDelayUs after they came', () => {
    const { d, backend } = proxying(HANDSHAKE.slice(0, 2));
    d.bytes(backend, HANDSHAKE[2]!).advanceBy(300);
    const detachAt = writeTimes(d, CLIENT).at(-1)! + labDovecotConfig.timings.detachDelayUs;
    d.advanceTo(detachAt - 10).bytes(CLIENT, 'MAIL FROM:<a@b>\r\n').bytes(backend, '220 late\r\n');
    d.advanceTo(detachAt + 5).bytes(CLIENT, 'RCPT TO:<c@d>\r\n').bytes(backend, '250 later\r\n');
    d.advanceBy(1_000);
    const relayDelay = labDovecotConfig.timings.relayDelayUs;
    expect(writeTimes(d, backend).slice(-2)).toEqual([detachAt, detachAt + 5 + relayDelay]);
    expect(writeTimes(d, CLIENT).slice(-2)).toEqual([detachAt, detachAt + 5 + relayDelay]);
  });

  test('the server ending a quiet relay: "Disconnected by server (Ns idle, ...)" counts the quiet spell', () => {
    const { d, backend } = relaying();
    d.advanceBy(3_000_000).input({ kind: 'eof', conn: backend }).advanceBy(1_000);
    expect(logs(d).at(-1)).toMatch(/^Info: proxy\(alice@example\.test,127\.0\.0\.1:10025\): Disconnected by server \(3s idle, in=\d+, out=\d+\): /);
  });

  test('the 235 takes login_proxy_timeout away with the login timeout (login_proxy_detach removes proxy->to)', () => {
    const { d } = proxying(HANDSHAKE);
    expect(d.pendingTimers().filter((name) => name.endsWith('/proxyTimeout') || name.endsWith('/loginTimeout'))).toEqual([]);
  });

  test('a handshake step left pending when a login failed does not hold up the next login', () => {
    // The banner comes 10 µs before login_proxy_timeout and would be read 59 µs later: the timeout wins, 454.
    const d = greeted('dovecot-2.3', { login_proxy_timeout: 1_000, login_proxy_max_reconnects: 0 });
    d.bytes(CLIENT, PLAIN_ALICE);
    const first = answerLookup(d, OK_RESPONSE)!;
    const connectAt = d.of('connect').at(-1)!.t;
    connected(d, first);
    d.advanceTo(connectAt + 999_990).bytes(first, HANDSHAKE[0]!).advanceBy(100_000);
    expect(lastWrite(d)).toBe('454 4.7.0 Account is temporarily unavailable.\r\n');
    d.bytes(CLIENT, PLAIN_ALICE);
    const second = answerLookup(d, OK_RESPONSE)!;
    connected(d, second);
    d.bytes(second, HANDSHAKE[0]!).advanceBy(1_000);
    expect(d.writes(second)).toEqual(['EHLO front.example.test\r\n']);
  });

  test('the backend closing during the handshake: "Disconnected by server ... duration=Ns" counts from the client\'s connect', () => {
    const { d, backend } = proxying([], { login_proxy_max_reconnects: 0 });
    d.advanceTo(2_500_000).input({ kind: 'eof', conn: backend }).advanceBy(1_000);
    expect(logs(d)).toContain(`Error: ${PROXY}: Disconnected by server: Connection closed (state=banner, duration=2s): ${USER_SUFFIX}`);
  });

  test('login_proxy_timeout running out between the 235 and the detach does nothing: the proxy is done', () => {
    // The final replies come together, 1 ms before the timeout: XCLIENT's 220 is read 46 µs
    // (xclientReactionUs) later and the 250 after the login's own 237 µs (loginReplyDelayUs);
    // the detach follows 1.35 ms later, so the timeout falls between.
    const d = greeted('dovecot-2.3', { login_proxy_timeout: 1_000 });
    d.bytes(CLIENT, PLAIN_ALICE);
    const backend = answerLookup(d, OK_RESPONSE)!;
    const connectedAt = d.of('connect').at(-1)!.t;
    connected(d, backend);
    d.bytes(backend, HANDSHAKE[0]!).advanceBy(1_000).bytes(backend, HANDSHAKE[1]!).advanceTo(connectedAt + 999_000);
    d.bytes(backend, HANDSHAKE[2]!).advanceBy(46 + 236);
    expect(lastWrite(d)).not.toBe('235 2.7.0 Logged in.\r\n');
    d.advanceBy(1);
    expect(lastWrite(d)).toBe('235 2.7.0 Logged in.\r\n');
    d.advanceBy(10_000);
    expect(logs(d).join('\n')).not.toContain('timed out');
    expect(closes(d)).not.toContain(backend);
    d.bytes(CLIENT, 'NOOP\r\n').advanceBy(1_000);
    expect(d.writes(backend).at(-1)).toBe('NOOP\r\n');
  });

  test('after a reconnect, late bytes or an end from the first backend connection change nothing', () => {
    const d = greeted();
    d.bytes(CLIENT, PLAIN_ALICE);
    const first = answerLookup(d, OK_RESPONSE)!;
    connected(d, first);
    d.bytes(first, '421 busy\r\n').advanceBy(1_100_000);
    const second = d.of('connect').at(-1)!.output.conn;
    expect(second).not.toBe(first);
    connected(d, second);
    for (const reply of HANDSHAKE) d.bytes(second, reply).advanceBy(1_000);
    d.advanceBy(10_000);
    const written = d.writes(CLIENT).length;
    d.bytes(first, '250 stale\r\n').input({ kind: 'eof', conn: first }).advanceBy(10_000);
    expect(d.writes(CLIENT)).toHaveLength(written);
    expect(closes(d)).not.toContain(CLIENT);
    expect(logs(d).join('\n')).not.toContain('Disconnected by server');
  });

  test('the relay\'s idle seconds count from the last backend read of the handshake too', () => {
    // proxy_last_io(): the latest read or write on either stream; the backend's last reply came 1.5 s after the AUTH.
    const { d, backend } = proxying(HANDSHAKE.slice(0, 2));
    d.advanceBy(1_500_000).bytes(backend, HANDSHAKE[2]!).advanceBy(10_000);
    d.advanceBy(2_000_000).input({ kind: 'eof', conn: CLIENT }).advanceBy(1_000);
    expect(logs(d).at(-1)).toMatch(/Disconnected by client \(2s idle, /);
  });

  test('Debug lines are left out without log_debug', () => {
    const { d } = proxying(HANDSHAKE, { log_debug: false });
    expect(logs(d).filter((l) => l.startsWith('Debug:'))).toEqual([]);
    expect(logs(d)).toContainEqual(expect.stringMatching(/^Info: proxy\(.*\): Started proxying to <127\.0\.0\.1>/));
    const debug = proxying(HANDSHAKE);
    expect(logs(debug.d)).toContainEqual(`Debug: ${PROXY}: Created proxy session to <127.0.0.1>: ${USER_SUFFIX}`);
  });

  test('the 454 after a failed proxy logs "Failed to connect to <ip>" and lets the client try again', () => {
    const { d, backend } = proxying([], { login_proxy_max_reconnects: 0 });
    d.input({ kind: 'connectFailed', conn: backend, reason: 'timeout' }).advanceBy(10_000);
    expect(logs(d)).toContain(`Debug: ${PROXY}: Failed to connect to 127.0.0.1: ${USER_SUFFIX}`);
    expect(logs(d)).toContainEqual(expect.stringContaining('connect(127.0.0.1, 10025) failed: Connection timed out'));
    d.bytes(CLIENT, PLAIN_ALICE);
    expect(answerLookup(d, OK_RESPONSE)).toBeDefined();
  });

  test('without a secured connection the log suffix has no %c', () => {
    const d = greeted('dovecot-2.3', { secured: '' });
    d.bytes(CLIENT, 'QUIT\r\n').advanceBy(1_000);
    expect(logs(d).at(-1)).toBe('Info: Disconnected: Aborted login by logging out (no auth attempts in 0 secs): user=<>, rip=127.0.0.1, rport=40000, lip=127.0.0.1, lport=1587');
  });
});
