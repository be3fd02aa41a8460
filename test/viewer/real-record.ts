/* real-record - a recorded real-stack run (conformance/records) as viewer trace events
 *
 * segments.txt has one captured TCP segment per line ("0.027934 s1 dovecot->postfix AP len=25
 * 'EHLO ...\r\n'"); loopback delivery is instant, so each becomes a segment and a deliver at
 * the same time. Postfix's log has only second resolution, so each "improper command
 * pipelining" line is placed on the backend connection whose 554 it caused, just before
 * that 554 (smtpd.c logs before it replies).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import type { TraceEvent } from '../../viewer/model/trace-event.ts';

const NODE_NAMES: Readonly<Record<string, string>> = { client: 'client', dovecot: 'front', postfix: 'postfix' };
const SEGMENT_LINE = /^\s*(\d+\.\d+)\s+(s\d+)\s+(\w+)->(\w+)\s+(\S+)\s+len=(\d+)\s*(?:'(.*)')?\s*$/;

export function realRecordTrace(run: string): TraceEvent[] {
  const segments = readFileSync(join(RECORDS_DIR, `${run}.segments.txt`), 'latin1').split('\n').filter((line) => line.trim() !== '');
  const pipeliningLines = readFileSync(join(RECORDS_DIR, `${run}.postfix.log`), 'latin1')
    .split('\n')
    .map((line) => /postfix\/smtpd\[\d+\]: (improper command pipelining .*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);

  const events: TraceEvent[] = [];
  const nextSeq = new Map<string, number>();
  for (const line of segments) {
    const match = SEGMENT_LINE.exec(line);
    if (!match) throw new Error(`unreadable segment line in ${run}: ${line}`);
    const [, seconds, conn, rawFrom, rawTo, flags, len, quoted] = match;
    const t = Math.round(Number(seconds) * 1_000_000);
    const from = NODE_NAMES[rawFrom!] ?? rawFrom!;
    const to = NODE_NAMES[rawTo!] ?? rawTo!;
    const data = quoted === undefined ? '' : unescapePython(quoted);
    if (flags === 'S') events.push({ t, kind: 'connect', conn: conn!, from, to: { host: '127.0.0.1', port: 0 } }, { t, kind: 'accept', conn: conn!, from, to });
    if (data.startsWith('554 ') && pipeliningLines.length > 0) {
      events.push({ t, kind: 'log', node: 'postfix', program: 'postfix/smtpd', conn: conn!, line: pipeliningLines.shift()! });
    }
    if (data.length > 0) events.push({ t, kind: 'write', conn: conn!, from, to, len: data.length, data });
    const key = `${conn}|${from}`;
    const seq = nextSeq.get(key) ?? 1;
    nextSeq.set(key, seq + Number(len));
    events.push({ t, kind: 'segment', conn: conn!, from, to, seq, len: Number(len), flags: flags!, data });
    events.push({ t, kind: 'deliver', conn: conn!, from, to, seq, len: Number(len) });
  }
  return events;
}

function unescapePython(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, escape: string) => {
    if (escape === 'r') return '\r';
    if (escape === 'n') return '\n';
    if (escape === 't') return '\t';
    if (escape.startsWith('x')) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return escape;
  });
}
