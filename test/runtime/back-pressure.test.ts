/* back-pressure - a relay never reads faster than its peer drains: 16 MiB through a slow reader, intact, no cap hit */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { SocketRuntime } from '../../runtime/socket/index.ts';
import { LineModel, RelayModel } from './line-model.ts';

let runtime: SocketRuntime | undefined;
const servers: net.Server[] = [];
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  for (const server of servers.splice(0)) await new Promise<void>((r) => server.close(() => r()));
});

it('relays 16 MiB to a reader that pauses, with pending output far under the cap and every byte in order', async () => {
  const hash = createHash('sha256');
  let received = 0;
  const done = new Promise<void>((resolve) => {
    const sink = net.createServer((socket) => {
      // A slow reader: reads in bursts, pausing 1 ms after each chunk.
      socket.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        received += chunk.length;
        socket.pause();
        setTimeout(() => socket.resume(), 1);
      });
      socket.on('end', () => resolve());
      socket.on('error', () => resolve());
    });
    servers.push(sink);
  });
  await new Promise<void>((r) => servers[0]!.listen(0, '127.0.0.1', r));
  const sinkPort = (servers[0]!.address() as net.AddressInfo).port;
  const pendingCap = 1024 * 1024;
  runtime = new SocketRuntime({ limits: { maxPendingWriteBytes: pendingCap }, keepEvents: 1000 });
  const [relay] = await runtime.addNode(new RelayModel('relay', { host: '127.0.0.1', port: sinkPort }), { listen: [{ port: 0 }] });

  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
  const sent = createHash('sha256');
  const client = net.connect({ host: '127.0.0.1', port: relay!.port });
  for (let i = 0; i < 16; i++) {
    block[0] = i;
    sent.update(block);
    if (!client.write(Buffer.from(block))) await new Promise((r) => client.once('drain', r));
  }
  client.end();
  await done;
  client.destroy();
  expect(received).toBe(16 * 1024 * 1024);
  expect(hash.digest('hex')).toBe(sent.digest('hex'));
  expect(runtime.events.filter((e) => e.kind === 'limit' || e.kind === 'rst')).toEqual([]);
}, 30_000);

it('stops reading a client that does not read its replies, and serves it in full once it does', async () => {
  runtime = new SocketRuntime({ limits: { maxPendingWriteBytes: 256 * 1024 }, keepEvents: 1000 });
  const [address] = await runtime.addNode(new LineModel('line', 0), { listen: [{ port: 0 }] });
  const line = `${'x'.repeat(60_000)}\r\n`;
  const lines = 200;
  const client = net.connect({ host: '127.0.0.1', port: address!.port });
  client.on('error', () => undefined);
  client.pause();
  // All 12 MB at once, none of the replies read: the runtime's reply buffer fills and it stops reading.
  for (let i = 0; i < lines; i++) client.write(line);
  await runtime.waitFor((e) => e.kind === 'recv', 5_000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  let received = 0;
  const done = new Promise<void>((resolve) => {
    client.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= lines * (line.length + 4) + '220 ready\r\n'.length) resolve();
    });
    client.on('close', () => resolve());
  });
  client.resume();
  await done;
  client.destroy();
  expect(runtime.events.filter((e) => e.kind === 'limit' || e.kind === 'rst')).toEqual([]);
  expect(received).toBe(lines * (line.length + 4) + '220 ready\r\n'.length);
}, 30_000);
