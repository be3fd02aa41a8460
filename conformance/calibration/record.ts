/* record - one calibration batch on the real stack: N AUTH-only swaks sessions, captured
 *
 * Like a trials.tsv cell of the records (records/README.md: swaks --quit-after AUTH, the stack
 * in its private network namespace), plus what calibration needs and the old record lacks: a tcpdump capture
 * of the client (1587) and backend (10025) sides, swaks --show-time-lapse for AUTH→reply, and
 * the machine's load average before and after the batch (the race is decided by CPU
 * scheduling, docs/conformance.md). A batch directory holds:
 *   batch.json      setting, sessions, date, machine, load averages
 *   sessions.tsv    per session: swaks wall ms, AUTH→reply ms, AUTH reply
 *   capture.pcap    the capture (snap length 160: headers and the start of each command)
 *   postfix.log     Postfix's log of the batch; dovecot.log: Dovecot's, without lib-smtp's per-command debug lines
 */
import { spawn } from 'node:child_process';
import { cpus, hostname, release } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RealSetting, RealStack } from '../real-stack.ts';
import { swaksArgs } from '../real-run.ts';
import { parseSwaksTranscript } from '../swaks-transcript.ts';
import type { ClientPlan } from '../cases.ts';

export interface BatchInfo {
  readonly name: string;
  readonly setting: RealSetting;
  readonly sessions: number;
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: { readonly kernel: string; readonly cpus: number; readonly cpuModel: string; readonly host: string };
  /** /proc/loadavg's 1-, 5- and 15-minute averages before and after the batch. */
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  /** What else ran on the machine while the batch was recorded, as the recorder stated it (calibrate --note). */
  readonly note?: string;
}

export interface SessionRecord {
  readonly wallMs: number;
  readonly authToReplyMs: number | null;
  readonly authReply: string | null;
}

/** Snap length of the capture: Ethernet + IPv4 + TCP with timestamps (80) and the first 80 bytes of payload. */
const SNAP_BYTES = 160;

function loadAverage(): number[] {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

export async function recordBatch(stack: RealStack, netns: string, dir: string, name: string, setting: RealSetting, client: ClientPlan, sessions: number, note?: string): Promise<BatchInfo> {
  mkdirSync(dir, { recursive: true });
  await stack.configure(setting);
  const capture = spawn('ip', ['netns', 'exec', netns, 'tcpdump', '-i', 'lo', '-U', '-s', String(SNAP_BYTES), '-w', join(dir, 'capture.pcap'), 'tcp port 10025 or tcp port 1587'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let captureErr = '';
  capture.stderr.setEncoding('utf8').on('data', (t: string) => (captureErr += t));
  for (let i = 0; i < 50 && !captureErr.includes('listening on'); i++) await sleep(100);
  if (!captureErr.includes('listening on')) throw new Error(`tcpdump did not start: ${captureErr}`);
  const loadBefore = loadAverage();
  const startedAt = new Date().toISOString();
  const started = Date.now();
  const mark = stack.mark();
  const records: SessionRecord[] = [];
  for (let i = 0; i < sessions; i++) {
    const run = await stack.swaks(swaksArgs(client), { timeoutMs: 60_000 });
    const parsed = parseSwaksTranscript(run.transcript);
    records.push({ wallMs: Math.round(run.wallMs), authToReplyMs: parsed.authToReplyMs, authReply: parsed.authReply });
  }
  await stack.settle(mark);
  const seconds = (Date.now() - started) / 1000;
  const loadAfter = loadAverage();
  await sleep(300);
  const stopped = new Promise((r) => capture.once('close', r));
  capture.kill('SIGINT');
  await stopped;
  const info: BatchInfo = {
    name, setting, sessions, startedAt, seconds,
    machine: { kernel: release(), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', host: hostname() },
    loadBefore, loadAfter,
    ...(note === undefined ? {} : { note }),
  };
  writeFileSync(join(dir, 'batch.json'), `${JSON.stringify(info, null, 2)}\n`);
  writeFileSync(join(dir, 'sessions.tsv'), records.map((r, i) => `${i + 1}\t${r.wallMs}\t${r.authToReplyMs ?? ''}\t${r.authReply ?? ''}\n`).join(''));
  writeFileSync(join(dir, 'postfix.log'), stack.postfixLogSince(mark).map((l) => `${l}\n`).join(''));
  writeFileSync(join(dir, 'dovecot.log'), stack.dovecotLogSince(mark).filter((l) => !/ smtp-server\(|: Debug: smtp-server/.test(l)).map((l) => `${l}\n`).join(''));
  return info;
}

export function readSessions(dir: string): SessionRecord[] {
  return readFileSync(join(dir, 'sessions.tsv'), 'utf8').split('\n').filter((l) => l.length > 0).map((line) => {
    const [, wall, auth, reply] = line.split('\t');
    return { wallMs: Number(wall), authToReplyMs: auth ? Number(auth) : null, authReply: reply || null };
  });
}
