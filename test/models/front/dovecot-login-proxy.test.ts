/* dovecot-login-proxy - one session's login proxy on its own: attempts, reaction times, failures, reconnects, timeouts
 *
 * dovecot/core 2.3.19.1:
 *  - src/login-common/login-proxy.c login_proxy_failed() (the failure types: log prefix, whether
 *    they may reconnect, whether the last failure is an Error), proxy_try_reconnect() (at most
 *    login_proxy_max_reconnects, not when PROXY_CONNECT_RETRY_MIN_MSECS 1100 or less of the
 *    timeout is left, the next connect PROXY_CONNECT_RETRY_MSECS 1000 later),
 *    proxy_connect_error_append() (" (after N secs[, N reconnects][, local=ip:port])"),
 *    login_proxy_connect() (the timeout from each connect), MAX_PROXY_INPUT_SIZE 4096;
 *  - src/login-common/client-common-auth.c proxy_input(): -2 is "Too long input line" (PROTOCOL),
 *    -1 "Disconnected by server: <reason> (state=<state>, duration=Ns)" (CONNECT).
 * The session's side (timers by name, the 454, the relay) is ./dovecot-client-side.test.ts.
 */
import { describe, expect, test } from 'vitest';
import type { Micros, Output } from '../../../models/contract.ts';
import { bytesToLatin1, asciiBytes } from '../../../models/contract.ts';
import { labDovecotConfig, type DovecotFrontConfig } from '../../../models/front/config.ts';
import { LoginProxy, type LoginProxyOwner, type LoginProxyTimer } from '../../../models/front/dovecot-login-proxy.ts';
import { SEQUENCING, type ProxyFailureType } from '../../../models/front/submission-proxy.ts';

/** Reaction times that differ from each other, so each state's own is seen. */
const timings = { ...labDovecotConfig.timings, bannerReactionUs: 11, ehloReactionUs: 22, xclientReactionUs: 33, loginReplyDelayUs: 44, xclientEhloGapUs: 5, failureReplyDelayUs: 55 };
const IP = '10.0.0.9';
const PORT = 10025;
const LOCAL = { host: '10.0.0.1', port: 50001 };
const identity = { helo: 'client.example.test', proto: 'ESMTP', login: 'alice@example.test', ttl: 4, port: 40000, addr: '203.0.113.25', destination: null, session: 's1' } as const;

/** The session as the login proxy sees it; the client connected at time 0, the wall clock starts at a whole second. */
class Owner implements LoginProxyOwner {
  readonly outputs: Output[] = [];
  readonly timers = new Map<LoginProxyTimer, Micros | null>();
  readonly logs: string[] = [];
  loggedInAt: Micros | null = null;
  private conns = 0;

  constructor(readonly config: DovecotFrontConfig, readonly policy = SEQUENCING['dovecot-2.3']) {}

  newConnId(purpose: string) { return `${purpose}${++this.conns}`; }
  bind() {}
  emit(output: Output) { this.outputs.push(output); }
  setTimer(timer: LoginProxyTimer, at: Micros | null) { this.timers.set(timer, at); }
  scheduleOnce(now: Micros, timer: LoginProxyTimer, delayUs: Micros) { if ((this.timers.get(timer) ?? null) === null) this.timers.set(timer, now + delayUs); }
  log(level: string, message: string) { this.logs.push(`${level}: ${message}`); }
  identity() { return identity; }
  secondsSinceClientConnected(now: Micros) { return Math.floor(now / 1_000_000); }
  wallSecondsBetween(from: Micros, now: Micros) { return Math.floor(now / 1_000_000) - Math.floor(from / 1_000_000); }
  loggedIn(now: Micros) { this.loggedInAt = now; }

  writes(conn: string): string[] {
    return this.outputs.flatMap((o) => (o.kind === 'write' && o.conn === conn ? [bytesToLatin1(o.bytes)] : []));
  }

  get connects() {
    return this.outputs.flatMap((o) => (o.kind === 'connect' ? [o] : []));
  }

  get closes(): string[] {
    return this.outputs.flatMap((o) => (o.kind === 'close' ? [o.conn] : []));
  }
}

function proxyFor(config: Partial<DovecotFrontConfig> = {}, createdAt: Micros = 2_000_000) {
  const owner = new Owner({ ...labDovecotConfig, timings, ...config });
  const proxy = new LoginProxy(owner, IP, PORT, createdAt);
  proxy.connect(createdAt);
  return { owner, proxy, conn: owner.connects.at(-1)!.conn };
}

