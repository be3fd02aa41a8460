/* hostile-client - property: arbitrary client bytes never crash a front model, whatever the kind
 *
 * A tiny client model connects and writes fast-check's chunks (arbitrary bytes, with SMTP-ish
 * fragments mixed in so the AUTH and relay paths are reached), then closes or resets. The whole
 * chain runs in the simulator (auth model and Postfix model behind the front); the property is
 * that no model throws and the run settles.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { OutputQueue, asciiBytes, type Input, type Model, type Output } from '../../../models/contract.ts';
import { Simulation } from '../../../sim/simulation.ts';
import { createPostfix } from '../../../models/postfix/smtpd.ts';
import { labPreset } from '../../../models/postfix/config.ts';
import { createAuthService } from '../../../models/auth/index.ts';
import { createFront, type FrontKind } from '../../../models/front/index.ts';

class ChunkClient implements Model {
  readonly name = 'client';
  private readonly out = new OutputQueue();
  private next = 0;

  constructor(private readonly chunks: readonly { bytes: Uint8Array; gapUs: number }[], private readonly ending: 'close' | 'abort', private readonly port: number) {}

  start(): void {
    this.out.push({ kind: 'connect', conn: 'c', to: { host: '127.0.0.1', port: this.port }, noDelay: true });
  }

  handle(now: number, input: Input): void {
    if (input.kind === 'connected' || input.kind === 'timeout') this.writeNext(now);
  }

  private writeNext(now: number): void {
    const chunk = this.chunks[this.next++];
    if (!chunk) {
      this.out.push({ kind: this.ending, conn: 'c' });
      return;
    }
    this.out.push({ kind: 'write', conn: 'c', bytes: chunk.bytes });
    this.out.push({ kind: 'timer', timer: 'next', at: now + chunk.gapUs });
  }

  poll(): Output | undefined {
    return this.out.poll();
  }
}

const fragments = [
  'EHLO x\r\n', 'HELO y\r\n', 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n', 'AUTH PLAIN\r\n', 'AUTH LOGIN\r\n',
  'YWxpY2VAZXhhbXBsZS50ZXN0\r\n', 'c2VjcmV0\r\n', '*\r\n', 'MAIL FROM:<a@b>\r\n', 'RCPT TO:<c@d>\r\n', 'DATA\r\n', '.\r\n', 'QUIT\r\n', '\r\n', '\n',
];

const chunk = fc.record({
  bytes: fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom(...fragments).map((t) => asciiBytes(t)),
    fc.string({ maxLength: 200 }).map((t) => asciiBytes(t)),
  ),
  gapUs: fc.integer({ min: 0, max: 3_000_000 }),
});

function run(kind: FrontKind, chunks: { bytes: Uint8Array; gapUs: number }[], ending: 'close' | 'abort', seed: number): void {
  const sim = new Simulation({ seed, trace: false });
  sim.addNode(createPostfix(labPreset()), { listen: [{ host: '127.0.0.1', port: kind === 'nginx' ? 25 : 10025 }] });
  sim.addNode(createAuthService({ anyUserPassword: 'secret', SMTP_ADDRESS: '127.0.0.1' }), { listen: [{ host: '127.0.0.1', port: 8080 }] });
  sim.addNode(kind === 'nginx' ? createFront('nginx', { smtp_auth: ['none', 'plain', 'login'] }) : createFront(kind), { listen: [{ host: '127.0.0.1', port: 1587 }] });
  sim.addNode(new ChunkClient(chunks, ending, 1587));
  sim.runUntilIdle(200_000);
}

/** A backend (or auth service) that answers every connection with the given chunks, then closes or resets. */
class ChunkServer implements Model {
  private readonly out = new OutputQueue();
  private readonly progress = new Map<string, number>();

  constructor(readonly name: string, private readonly chunks: readonly { bytes: Uint8Array; gapUs: number }[], private readonly ending: 'close' | 'abort') {}

  handle(now: number, input: Input): void {
    if (input.kind === 'accepted') this.writeNext(now, input.conn);
    if (input.kind === 'timeout') this.writeNext(now, input.timer);
    if (input.kind === 'eof' || input.kind === 'reset') this.progress.set(input.conn, Infinity);
  }

  private writeNext(now: number, conn: string): void {
    const index = this.progress.get(conn) ?? 0;
    if (index === Infinity) return;
    this.progress.set(conn, index + 1);
    const chunk = this.chunks[index];
    if (!chunk) {
      this.progress.set(conn, Infinity);
      this.out.push({ kind: this.ending, conn });
      return;
    }
    this.out.push({ kind: 'write', conn, bytes: chunk.bytes });
    this.out.push({ kind: 'timer', timer: conn, at: now + chunk.gapUs });
  }

  poll(): Output | undefined {
    return this.out.poll();
  }
}

const replyFragments = ['220 backend ESMTP\r\n', '250-backend\r\n', '250-XCLIENT NAME ADDR PROTO HELO PORT LOGIN\r\n', '250 CHUNKING\r\n', '220 ok\r\n', '554 5.5.0 Error\r\n', '250 2.1.0 Ok\r\n',
  'HTTP/1.1 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 10025\r\nContent-Length: 0\r\n\r\n', 'HTTP/1.1 500 X\r\nContent-Length: 3\r\n\r\nabc'];
const serverChunk = fc.record({
  bytes: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...replyFragments).map((t) => asciiBytes(t))),
  gapUs: fc.integer({ min: 0, max: 3_000_000 }),
});

function runHostileServers(kind: FrontKind, backend: { bytes: Uint8Array; gapUs: number }[], auth: { bytes: Uint8Array; gapUs: number }[], ending: 'close' | 'abort', seed: number): void {
  const sim = new Simulation({ seed, trace: false });
  sim.addNode(new ChunkServer('postfix', backend, ending), { listen: [{ host: '127.0.0.1', port: kind === 'nginx' ? 25 : 10025 }] });
  sim.addNode(new ChunkServer('auth', auth, ending), { listen: [{ host: '127.0.0.1', port: 8080 }] });
  sim.addNode(kind === 'nginx' ? createFront('nginx') : createFront(kind), { listen: [{ host: '127.0.0.1', port: 1587 }] });
  const script = fragments.slice(0, 3).concat(['MAIL FROM:<a@b>\r\n', 'RCPT TO:<c@d>\r\n', 'DATA\r\n']).map((t) => ({ bytes: asciiBytes(t), gapUs: 10_000 }));
  sim.addNode(new ChunkClient(script, 'close', 1587));
  sim.runUntilIdle(200_000);
}

describe('arbitrary backend and auth-service bytes never crash a front model', () => {
  for (const kind of ['dovecot-2.3', 'lockstep', 'nginx'] as const) {
    test.prop([fc.array(serverChunk, { maxLength: 12 }), fc.array(serverChunk, { maxLength: 4 }), fc.constantFrom('close' as const, 'abort' as const), fc.integer({ min: 1, max: 1000 })], { numRuns: 150 })(kind, (backend, auth, ending, seed) => {
      expect(() => runHostileServers(kind, backend, auth, ending, seed)).not.toThrow();
    });
  }
});

describe('arbitrary client bytes never crash a front model', () => {
  for (const kind of ['dovecot-2.3', 'dovecot-2.4', 'lockstep', 'nginx'] as const) {
    test.prop([fc.array(chunk, { maxLength: 25 }), fc.constantFrom('close' as const, 'abort' as const), fc.integer({ min: 1, max: 1000 })], { numRuns: 150 })(kind, (chunks, ending, seed) => {
      expect(() => run(kind, chunks, ending, seed)).not.toThrow();
    });
  }
});
