/* measurements - the load test's four figures, each against a chain on loopback sockets
 *
 * Every measurement starts its own chain (front, auth service and Postfix models on ports the OS
 * picks on 127.0.0.1) and stops it, so one cannot leave connections or queue records to the next.
 */
import net from 'node:net';
import type { PostfixModel } from '../../models/postfix/smtpd.ts';
import { serveScenario, type RunningServe } from '../../runtime/serve-scenario.ts';
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

export function rssMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
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
  readonly lastThousandPerSecond: number;
  readonly rssAfterWarmUpMiB: number;
  readonly rssAtEndMiB: number;
  readonly failed: number;
}

/** `sessions` in a row, `parallel` at a time: the rate of the first and last thousand, RSS after warm-up and at the end. */
export async function sustained(scenario: string, sessions: number, parallel: number): Promise<SustainedFigures> {
  const { serve, port } = await chain(scenario);
  try {
    const doneAt: number[] = [];
    let next = 0;
    let failed = 0;
    let rssAfterWarmUpMiB = 0;
    const worker = async () => {
      while (next < sessions) {
        const i = next++;
        const result = await sendOne(port, USER, PASSWORD, { bytes: SMALL, tag: `s${i}` });
        if (result.outcome !== 'queued') failed++;
        doneAt.push(performance.now());
        if (doneAt.length === 1000) rssAfterWarmUpMiB = rssMiB();
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
      rssAfterWarmUpMiB,
      rssAtEndMiB: rssMiB(),
      failed,
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