/** Fires a due timer the way the session routes it. */
function fire(owner: Owner, proxy: LoginProxy, timer: LoginProxyTimer): Micros {
  const at = owner.timers.get(timer);
  if (at == null) throw new Error(`timer ${timer} is not set`);
  owner.timers.set(timer, null);
  if (timer === 'backendProcess') proxy.processLines(at);
  else if (timer === 'ehloGap') proxy.writePendingEhlo();
  else if (timer === 'reconnect') proxy.connect(at);
  else if (timer === 'proxyTimeout') proxy.timedOut(at);
  return at;
}

/** The backend sends `text` at `now`; the proxy reads it when its reaction timer fires. */
function backendSays(owner: Owner, proxy: LoginProxy, conn: string, now: Micros, text: string): Micros {
  proxy.bytes(now, conn, asciiBytes(text));
  return fire(owner, proxy, 'backendProcess');
}

/** Connected, greeted, and the EHLO reply offering XCLIENT read: XCLIENT written, its reply awaited. */
function xclientSent() {
  const run = proxyFor();
  run.proxy.connected(run.conn, LOCAL);
  backendSays(run.owner, run.proxy, run.conn, 3_000_000, '220 b ESMTP\r\n');
  backendSays(run.owner, run.proxy, run.conn, 3_000_100, '250 XCLIENT ADDR\r\n');
  return run;
}

describe('an attempt', () => {
  test('connect: the Debug line, a connect with Nagle and SO_KEEPALIVE on (net_connect_ip_once()), the attempt fact, and login_proxy_timeout from now', () => {
    const { owner, conn } = proxyFor({ login_proxy_timeout: 7_000 });
    expect(owner.logs).toEqual([`Debug: Connecting to <${IP}>`]);
    expect(owner.outputs.slice(0, 2)).toEqual([
      { kind: 'connect', conn, to: { host: IP, port: PORT }, noDelay: false, keepAlive: true },
      { kind: 'fact', fact: { kind: 'backendAttempt', attempt: 1 }, conn },
    ]);
    expect(owner.timers.get('proxyTimeout')).toBe(2_000_000 + 7_000_000);
  });

  test('each handshake state reacts after its own measured time, and the whole handshake ends in loggedIn', () => {
    const { owner, proxy, conn } = proxyFor();
    proxy.connected(conn, LOCAL);
    expect(proxy.state).toBe('banner');
    expect(backendSays(owner, proxy, conn, 3_000_000, '220 b ESMTP\r\n')).toBe(3_000_011);
    expect(owner.writes(conn)).toEqual(['EHLO front.example.test\r\n']);
    expect(backendSays(owner, proxy, conn, 3_000_100, '250-b\r\n250 XCLIENT ADDR\r\n')).toBe(3_000_122);
    expect(owner.writes(conn).at(-1)).toBe('XCLIENT ADDR=203.0.113.25\r\n');
    // The pipelined EHLO waits xclientEhloGapUs after the XCLIENT write.
    expect(owner.timers.get('ehloGap')).toBe(3_000_127);
    fire(owner, proxy, 'ehloGap');
    expect(owner.writes(conn).at(-1)).toBe('EHLO front.example.test\r\n');
    expect(proxy.state).toBe('xclient');
    expect(backendSays(owner, proxy, conn, 3_000_200, '220 ok\r\n')).toBe(3_000_233);
    expect(proxy.state).toBe('xclient-ehlo');
    expect(backendSays(owner, proxy, conn, 3_000_300, '250 b\r\n')).toBe(3_000_344);
    expect(owner.loggedInAt).toBe(3_000_344);
    expect(proxy.bytesToBackend).toBe(owner.writes(conn).join('').length);
  });

  test('a reply read before the gap has passed sends the pending EHLO first, and cancels its timer', () => {
    const { owner, proxy, conn } = xclientSent();
    proxy.bytes(3_000_101, conn, asciiBytes('220 ok\r\n'));
    owner.timers.set('backendProcess', 3_000_101);
    fire(owner, proxy, 'backendProcess');
    expect(owner.writes(conn).slice(-2)).toEqual(['XCLIENT ADDR=203.0.113.25\r\n', 'EHLO front.example.test\r\n']);
    expect(owner.timers.get('ehloGap')).toBeNull();
    proxy.writePendingEhlo();
    expect(owner.writes(conn)).toHaveLength(3);
  });

  test('what the backend sent after its last handshake line is handed to the relay', () => {
    const { owner, proxy, conn } = proxyFor();
    proxy.connected(conn, LOCAL);
    backendSays(owner, proxy, conn, 3_000_000, '220 b ESMTP\r\n');
    backendSays(owner, proxy, conn, 3_000_100, '250 b\r\n250 2.1.0 early');
    expect(owner.loggedInAt).not.toBeNull();
    expect(proxy.takeUnread()).toBe('250 2.1.0 early');
  });

  test('every complete line of a read is parsed in the one pass, whatever each line made the proxy write', () => {
    const { owner, proxy, conn } = proxyFor();
    proxy.connected(conn, LOCAL);
    backendSays(owner, proxy, conn, 3_000_000, '220 b ESMTP\r\n250 XCLIENT ADDR\r\n220 ok\r\n');
    expect(proxy.state).toBe('xclient-ehlo');
    // The pipelined EHLO still waits for its gap.
    expect(owner.writes(conn)).toEqual(['EHLO front.example.test\r\n', 'XCLIENT ADDR=203.0.113.25\r\n']);
    expect(owner.timers.get('ehloGap')).toBe(3_000_016);
  });

  test('a failure ends the pass: later lines and an EOF already seen are not read as a second failure', () => {
    const { owner, proxy, conn } = proxyFor();
    proxy.connected(conn, LOCAL);
    proxy.bytes(3_000_000, conn, asciiBytes('554 no\r\n220 b ESMTP\r\n'));
    proxy.gone(3_000_001, conn, 'eof');
    fire(owner, proxy, 'backendProcess');
    expect(owner.logs.filter((l) => l.includes('reconnecting'))).toEqual(['Debug: Remote server sent invalid input: Invalid banner: 554 no - reconnecting (attempt #1)']);
    expect(owner.writes(conn)).toEqual([]);
  });

  test('inputs about another connection are ignored', () => {
    const { owner, proxy, conn } = proxyFor();
    const before = owner.outputs.length;
    proxy.connected('stale', LOCAL);
    proxy.connectFailed(3_000_000, 'stale', 'Connection refused', null);
    proxy.bytes(3_000_000, 'stale', asciiBytes('220 b\r\n'));
    proxy.gone(3_000_000, 'stale', 'eof');
    expect(owner.outputs.length).toBe(before);
    expect(owner.timers.get('backendProcess')).toBeUndefined();
    expect(proxy.backendConn).toBe(conn);
    proxy.timedOut(32_000_000);
    expect(owner.logs.at(-1)).toContain('connect(10.0.0.9, 10025) failed: Connection timed out');
  });
});

