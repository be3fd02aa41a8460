/* measurements - the load test's four figures, each against a chain on loopback sockets
 *
 * Every measurement starts its own chain (front, auth service and Postfix models on ports the OS
 * picks on 127.0.0.1) and stops it, so one cannot leave connections or queue records to the next.
 */
import net from 'node:net';
import { writeHeapSnapshot } from 'node:v8';
import type { QueueRetention } from '../../models/postfix/queue.ts';
import type { PostfixModel } from '../../models/postfix/smtpd.ts';
import { serveScenario, type RunningServe } from '../../runtime/serve-scenario.ts';
import type { RuntimeHeld, SocketRuntime } from '../../runtime/socket/index.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { connect, sendOne, type SessionResult } from './smtp-client.ts';

const USER = 'alice@example.test';
const PASSWORD = 'secret';
const SMALL = 2_000;

/** A chain of `scenario`; Postfix without a size limit, so the 100 MB message is Postfix's to take. */
async function chain(scenario: string): Promise<{ serve: RunningServe; port: number; postfix: PostfixModel }> {
  const serve = await serveScenario(loadScenario({ scenario, sets: [] }), { backend: 'model', port: 0, postfixSettings: { message_size_limit: 0 } });
  return { serve, port: serve.topology.front.port, postfix: serve.topology.models.postfix as PostfixModel };
}

/** The process's memory after a full collection (the load test runs with --expose-gc), MiB. */
export interface Memory {
  readonly rss: number;
  /** Live JavaScript objects: what the lab and the clients hold. */
  readonly heapUsed: number;
  /** The V8 heap's pages, used or not. */
  readonly heapTotal: number;
  /** Memory outside the heap that V8 objects own (Buffers and the like); arrayBuffers is part of it. */
  readonly external: number;
  readonly arrayBuffers: number;
}

export function memory(): Memory {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const mib = (bytes: number) => bytes / 2 ** 20;
  return { rss: mib(rss), heapUsed: mib(heapUsed), heapTotal: mib(heapTotal), external: mib(external), arrayBuffers: mib(arrayBuffers) };
}

