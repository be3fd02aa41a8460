/* recorded - the real side of a case read from the recorded real-stack files instead of a live run
 *
 * conformance/records holds what the real daemons did when the record was made: per run
 * the swaks transcript (<name>.client.txt) and Postfix's log (<name>.postfix.log); per trial
 * cell the replies (<name>.trials.txt) and Postfix's log. The transcripts were taken without
 * --show-time-lapse, so AUTH→reply times are not part of a recorded outcome. This lets the lab
 * be checked against the real stack on machines where the daemons cannot run (no root).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConformanceCase } from './cases.ts';
import { RECONNECT_WAIT_MS, type SessionOutcome, type SideOutcome } from './compare.ts';
import { CALIBRATION_DIR } from './cases.ts';
import { readPcap } from './calibration/pcap.ts';
import { readSessions } from './calibration/record.ts';
import { stepGaps } from './calibration/steps.ts';
import { median } from './stats.ts';
import { normaliseReplies, normaliseReplyLine, smtpdLines } from './normalise.ts';
import { parseSwaksTranscript } from './swaks-transcript.ts';

function lines(file: string): string[] {
  return readFileSync(file, 'latin1').split('\n').filter((l) => l.length > 0);
}

/** The recorded outcome of a runs.tsv or trials.tsv case, or null for a case without a record. */
export function recordedOutcome(rawDir: string, c: ConformanceCase): SideOutcome | null {
  const base = join(rawDir, c.name);
  let sessions: SessionOutcome[];
  if (c.source === 'runs.tsv' && existsSync(`${base}.client.txt`)) {
    const parsed = parseSwaksTranscript(readFileSync(`${base}.client.txt`, 'latin1'));
    sessions = [{
      replies: normaliseReplies(parsed.replies),
      authReply: parsed.authReply === null ? null : normaliseReplyLine(parsed.authReply),
      authToReplyMs: null,
    }];
  } else if (c.source === 'trials.tsv' && existsSync(`${base}.trials.txt`)) {
    // " 1\t1.082s\t235 2.7.0 Logged in." : trial number, swaks wall time, AUTH reply.
    const overheadMs = swaksOverheadMs(join(rawDir, CALIBRATION_DIR));
    sessions = lines(`${base}.trials.txt`).map((line) => {
      const [, wall, text] = line.split('\t');
      const reply = text?.trim() || null;
      const waits = Math.max(0, Math.round((Number.parseFloat(wall ?? '') * 1000 - overheadMs) / RECONNECT_WAIT_MS));
      return { replies: reply ? [reply] : [], authReply: reply, authToReplyMs: null, reconnectWaits: waits };
    });
  } else if (c.source === 'calibration' && existsSync(join(rawDir, CALIBRATION_DIR, c.name.slice(2), 'sessions.tsv'))) {
    return calibrationOutcome(join(rawDir, CALIBRATION_DIR, c.name.slice(2)));
  } else {
    return null;
  }
  const log = smtpdLines(lines(`${base}.postfix.log`));
  return { sessions, backendConnections: log.filter((l) => l.startsWith('postfix/smtpd: connect from ')).length, smtpdLog: log };
}

/** A calibration batch: swaks' AUTH→reply time per session (--show-time-lapse), Postfix's log and the capture's steps. */
function calibrationOutcome(dir: string): SideOutcome {
  const sessions = readSessions(dir).map((s) => ({ replies: s.authReply ? [s.authReply] : [], authReply: s.authReply, authToReplyMs: s.authToReplyMs }));
  const log = smtpdLines(lines(join(dir, 'postfix.log')));
  const steps = stepGaps(readPcap(readFileSync(join(dir, 'capture.pcap'))));
  return { sessions, backendConnections: log.filter((l) => l.startsWith('postfix/smtpd: connect from ')).length, smtpdLog: log, steps };
}

/**
 * swaks' own share of a session's wall time (start-up, banner, EHLO, QUIT): the median of wall
 * time minus AUTH→reply over the calibration batches, which recorded both. It turns the trial
 * cells' wall times into whole reconnect waits (1 s each, far larger than its spread).
 */
function swaksOverheadMs(dir: string): number {
  if (!existsSync(dir)) return 0;
  const spans = readdirSync(dir).filter((b) => existsSync(join(dir, b, 'sessions.tsv')))
    .flatMap((b) => readSessions(join(dir, b)).flatMap((s) => (s.authToReplyMs === null ? [] : [s.wallMs - s.authToReplyMs])));
  return median(spans) ?? 0;
}
