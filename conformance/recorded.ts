/* recorded - the real side of a case read from the recorded real-stack files instead of a live run
 *
 * conformance/records holds what the real daemons did when the record was made: per run
 * the swaks transcript (<name>.client.txt) and Postfix's log (<name>.postfix.log); per trial
 * cell the replies (<name>.trials.txt) and Postfix's log. The transcripts were taken without
 * --show-time-lapse, so AUTH→reply times are not part of a recorded outcome. This lets the lab
 * be checked against the real stack on machines where the daemons cannot run (no root).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConformanceCase } from './cases.ts';
import type { SessionOutcome, SideOutcome } from './compare.ts';
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
    sessions = lines(`${base}.trials.txt`).map((line) => {
      const reply = line.split('\t')[2]?.trim() || null;
      return { replies: reply ? [reply] : [], authReply: reply, authToReplyMs: null };
    });
  } else {
    return null;
  }
  const log = smtpdLines(lines(`${base}.postfix.log`));
  return { sessions, backendConnections: log.filter((l) => l.startsWith('postfix/smtpd: connect from ')).length, smtpdLog: log };
}

/** The same outcome without AUTH→reply times, to compare with a recorded one. */
export function withoutTimes(side: SideOutcome): SideOutcome {
  return { ...side, sessions: side.sessions.map((s) => ({ ...s, authToReplyMs: null })) };
}
