/* listener-limits - each listener holds its own clients and does at its cap what its daemon does */
import { afterEach, describe, expect, it } from 'vitest';
import { OutputQueue, type Input, type Micros, type Model, type Output } from '../../models/contract.ts';
import { SocketRuntime, type ListenerLimits } from '../../runtime/socket/index.ts';
import net from 'node:net';
import { LineModel, RelayModel } from './line-model.ts';
import { converse, rawSocket } from './socket-client.ts';

let runtime: SocketRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

const cap = (maxConnections: number, whenFull: ListenerLimits['whenFull']): ListenerLimits => ({ setting: `test cap ${maxConnections}`, maxConnections, whenFull });

/** LineModel that drops its oldest client when asked to make room, as Dovecot's login processes do. */
class EvictingLineModel extends LineModel implements Model {
  private readonly open: string[] = [];
  private readonly extra = new OutputQueue();

  override handle(now: Micros, input: Input): void {
    if (input.kind === 'accepted') this.open.push(input.conn);
    super.handle(now, input);
  }

  makeRoom(): boolean {
    const oldest = this.open.shift();
    if (oldest === undefined) return false;
    this.extra.push({ kind: 'write', conn: oldest, bytes: Buffer.from('421 queue full\r\n') });
    this.extra.push({ kind: 'close', conn: oldest });
    return true;
  }

  override poll(): Output | undefined {
    return this.extra.poll() ?? super.poll();
  }
}

describe('listener limits', () => {
  it("'wait': the client over the cap waits in the accept queue and is served once a slot frees", async () => {
    runtime = new SocketRuntime();
    const [address] = await runtime.addNode(new LineModel(), { listen: [{ port: 0, limits: cap(1, 'wait') }] });
    const first = await rawSocket(address!.port);
    await runtime.waitFor((e) => e.kind === 'accept' && e.conn === 'line<1', 5_000);
    const second = converse(address!.port, ['QUIT\r\n']);
    await runtime.waitFor((e) => e.kind === 'limit' && e.what === 'maxConnections', 5_000);
    expect(runtime.events.filter((e) => e.kind === 'accept')).toHaveLength(1);
    first.destroy();
    expect(await second).toEqual({ received: '220 ready\r\n221 bye\r\n', ended: 'fin' });
    expect(runtime.events.find((e) => e.kind === 'limit')).toMatchObject({ node: 'line', setting: 'test cap 1' });
  });

  it("'close': the client over the cap is closed at once, the ones inside are served, and the daemon's line is logged", async () => {
    runtime = new SocketRuntime();
    const logWhenFull = { program: 'nginx', line: '[alert] 1 worker_connections are not enough' };
    const [address] = await runtime.addNode(new LineModel(), { listen: [{ port: 0, limits: { ...cap(1, 'close'), logWhenFull } }] });
    const first = await rawSocket(address!.port);
    await runtime.waitFor((e) => e.kind === 'accept' && e.conn === 'line<1', 5_000);
    const over = await converse(address!.port, [], { waitFor: 'never' });
    expect(over.received).toBe('');
    expect(runtime.events.filter((e) => e.kind === 'log' && e.program === 'nginx')).toEqual([expect.objectContaining({ node: 'line', ...logWhenFull })]);
    first.destroy();
    await runtime.waitFor((e) => e.kind === 'fin' && e.conn === 'line<1' && e.from === 'peer', 5_000);
    expect((await converse(address!.port, ['QUIT\r\n'])).received).toBe('220 ready\r\n221 bye\r\n');
  });

  it("'make-room': the model drops its oldest client and the newcomer is served at once", async () => {
    runtime = new SocketRuntime();
    const [address] = await runtime.addNode(new EvictingLineModel(), { listen: [{ port: 0, limits: cap(1, 'make-room') }] });
    const slow = converse(address!.port, [], { waitFor: 'never' });
    await runtime.waitFor((e) => e.kind === 'accept' && e.conn === 'line<1', 5_000);
    expect((await converse(address!.port, ['QUIT\r\n'])).received).toBe('220 ready\r\n221 bye\r\n');
    const dropped = await slow;
    expect(dropped.received).toContain('421 queue full\r\n');
  });

  it('caps each listener on its own: a full listener does not touch another node', async () => {
    runtime = new SocketRuntime();
    const [full] = await runtime.addNode(new LineModel('full'), { listen: [{ port: 0, limits: cap(1, 'close') }] });
    const [other] = await runtime.addNode(new LineModel('other'), { listen: [{ port: 0, limits: cap(1, 'close') }] });
    const first = await rawSocket(full!.port);
    await runtime.waitFor((e) => e.kind === 'accept' && e.conn === 'full<1', 5_000);
    expect((await converse(other!.port, ['QUIT\r\n'])).received).toBe('220 ready\r\n221 bye\r\n');
    first.destroy();
  });

  it('listeners given the same limits share their slots, as two ports of one daemon service do', async () => {
    runtime = new SocketRuntime();
    const shared = cap(1, 'close');
    const [plain, other] = await runtime.addNode(new LineModel(), { listen: [{ port: 0, limits: shared }, { port: 0, limits: shared }] });
    const first = await rawSocket(plain!.port);
    await runtime.waitFor((e) => e.kind === 'accept' && e.conn === 'line<1', 5_000);
    expect((await converse(other!.port, [], { waitFor: 'never' })).received).toBe('');
    first.destroy();
  });

  it('countsOutgoing: the outgoing connections of the node take slots too (nginx worker_connections)', async () => {
    const sink = net.createServer(() => undefined);
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    try {
      runtime = new SocketRuntime();
      const to = { host: '127.0.0.1', port: (sink.address() as net.AddressInfo).port };
      const [address] = await runtime.addNode(new RelayModel('relay', to), { listen: [{ port: 0, limits: { ...cap(2, 'close'), countsOutgoing: true } }] });
      const first = await rawSocket(address!.port);
      await runtime.waitFor((e) => e.kind === 'connected' && e.node === 'relay', 5_000);
      // One client and its upstream connection: the worker is full.
      expect((await converse(address!.port, [], { waitFor: 'never' })).received).toBe('');
      expect(runtime.events.filter((e) => e.kind === 'limit')).toHaveLength(1);
      first.destroy();
    } finally {
      sink.close();
    }
  });
});