describe('proxy_input(): what ends an attempt', () => {
  test('the backend closing with nothing left to read is acted on at once: "Disconnected by server: Connection closed (state=..., duration=Ns)"', () => {
    const { owner, proxy, conn } = proxyFor();
    proxy.connected(conn, LOCAL);
    proxy.gone(5_500_000, conn, 'eof');
    expect(owner.timers.get('backendProcess')).toBe(5_500_000);
    fire(owner, proxy, 'backendProcess');
    expect(owner.logs.at(-1)).toBe('Debug: Disconnected by server: Connection closed (state=banner, duration=5s) - reconnecting (attempt #1)');
  });

  test('a reset after unread lines: the lines are read after the state\'s reaction time, then the read error of the backend\'s 4096-byte istream', () => {
    const { owner, proxy, conn } = proxyFor();
    proxy.connected(conn, LOCAL);
    proxy.bytes(3_000_000, conn, asciiBytes('220 b ESMTP\r\n'));
    proxy.gone(3_000_001, conn, 'ECONNRESET');
    expect(fire(owner, proxy, 'backendProcess')).toBe(3_000_011);
    expect(owner.writes(conn)).toEqual(['EHLO front.example.test\r\n']);
    // io_stream_get_disconnect_reason(): read(size = 4096 - the 13 banner bytes read) failed
    expect(owner.logs.at(-1)).toBe('Debug: Disconnected by server: Connection closed: read(size=4083) failed: Connection reset by peer (state=ehlo, duration=3s) - reconnecting (attempt #1)');
  });

  test('the kernel timing the backend out in the handshake (errno ETIMEDOUT): the same line with strerror(ETIMEDOUT)', () => {
    const { owner, proxy, conn } = proxyFor();
    proxy.connected(conn, LOCAL);
    proxy.bytes(3_000_000, conn, asciiBytes('220 b ESMTP\r\n'));
    proxy.gone(3_000_001, conn, 'ETIMEDOUT');
    fire(owner, proxy, 'backendProcess');
    expect(owner.logs.at(-1)).toBe('Debug: Disconnected by server: Connection closed: read(size=4083) failed: Connection timed out (state=ehlo, duration=3s) - reconnecting (attempt #1)');
  });

  test('a backend line over MAX_PROXY_INPUT_SIZE is "Too long input line", a PROTOCOL failure', () => {
    const { owner, proxy, conn } = proxyFor();
    proxy.connected(conn, LOCAL);
    backendSays(owner, proxy, conn, 3_000_000, `220 ${'x'.repeat(5000)}\r\n`);
    expect(owner.logs.at(-1)).toBe('Debug: Remote server sent invalid input: Too long input line - reconnecting (attempt #1)');
    expect(owner.closes).toEqual([conn]);
  });

  test('login_proxy_timeout before the connect completes is a connect timeout; after it, "Login timed out in state=..."', () => {
    const unanswered = proxyFor({ login_proxy_max_reconnects: 0 });
    fire(unanswered.owner, unanswered.proxy, 'proxyTimeout');
    expect(unanswered.owner.logs.at(-1)).toBe('Error: connect(10.0.0.9, 10025) failed: Connection timed out (after 30 secs)');
    const silent = proxyFor({ login_proxy_max_reconnects: 0 });
    silent.proxy.connected(silent.conn, LOCAL);
    fire(silent.owner, silent.proxy, 'proxyTimeout');
    expect(silent.owner.logs.at(-1)).toBe('Error: Login timed out in state=banner (after 30 secs, local=10.0.0.1:50001)');
  });

  test('a refused connect names errno, the seconds since the proxy was created, and the local address when known', () => {
    const { owner, proxy, conn } = proxyFor({ login_proxy_max_reconnects: 0 });
    proxy.connectFailed(4_900_000, conn, 'Connection refused', LOCAL);
    expect(owner.logs.at(-1)).toBe('Error: connect(10.0.0.9, 10025) failed: Connection refused (after 2 secs, local=10.0.0.1:50001)');
    expect(proxy.backendConn).toBeNull();
    expect(proxy.state).toBe('connect');
  });
});