/** What `runtime` holds once its connections have all closed, or what it still held after `withinMs`. */
export async function heldWhenSettled(runtime: SocketRuntime, withinMs: number): Promise<RuntimeHeld> {
  const until = performance.now() + withinMs;
  for (;;) {
    const held = runtime.held();
    if (Object.values(held).every((n) => n === 0) || performance.now() > until) return held;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function tally(results: readonly SessionResult[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return counts;
}

export interface ConcurrentFigures {
  readonly sessions: number;
  readonly queuedReplies: number;
  readonly queuedRecords: number;
  readonly peakOpen: number;
  readonly seconds: number;
  readonly outcomes: Map<string, number>;
}

/** `sessions` clients start at once, each a whole session with a small message. */
export async function concurrent(scenario: string, sessions: number): Promise<ConcurrentFigures> {
  const { serve, port, postfix } = await chain(scenario);
  try {
    let open = 0;
    let peakOpen = 0;
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: sessions }, async (_, i) => {
        peakOpen = Math.max(peakOpen, ++open);
        try {
          return await sendOne(port, USER, PASSWORD, { bytes: SMALL, tag: `c${i}` });
        } finally {
          open--;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { sessions, queuedReplies: results.filter((r) => r.outcome === 'queued').length, queuedRecords: postfix.queue.messages.length, peakOpen, seconds, outcomes: tally(results) };
  } finally {
    await serve.close();
  }
}

export interface SustainedFigures {
  readonly sessions: number;
  readonly parallel: number;
  readonly firstThousandPerSecond: number;
  /** The thousand that ends at the `sessions`-th. */
  readonly lastThousandPerSecond: number;
  /** Memory after each checkpoint's session count, in order. */
  readonly memory: ReadonlyArray<{ readonly after: number; readonly memory: Memory }>;
  /** The runtime's tables once the last session's connections closed. */
  readonly held: RuntimeHeld;
  /** The model Postfix's queue at the end: records and the content it still holds. */
  readonly queuedRecords: number;
  readonly queuedContentMiB: number;
  readonly queueRetention: QueueRetention;
  readonly failed: number;
  /** Heap snapshots written (--diagnose), one per checkpoint. */
  readonly snapshots: readonly string[];
}

/**
 * Sessions `parallel` at a time until the last checkpoint: the rate of the first thousand and of
 * the thousand ending at the `sessions`-th, memory after each checkpoint (none falls inside a
 * timed thousand, so the collections it forces are not timed), with `snapshotDir` a heap
 * snapshot there too.
 */
export async function sustained(scenario: string, sessions: number, parallel: number, checkpoints: readonly number[], snapshotDir?: string): Promise<SustainedFigures> {
  const total = Math.max(sessions, ...checkpoints);
  const { serve, port, postfix } = await chain(scenario);
  try {
    const doneAt: number[] = [];
    let next = 0;
    let failed = 0;
    const samples: Array<{ after: number; memory: Memory }> = [];
    const snapshots: string[] = [];
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const result = await sendOne(port, USER, PASSWORD, { bytes: SMALL, tag: `s${i}` });
        if (result.outcome !== 'queued') failed++;
        doneAt.push(performance.now());
        if (!checkpoints.includes(doneAt.length)) continue;
        samples.push({ after: doneAt.length, memory: memory() });
        if (snapshotDir) snapshots.push(writeHeapSnapshot(`${snapshotDir}/loadtest-${doneAt.length}.heapsnapshot`));
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: parallel }, worker));
    const rate = (from: number, to: number, begin: number) => (to - from) / ((doneAt[to - 1]! - begin) / 1000);
    return {
      sessions,
      parallel,
      firstThousandPerSecond: rate(0, 1000, started),
      lastThousandPerSecond: rate(sessions - 1000, sessions, doneAt[sessions - 1001]!),
      memory: samples,
      held: await heldWhenSettled(serve.topology.runtime, 5_000),
      queuedRecords: postfix.queue.messages.length,
      queuedContentMiB: postfix.queue.messages.reduce((sum, m) => sum + (m.content?.length ?? 0), 0) / 2 ** 20,
      queueRetention: postfix.queue.retention,
      failed,
      snapshots,
    };
  } finally {
    await serve.close();
  }
}

export interface SlowFigures {
  readonly scenario: string;
  readonly slow: number;
  /** The normal client's whole session while the slow ones hold on, ms. */
  readonly normalSessionMs: number;
  readonly normalOutcome: string;
  /** The last line each slow client got before its connection ended, counted; "open" for still connected. */
  readonly slowEnds: Map<string, number>;
  readonly waitedSeconds: number;
}

/**
 * `slow` clients connect and send "EHLO" one byte every `byteEveryMs`, never finishing a line; then
 * a normal client runs a whole session. After `waitSeconds`, how each slow connection ended.
 */
export async function slowloris(scenario: string, slow: number, byteEveryMs: number, waitSeconds: number): Promise<SlowFigures> {
  const { serve, port } = await chain(scenario);
  const sockets: net.Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    const lastLine = new Map<net.Socket, string>();
    const ended = new Set<net.Socket>();
    for (let i = 0; i < slow; i++) {
      const socket = await connect(port);
      socket.on('error', () => undefined);
      socket.setEncoding('latin1');
      let received = '';
      socket.on('data', (text: string) => {
        received += text;
        lastLine.set(socket, received.trimEnd().split('\r\n').at(-1)!.replace(/^(\d{3} [\d.]+ )\S+ /, '$1'));
      });
      socket.on('close', () => ended.add(socket));
      let sent = 0;
      timers.push(setInterval(() => {
        if (!socket.destroyed) socket.write('EHLO slow.example.test'[sent++ % 22]!);
      }, byteEveryMs));
      sockets.push(socket);
    }
    const started = performance.now();
    const normal = await sendOne(port, USER, PASSWORD, { bytes: SMALL, tag: 'normal' });
    const normalSessionMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
    const slowEnds = new Map<string, number>();
    for (const socket of sockets) {
      const key = ended.has(socket) ? `closed after "${lastLine.get(socket) ?? ''}"` : 'open';
      slowEnds.set(key, (slowEnds.get(key) ?? 0) + 1);
    }
    return { scenario, slow, normalSessionMs, normalOutcome: normal.outcome, slowEnds, waitedSeconds: waitSeconds };
  } finally {
    for (const timer of timers) clearInterval(timer);
    for (const socket of sockets) socket.destroy();
    await serve.close();
  }
}

export interface LargeFigures {
  readonly count: number;
  readonly bytes: number;
  readonly acknowledged: number;
  /** Acknowledged messages whose queue record has the digest the client computed. */
  readonly intact: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
}

/** `count` messages of `bytes`, one session after another. */
export async function largeMessages(scenario: string, count: number, bytes: number): Promise<LargeFigures> {
  const { serve, port, postfix } = await chain(scenario);
  try {
    let peakRssMiB = 0;
    const sampler = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, process.memoryUsage().rss / 2 ** 20)), 100);
    const started = performance.now();
    const results: SessionResult[] = [];
    for (let i = 0; i < count; i++) results.push(await sendOne(port, USER, PASSWORD, { bytes, tag: `big${i}` }));
    clearInterval(sampler);
    const digests = new Map(postfix.queue.messages.map((m) => [m.queueId, m.sha256]));
    const acknowledged = results.filter((r) => r.outcome === 'queued');
    return {
      count,
      bytes,
      acknowledged: acknowledged.length,
      intact: acknowledged.filter((r) => r.queueId !== null && digests.get(r.queueId) === r.sha256).length,
      seconds: (performance.now() - started) / 1000,
      peakRssMiB,
    };
  } finally {
    await serve.close();
  }
}
