/* socket-runtime - models behind real sockets on 127.0.0.1: service, TLS, outgoing connects, broken peers */
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SocketRuntime, selfSignedIdentity } from '../../runtime/socket/index.ts';
import { DialModel, LineModel } from './line-model.ts';
import { converse, rawSocket } from './socket-client.ts';

let runtime: SocketRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

describe('SocketRuntime serving a model', () => {
  it('answers a real socket client: timer-driven greeting, one reply per line, close on QUIT', async () => {
    runtime = new SocketRuntime();
    const model = new LineModel();
    const [address] = await runtime.addNode(model, { listen: [{ port: 0 }] });
    expect(address?.host).toBe('127.0.0.1');
    const talk = await converse(address!.port, ['HELO a\r\n', 'NOOP\r\nQUIT\r\n']);
    expect(talk).toEqual({ received: '220 ready\r\n250 HELO a\r\n250 NOOP\r\n221 bye\r\n', ended: 'fin' });
    expect(runtime.logLines('line')).toEqual(['line: line<1: 220 ready', 'line: line<1: 250 HELO a', 'line: line<1: 250 NOOP', 'line: line<1: 221 bye']);
    expect(model.inputs[0]).toMatchObject({ kind: 'accepted', conn: 'line<1', local: { host: '127.0.0.1', port: address!.port } });
    expect(model.inputs.filter((i) => i.kind === 'timeout')).toEqual([{ kind: 'timeout', timer: 'greet line<1' }]);
  });

  it('terminates TLS on a 465-style listener with a generated self-signed certificate', async () => {
    const identity = selfSignedIdentity();
    expect(identity.cert).toContain('BEGIN CERTIFICATE');
    runtime = new SocketRuntime();
    const [address] = await runtime.addNode(new LineModel(), { listen: [{ port: 0, tls: identity }] });
    const talk = await converse(address!.port, ['QUIT\r\n'], { tlsCa: identity.cert });
    expect(talk.received).toBe('220 ready\r\n221 bye\r\n');
  });

  it('connects out for a model: connected, bytes, eof from a plain server; connectFailed refused on a closed port', async () => {
    const echo = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('data', (d) => s.write(`got ${d.toString('latin1')}`));
      s.on('end', () => s.end());
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const port = (echo.address() as net.AddressInfo).port;
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    try {
      runtime = new SocketRuntime();
      const dialer = new DialModel('dialer', { host: '127.0.0.1', port }, 'ping');
      const refused = new DialModel('refused', { host: '127.0.0.1', port: closedPort }, 'x');
      await runtime.addNode(dialer);
      await runtime.addNode(refused);
      await runtime.waitFor((e) => e.kind === 'fin' && e.node === 'dialer' && e.from === 'peer', 5_000);
      await runtime.waitFor((e) => e.kind === 'refused' && e.node === 'refused', 5_000);
      expect(dialer.inputs.map((i) => i.kind)).toEqual(['connected', 'bytes', 'eof']);
      expect(Buffer.from((dialer.inputs[1] as { bytes: Uint8Array }).bytes).toString('latin1')).toBe('got ping');
      expect(refused.inputs).toEqual([{ kind: 'connectFailed', conn: 'dial', reason: 'refused' }]);
      expect(runtime.events.find((e) => e.kind === 'connect' && e.node === 'dialer')).toMatchObject({ noDelay: true });
    } finally {
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });
});

describe('SocketRuntime under broken clients', () => {
  it('survives garbage, an early close and an RST, tells the model, and still serves the next client', async () => {
    runtime = new SocketRuntime();
    const model = new LineModel('line', 50_000);
    const [address] = await runtime.addNode(model, { listen: [{ port: 0 }] });
    const port = address!.port;

    const garbage = await converse(port, ['\u0000\u00ff\u0001\r\n\u0080\u0080\r\nQUIT\r\n']);
    expect(garbage.received).toBe('220 ready\r\n250 \u0000\u00ff\u0001\r\n250 \u0080\u0080\r\n221 bye\r\n');

    const early = await rawSocket(port);
    early.end('HALF A LINE');
    await runtime.waitFor((e) => e.kind === 'fin' && e.conn === 'line<2' && e.from === 'peer', 5_000);

    const rst = await rawSocket(port);
    await runtime.waitFor((e) => e.kind === 'accept' && e.conn === 'line<3', 5_000);
    rst.resetAndDestroy();
    await runtime.waitFor((e) => e.kind === 'rst' && e.conn === 'line<3' && e.from === 'peer', 5_000);

    expect(model.inputs.filter((i) => 'conn' in i && i.conn === 'line<2').map((i) => i.kind)).toEqual(['accepted', 'bytes', 'eof']);
    expect(model.inputs.filter((i) => 'conn' in i && i.conn === 'line<3').map((i) => i.kind)).toEqual(['accepted', 'reset']);

    const after = await converse(port, ['QUIT\r\n']);
    expect(after.received).toBe('220 ready\r\n221 bye\r\n');
    expect(runtime.events.filter((e) => e.kind === 'error')).toEqual([]);
  });

  it('resets a peer that sends an over-long line, and only that peer', async () => {
    runtime = new SocketRuntime({ limits: { maxLineBytes: 4096 } });
    const model = new LineModel();
    const [address] = await runtime.addNode(model, { listen: [{ port: 0 }] });
    const flood = await converse(address!.port, ['A'.repeat(64 * 1024)]);
    expect(flood.ended).toBe('reset');
    expect(runtime.events.filter((e) => e.kind === 'limit')).toMatchObject([{ what: 'maxLineBytes', conn: 'line<1' }]);
    expect(model.inputs.at(-1)).toEqual({ kind: 'reset', conn: 'line<1' });
    expect((await converse(address!.port, ['QUIT\r\n'])).received).toBe('220 ready\r\n221 bye\r\n');
  });

  it('resets a connection that stays idle past the idle cap', async () => {
    runtime = new SocketRuntime({ limits: { idleTimeoutMs: 200 } });
    const model = new LineModel();
    const [address] = await runtime.addNode(model, { listen: [{ port: 0 }] });
    const silent = await converse(address!.port, [], { waitFor: 'never' });
    expect(silent).toEqual({ received: '220 ready\r\n', ended: 'reset' });
    expect(runtime.events.filter((e) => e.kind === 'limit')).toMatchObject([{ what: 'idleTimeoutMs' }]);
    expect(model.inputs.at(-1)).toEqual({ kind: 'reset', conn: 'line<1' });
  });
});

describe('SO_KEEPALIVE and the kernel timing a socket out (sim/tcp/kernel-timers.ts, on real sockets)', () => {
  it("sets SO_KEEPALIVE where the model asks (a connect's keepAlive, the model's keepAliveOnAccept) and hands a socket's ETIMEDOUT to the model as a reset with that errno", async () => {
    const setKeepAlive = vi.spyOn(net.Socket.prototype, 'setKeepAlive');
    const held: net.Socket[] = [];
    const silent = net.createServer({ allowHalfOpen: true }, (s) => held.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      runtime = new SocketRuntime();
      const accepting = Object.assign(new LineModel(), { keepAliveOnAccept: true });
      const [address] = await runtime.addNode(accepting, { listen: [{ port: 0 }] });
      await converse(address!.port, ['QUIT\r\n']);
      expect(setKeepAlive.mock.calls.at(-1)).toEqual([true]);
      const dialer = new DialModel('dialer', { host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port }, 'x', true);
      await runtime.addNode(dialer);
      await vi.waitFor(() => expect(dialer.inputs.map((i) => i.kind)).toContain('connected'));
      expect(setKeepAlive.mock.calls.at(-1)).toEqual([true]);
      const dialled = setKeepAlive.mock.contexts.at(-1) as net.Socket;
      dialled.destroy(Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT' }));
      await vi.waitFor(() => expect(dialer.inputs.at(-1)).toEqual({ kind: 'reset', conn: 'dial', errno: 'ETIMEDOUT' }));
      const plain = new DialModel('plain', { host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port }, 'x');
      await runtime.addNode(plain);
      await vi.waitFor(() => expect(plain.inputs.map((i) => i.kind)).toContain('connected'));
      expect(setKeepAlive.mock.calls.at(-1)).toEqual([false]);
      (setKeepAlive.mock.contexts.at(-1) as net.Socket).destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      await vi.waitFor(() => expect(plain.inputs.at(-1)).toEqual({ kind: 'reset', conn: 'dial' }));
    } finally {
      vi.restoreAllMocks();
      for (const s of held) s.destroy();
      silent.close();
    }
  });

  it("a model's TCP_KEEPIDLE reaches the socket as setKeepAlive's delay (Node 20 sets no TCP_KEEPINTVL or TCP_KEEPCNT)", async () => {
    const setKeepAlive = vi.spyOn(net.Socket.prototype, 'setKeepAlive');
    try {
      runtime = new SocketRuntime();
      const accepting = Object.assign(new LineModel(), { keepAliveOnAccept: { idleS: 30, intvlS: 10, cnt: 3 } });
      const [address] = await runtime.addNode(accepting, { listen: [{ port: 0 }] });
      await converse(address!.port, ['QUIT\r\n']);
      expect(setKeepAlive.mock.calls.at(-1)).toEqual([true, 30_000]);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