describe('the end of a backend connection (proxy_input)', () => {
  test('an end with nothing buffered is acted on at once; one behind part of a line waits for the reaction time, like the bytes', () => {
    const bare = proxyFor();
    bare.proxy.connected(bare.conn, LOCAL);
    bare.proxy.gone(3_000_000, bare.conn, 'eof');
    expect(bare.owner.timers.get('backendProcess')).toBe(3_000_000);
    const partial = proxyFor();
    partial.proxy.connected(partial.conn, LOCAL);
    backendSays(partial.owner, partial.proxy, partial.conn, 3_000_000, '220 b ES');
    partial.proxy.gone(3_000_500, partial.conn, 'eof');
    expect(partial.owner.timers.get('backendProcess')).toBe(3_000_511);
    fire(partial.owner, partial.proxy, 'backendProcess');
    expect(partial.owner.logs.at(-1)).toBe('Debug: Disconnected by server: Connection closed (state=banner, duration=3s) - reconnecting (attempt #1)');
  });

  test('while it waits to reconnect, inputs for the connection it dropped are ignored', () => {
    const { owner, proxy, conn } = xclientSent();
    proxy.failed(3_000_200, 'PROTOCOL', 'why');
    const outputs = owner.outputs.length;
    proxy.connected(conn, LOCAL);
    proxy.connectFailed(3_000_300, conn, 'Connection refused', LOCAL);
    proxy.bytes(3_000_300, conn, asciiBytes('220 late\r\n'));
    proxy.gone(3_000_300, conn, 'ECONNRESET');
    expect(owner.outputs.length).toBe(outputs);
    expect(owner.timers.get('reconnect')).toBe(4_000_200);
    expect(proxy.state).toBe('connect');
  });
});

