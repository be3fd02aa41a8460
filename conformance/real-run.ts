/* real-run - run one conformance case on the real stack with swaks, as the records were made (records/README.md)
 *
 * Every case starts on a fresh smtpd process (a reload), as the lab's first session does, and
 * runs under tcpdump inside the stack's namespace. From the capture the lab takes what depends
 * on the machine rather than on the daemons' code (SideOutcome.measured): the scheduling of a
 * racy case (calibration/fit.ts: who ran first after each XCLIENT, wake-up latencies, the
 * session load, the run-queue wait), how long the fresh smtpd took to its first banner, and for
 * a wrong password (W1) where in its wall-clock second the AUTH left: Dovecot's failure delay
 * answers 1.5 s or 2.0 s after it by that phase (docs/conformance.md disagreement 2).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceCase, ClientPlan } from './cases.ts';
import type { Measured, SideOutcome } from './compare.ts';
import { evidenceOfCapture, fitCaptures } from './calibration/fit.ts';
import { readPcap } from './calibration/pcap.ts';
import { stepGaps } from './calibration/steps.ts';
import { fitStepTimings } from './calibration/step-timings.ts';
import type { ScenarioValues } from '../scenarios/keys.ts';
import { normaliseReplies, normaliseReplyLine, smtpdLines } from './normalise.ts';
import type { RealStack } from './real-stack.ts';
import { startCapture } from './real-stack/capture.ts';
import { parseSwaksTranscript } from './swaks-transcript.ts';

/** Headers and the first bytes of each command: all the fit reads (calibration/record.ts). */
const SNAP_BYTES = 160;

/** swaks arguments for a client plan (the server is added by RealStack.swaks). */
export function swaksArgs(client: ClientPlan): string[] {
  return [
    '--auth', client.auth, '--auth-user', client.user, '--auth-password', client.password,
    '--helo', client.helo,
    ...(client.mail ? ['--from', client.user, '--to', 'bob@example.test'] : ['--quit-after', 'AUTH']),
    ...(client.pipelining ? ['--pipeline'] : []),
    '--show-time-lapse',
  ];
}

export async function runOnRealStack(stack: RealStack, c: ConformanceCase): Promise<SideOutcome> {
  await stack.configure(c.setting, { fresh: true });
  const dir = stack.netns ? mkdtempSync(join(tmpdir(), 'smtplab-case-')) : null;
  try {
    const file = dir ? join(dir, 'capture.pcap') : null;
    const capture = stack.netns && file ? await startCapture({ netns: stack.netns, file, ports: stack.ports, snapBytes: SNAP_BYTES }) : null;
    const mark = stack.mark();
    const sessions = [];
    try {
      for (let i = 0; i < c.repeat; i++) {
        const run = await stack.swaks(swaksArgs(c.client), { timeoutMs: 60_000 });
        const parsed = parseSwaksTranscript(run.transcript);
        sessions.push({
          replies: normaliseReplies(parsed.replies),
          authReply: parsed.authReply === null ? null : normaliseReplyLine(parsed.authReply),
          authToReplyMs: parsed.authToReplyMs,
        });
      }
      await stack.settle(mark);
    } finally {
      await capture?.stop();
    }
    const log = smtpdLines(stack.postfixLogSince(mark));
    const pcap = file ? readFileSync(file) : undefined;
    const measured = pcap ? measure(c, pcap, stack.ports) : undefined;
    return {
      sessions,
      backendConnections: log.filter((l) => l.startsWith('postfix/smtpd: connect from ')).length,
      smtpdLog: log,
      ...(measured ? { measured } : {}),
      // a racy case's steps, judged against the lab's when its scheduling came from this capture (compare.ts)
      ...(pcap && c.racy ? { steps: stepGaps(readPcap(pcap), stack.ports) } : {}),
    };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** A racy case's scheduling fit and its daemons' processing times, from its capture (as a calibration batch's, cases.ts). */
function scheduling(c: ConformanceCase, evidence: ReturnType<typeof evidenceOfCapture>): Partial<ScenarioValues> {
  const values = fitCaptures([evidence]).values;
  return { ...values, ...fitStepTimings({ ...c, labValues: values }, evidence.steps) };
}

/** What the lab takes from this run's capture. */
export function measure(c: ConformanceCase, pcap: Uint8Array, ports: { dovecot: number; postfix: number }): Measured {
  const evidence = evidenceOfCapture(pcap, ports);
  const banner = evidence.connections[0]?.bannerAfterUs;
  const raced = evidence.connections.some((x) => x.replyAfterXclientUs !== null);
  // With the slow smtpd_authorized_xclient_hosts table the real banner waits for a 100 ms lookup
  // too (SYN→220 118-157 ms measured), which the lab's Postfix makes itself: not start-up time.
  const startUp = c.setting.xclientLookupMs === null && banner !== null && banner !== undefined;
  // tcpdump stamps segments with the system clock, the one Dovecot's ioloop_time reads
  const auth = c.realAuthTimeRangeMs ? readPcap(pcap).find((s) => s.dstPort === ports.dovecot && s.data.startsWith('AUTH ')) : undefined;
  return {
    ...(startUp ? { firstBannerMs: Math.round(banner / 1000) } : {}),
    ...(auth ? { authPhaseUs: auth.tUs % 1_000_000 } : {}),
    ...(c.racy && raced ? { scheduling: scheduling(c, evidence) } : {}),
  };
}
