/* nginx-relay - once proxying, nginx passes bytes on as it reads them: a steady trickle is not held back; proxy_timeout
 *
 * ngx_mail_proxy_handler reads what the socket has and sends it in the same event, so the model
 * passes on one burst per relayDelayUs, scheduled by the burst's first bytes. (A timer re-armed by
 * every read would hold a client that writes more often than relayDelayUs back indefinitely.)
 * proxy_timeout: the client's read deadline, re-armed by each event on the client's connection only
 * (ngx_mail_proxy_handler(): `if (c == s->connection) ngx_add_timer(c->read, pcf->timeout)`); when it
 * strikes, "client timed out" at info while "proxying" and ngx_mail_proxy_close_session().
 */
import { describe, expect, it } from 'vitest';
import { bytesToLatin1, type Input } from '../../../models/contract.ts';
import { createFront, type NginxFrontConfig } from '../../../models/front/index.ts';
import { DirectDriver } from './direct-driver.ts';

const CLIENT = 'c1';
const OK_AUTH = 'HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 10025\r\nContent-Length: 0\r\n\r\n';
/** ngx_mail_log_error()'s context of the relayed session below: its client, listener, login and upstream. */
const CONTEXT = ', client: 203.0.113.7, server: 127.0.0.1:587, login: "alice@example.test", upstream: 127.0.0.1:10025';

/**
 * An nginx front with smtp_auth plain, driven by hand through AUTH and the lock-step handshake into the relay;
 * `pipelined` is what the client sends while the handshake runs (nginx buffers it, ngx_mail_proxy_block_read).
 */
function relaying(pipelined = '', config: Partial<NginxFrontConfig> = {}): { d: DirectDriver; upstream: string; relayDelayUs: number } {
  const relayDelayUs = 30;
  const d = new DirectDriver(createFront('nginx', { smtp_auth: ['plain'], timings: { reactionUs: 40, relayDelayUs }, ...config }));
  d.input({ kind: 'accepted', conn: CLIENT, local: { host: '127.0.0.1', port: 587 }, remote: { host: '203.0.113.7', port: 40000 } }).advanceBy(100);
  d.bytes(CLIENT, 'EHLO client.example.test\r\n').advanceBy(100);
  d.bytes(CLIENT, `AUTH PLAIN ${Buffer.from('\0alice@example.test\0secret').toString('base64')}\r\n`).advanceBy(100);
  const connectTo = (n: number) => d.of('connect')[n]!.output.conn;
  const auth = connectTo(0);
  d.input({ kind: 'connected', conn: auth, local: { host: '127.0.0.1', port: 50000 }, remote: { host: '127.0.0.1', port: 8080 } }).advanceBy(100);
  d.bytes(auth, OK_AUTH).advanceBy(100);
  const upstream = connectTo(1);
  d.input({ kind: 'connected', conn: upstream, local: { host: '127.0.0.1', port: 50001 }, remote: { host: '127.0.0.1', port: 10025 } });
  if (pipelined !== '') d.bytes(CLIENT, pipelined);
  for (const reply of ['220 backend ESMTP\r\n', '250 backend\r\n', '220 backend ESMTP\r\n', '250 backend\r\n']) d.bytes(upstream, reply).advanceBy(100);
  return { d, upstream, relayDelayUs };
}