describe('login_proxy_failed() and proxy_try_reconnect()', () => {
  const rows: [ProxyFailureType, string, boolean, boolean][] = [
    ['INTERNAL', 'Aborting due to internal error: ', false, true],
    ['INTERNAL_CONFIG', '', false, true],
    ['CONNECT', '', true, true],
    ['REMOTE_CONFIG', 'Aborting due to remote server: ', false, true],
    ['REMOTE', 'Aborting due to remote server: ', true, true],
    ['PROTOCOL', 'Remote server sent invalid input: ', true, true],
    ['AUTH', '', false, false],
    ['AUTH_TEMPFAIL', '', true, false],
  ];

  test.each(rows)('%s: prefix %j, reconnects %s, logs an Error at the end %s', (type, prefix, reconnects, logsError) => {
    const first = proxyFor();
    first.proxy.failed(3_000_000, type, 'why');
    if (reconnects) {
      expect(first.owner.logs.at(-1)).toBe(`Debug: ${prefix}why - reconnecting (attempt #1)`);
      expect(first.owner.timers.get('reconnect')).toBe(4_000_000);
      expect(first.owner.timers.get('failureReply')).toBeUndefined();
    } else {
      expect(first.owner.logs.at(-1)).toBe(logsError ? `Error: ${prefix}why` : 'Debug: Connecting to <10.0.0.9>');
      expect(first.owner.timers.get('reconnect')).toBeUndefined();
      expect(first.owner.timers.get('failureReply')).toBe(3_000_055);
    }
    const last = proxyFor({ login_proxy_max_reconnects: 0 });
    last.proxy.failed(3_000_000, type, 'why');
    expect(last.owner.logs.at(-1)).toBe(logsError ? `Error: ${prefix}why` : 'Debug: Connecting to <10.0.0.9>');
    expect(last.owner.timers.get('failureReply')).toBe(3_000_055);
  });

  test('a failure closes the backend and forgets its timers', () => {
    const { owner, proxy, conn } = xclientSent();
    proxy.bytes(3_000_200, conn, asciiBytes('554 no\r\n'));
    proxy.failed(3_000_201, 'PROTOCOL', 'why');
    for (const timer of ['backendProcess', 'ehloGap', 'proxyTimeout'] as const) expect(owner.timers.get(timer)).toBeNull();
    expect(owner.closes).toEqual([conn]);
    expect(proxy.backendConn).toBeNull();
  });

  test('login_proxy_max_reconnects reconnects, counted in the log and the attempt fact, then the Error with "N reconnects"', () => {
    const { owner, proxy, conn } = proxyFor({ login_proxy_max_reconnects: 2 });
    proxy.connectFailed(2_100_000, conn, 'Connection refused', null);
    fire(owner, proxy, 'reconnect');
    const second = proxy.backendConn!;
    expect(second).not.toBe(conn);
    expect(owner.outputs).toContainEqual({ kind: 'fact', fact: { kind: 'backendAttempt', attempt: 2 }, conn: second });
    expect(owner.timers.get('proxyTimeout')).toBe(3_100_000 + 30_000_000);
    proxy.connectFailed(3_200_000, second, 'Connection refused', null);
    expect(owner.logs.at(-1)).toBe('Debug: connect(10.0.0.9, 10025) failed: Connection refused (after 1 secs, 1 reconnects) - reconnecting (attempt #2)');
    fire(owner, proxy, 'reconnect');
    proxy.connectFailed(4_300_000, proxy.backendConn!, 'Connection refused', null);
    expect(owner.logs.at(-1)).toBe('Error: connect(10.0.0.9, 10025) failed: Connection refused (after 2 secs, 2 reconnects)');
    expect(proxy.reconnects).toBe(2);
  });

  test('no reconnect when 1100 ms or less of login_proxy_timeout is left (whole milliseconds since the proxy was created)', () => {
    const at = (sinceCreatedUs: number) => {
      const { owner, proxy } = proxyFor({ login_proxy_timeout: 5_000 });
      proxy.failed(2_000_000 + sinceCreatedUs, 'CONNECT', 'why');
      return owner.timers.get('reconnect') !== undefined;
    };
    expect(at(3_898_999)).toBe(true); // 3898 ms gone, 1102 left
    expect(at(3_899_999)).toBe(true); // 3899 ms gone, 1101 left
    expect(at(3_900_000)).toBe(false); // 1100 left
  });

  test('from 2.4.1 the reconnect line is a Warning (releases.ts reconnect_logged_as_warning)', () => {
    const { owner, proxy } = proxyFor({ version: '2.4.1' });
    proxy.failed(3_000_000, 'CONNECT', 'why');
    expect(owner.logs.at(-1)).toBe('Warning: why - reconnecting (attempt #1)');
  });

  test('writes after the attempt is gone go nowhere', () => {
    const { owner, proxy } = proxyFor({ login_proxy_max_reconnects: 0 });
    proxy.failed(3_000_000, 'CONNECT', 'why');
    const before = owner.outputs.length;
    proxy.writeBackend('MAIL FROM:<a@b>\r\n');
    proxy.writePendingEhlo();
    proxy.processLines(3_000_100);
    proxy.timedOut(3_000_100);
    expect(owner.outputs.length).toBe(before);
    expect(proxy.bytesToBackend).toBe(0);
    expect(proxy.takeUnread()).toBe('');
  });
});