describe('nginx relay', () => {
  it('reaches the relay: the client gets 235 after the lock-step handshake', () => {
    const { d } = relaying();
    expect(d.writes(CLIENT).at(-1)).toBe('235 2.0.0 OK\r\n');
  });

  it('a client writing every 10 µs is passed on within relayDelayUs of its first byte, and nothing is lost', () => {
    const { d, upstream, relayDelayUs } = relaying();
    const before = d.writes(upstream).length;
    const start = d.now;
    for (let i = 0; i < 20; i++) d.bytes(CLIENT, `${String(i).padStart(2, '0')}`).advanceBy(10);
    const relayed = d.outputs.filter((o) => o.output.kind === 'write' && o.output.conn === upstream).slice(before);
    expect(relayed[0]!.t - start).toBeLessThanOrEqual(relayDelayUs);
    d.advanceBy(1_000);
    expect(d.writes(upstream).slice(before).join('')).toBe(Array.from({ length: 20 }, (_, i) => String(i).padStart(2, '0')).join(''));
  });

  it('an end with nothing held closes both sides and writes nothing: nginx never sends an empty buffer', () => {
    // ngx_mail_proxy_handler(): it sends only `if (size && dst->write->ready)`, then meets the 0 or the
    // error of the recv() and closes the session (ngx_mail_proxy_close_session)
    for (const [conn, how] of [[CLIENT, 'eof'], [CLIENT, 'reset'], ['upstream', 'eof'], ['upstream', 'reset']] as const) {
      const { d, upstream } = relaying();
      const [written, closed] = [d.of('write').length, d.of('close').length];
      d.input({ kind: how, conn: conn === CLIENT ? CLIENT : upstream }).advanceBy(1_000);
      expect(d.of('write').slice(written), `${conn} ${how}`).toEqual([]);
      expect(d.of('close').slice(closed).map((o) => o.output.conn).sort(), `${conn} ${how}`).toEqual([CLIENT, upstream].sort());
    }
  });

  it('a side\'s end is logged as ngx_mail_proxy_handler() logs it: "proxied session done", after a reset the failed recv() first, at info for the client and at error for the upstream', () => {
    const cases = [
      [CLIENT, { kind: 'eof' }, []],
      ['upstream', { kind: 'eof' }, []],
      [CLIENT, { kind: 'reset' }, [`[info] recv() failed (104: Connection reset by peer) while proxying and reading from client${CONTEXT}`]],
      ['upstream', { kind: 'reset' }, [`[error] recv() failed (104: Connection reset by peer) while proxying and reading from upstream${CONTEXT}`]],
      [CLIENT, { kind: 'reset', errno: 'ETIMEDOUT' }, [`[info] recv() failed (110: Connection timed out) while proxying and reading from client${CONTEXT}`]],
      ['upstream', { kind: 'reset', errno: 'ETIMEDOUT' }, [`[error] recv() failed (110: Connection timed out) while proxying and reading from upstream${CONTEXT}`]],
    ] as const;
    for (const [side, end, before] of cases) {
      const { d, upstream } = relaying();
      const logged = d.of('log').length;
      d.input({ ...end, conn: side === CLIENT ? CLIENT : upstream } as Input).advanceBy(1_000);
      // Each line in nginx's own error log (program nginx), as its other lines.
      expect(d.of('log').slice(logged).map((o) => `${o.output.program}: ${o.output.line}`), `${side} ${JSON.stringify(end)}`).toEqual([...before, `[info] proxied session done${CONTEXT}`].map((line) => `nginx: ${line}`));
    }
  });

  it("leaves a silent peer to the kernel only while relaying: both of the relay's connections, none that nginx does not hold", () => {
    const { d, upstream } = relaying();
    for (const conn of [CLIENT, upstream]) expect(d.model.deadlineLeftToKernel!(conn), conn).toMatch(/^nginx relays with no deadline but proxy_timeout \(86400000 ms/);
    expect(d.model.deadlineLeftToKernel!('unknown')).toBeNull();
    d.input({ kind: 'eof', conn: CLIENT }).advanceBy(1_000);
    for (const conn of [CLIENT, upstream]) expect(d.model.deadlineLeftToKernel!(conn), `${conn} after the end`).toBeNull();
  });

  it("the relay's first event is posted only for client input buffered during the handshake: with none, no wake-up", () => {
    // ngx_mail_proxy_smtp_handler(), ready: ngx_post_event(c->write) only `if (s->buffer->pos < s->buffer->last
    // || s->connection->read->ready)`; the call to ngx_mail_proxy_handler() right after finds nothing to send
    const armed = (d: DirectDriver) => d.of('timer').filter((o) => o.output.timer === `${CLIENT}/toServer` && o.output.at !== null).map((o) => o.t);
    const idle = relaying();
    expect(idle.d.writes(CLIENT).at(-1)).toBe('235 2.0.0 OK\r\n');
    expect(armed(idle.d)).toEqual([]);
    const buffered = relaying('MAIL FROM:<alice@example.test>\r\n');
    const ready = buffered.d.of('write').find((o) => o.output.conn === CLIENT && bytesToLatin1(o.output.bytes) === '235 2.0.0 OK\r\n')!.t;
    expect(armed(buffered.d)).toEqual([ready]);
    const relayed = buffered.d.of('write').filter((o) => o.output.conn === buffered.upstream).at(-1)!;
    expect([relayed.t, bytesToLatin1(relayed.output.bytes)]).toEqual([ready + buffered.relayDelayUs, 'MAIL FROM:<alice@example.test>\r\n']);
  });
});

describe('nginx relay: proxy_timeout', () => {
  const PROXY_TIMEOUT_MS = 10_000;
  const TIMED_OUT = `[info] client timed out (110: Connection timed out) while proxying${CONTEXT}`;
  /** When the session's connections were closed, by connection. */
  const closedAt = (d: DirectDriver) => new Map(d.of('close').map((o) => [o.output.conn, o.t]));
  const loggedIn = (d: DirectDriver) => d.of('write').find((o) => o.output.conn === CLIENT && bytesToLatin1(o.output.bytes) === '235 2.0.0 OK\r\n')!.t;

  it('an idle relay is cut proxy_timeout after the relay began, not a µs before: the log line, both connections closed, the fact', () => {
    const { d, upstream } = relaying('', { proxy_timeout: PROXY_TIMEOUT_MS });
    const start = loggedIn(d);
    d.advanceTo(start + PROXY_TIMEOUT_MS * 1000 - 1);
    expect(d.of('close')).toEqual([expect.objectContaining({ output: { kind: 'close', conn: d.of('connect')[0]!.output.conn } })]); // the auth request's only
    d.advanceTo(start + PROXY_TIMEOUT_MS * 1000);
    expect(d.of('log').map((o) => o.output.line).at(-1)).toBe(TIMED_OUT);
    expect(closedAt(d).get(CLIENT)).toBe(start + PROXY_TIMEOUT_MS * 1000);
    expect(closedAt(d).get(upstream)).toBe(start + PROXY_TIMEOUT_MS * 1000);
    expect(d.of('fact').map((o) => o.output.fact).at(-1)).toEqual({ kind: 'idleDeadline', setting: 'proxy_timeout', afterUs: PROXY_TIMEOUT_MS * 1000 });
    expect(d.pendingTimers()).toEqual([]);
  });

  it("each client read re-arms it: a client that sends every 6 s for 30 s is never cut, and is cut proxy_timeout after its last read's pass", () => {
    const { d, upstream, relayDelayUs } = relaying('', { proxy_timeout: PROXY_TIMEOUT_MS });
    let last = 0;
    for (let i = 0; i < 5; i++) {
      d.advanceBy(6_000_000);
      last = d.now;
      d.bytes(CLIENT, 'NOOP\r\n');
    }
    d.advanceTo(last + relayDelayUs + PROXY_TIMEOUT_MS * 1000 - 1);
    expect(d.writes(upstream).filter((w) => w === 'NOOP\r\n')).toHaveLength(5);
    expect(closedAt(d).has(CLIENT)).toBe(false);
    d.advanceBy(1);
    expect(closedAt(d).get(CLIENT)).toBe(last + relayDelayUs + PROXY_TIMEOUT_MS * 1000);
    expect(d.of('log').map((o) => o.output.line).at(-1)).toBe(TIMED_OUT);
  });

  it("the upstream's reads do not re-arm it: a client that only listens is cut proxy_timeout after the relay began, however much the upstream sends", () => {
    const { d, upstream } = relaying('', { proxy_timeout: PROXY_TIMEOUT_MS });
    const start = loggedIn(d);
    for (let i = 0; i < 3; i++) d.advanceBy(3_000_000).bytes(upstream, '250 still here\r\n');
    d.advanceBy(1_000);
    expect(d.writes(CLIENT).filter((w) => w === '250 still here\r\n')).toHaveLength(3);
    d.advanceTo(start + PROXY_TIMEOUT_MS * 1000);
    expect(closedAt(d).get(upstream)).toBe(start + PROXY_TIMEOUT_MS * 1000);
  });

  it("replaces the client's `timeout` armed before the login: a proxy_timeout longer than it is not cut at the mail timeout (60 s)", () => {
    const { d } = relaying('', { proxy_timeout: 120_000 });
    const start = loggedIn(d);
    d.advanceTo(start + 119_999_999);
    expect(closedAt(d).has(CLIENT)).toBe(false);
    expect(d.of('log').map((o) => o.output.line)).not.toContain(TIMED_OUT);
    d.advanceBy(1);
    expect(d.of('log').map((o) => o.output.line).at(-1)).toBe(TIMED_OUT);
  });

  it('an end before it cancels it: nothing fires after the session closed', () => {
    const { d, upstream } = relaying('', { proxy_timeout: PROXY_TIMEOUT_MS });
    d.input({ kind: 'eof', conn: upstream }).advanceBy(PROXY_TIMEOUT_MS * 2000);
    expect(d.of('log').map((o) => o.output.line)).not.toContain(TIMED_OUT);
    expect(d.pendingTimers()).toEqual([]);
  });
});
