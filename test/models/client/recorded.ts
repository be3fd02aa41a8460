/* recorded - reads the real-stack swaks transcripts and tshark segment dumps the client is checked against */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORDS_DIR } from '../../../conformance/records-dir.ts';

/** The lines swaks wrote (" -> " lines of <run>.client.txt), without CRLF (swaks prints message lines with their CR). */
export function recordedClientLines(run: string): string[] {
  return readFileSync(join(RECORDS_DIR, `${run}.client.txt`), 'latin1')
    .split('\n')
    .filter((line) => line.startsWith(' -> '))
    .map((line) => line.slice(4).replace(/\r$/, ''));
}

export interface RecordedSegment {
  readonly t: number;
  readonly from: string;
  readonly to: string;
  readonly data: string;
}

function unescapeTshark(quoted: string): string {
  return quoted.replace(/\\(r|n|t|\\|')/g, (_m, c: string) => ({ r: '\r', n: '\n', t: '\t', '\\': '\\', "'": "'" })[c] ?? c);
}

/** Data-carrying segments of the client<->dovecot connection (s0) of a run, in capture order. */
export function recordedClientSegments(run: string): RecordedSegment[] {
  const segments: RecordedSegment[] = [];
  for (const line of readFileSync(join(RECORDS_DIR, `${run}.segments.txt`), 'latin1').split('\n')) {
    const match = /^\s*([\d.]+) s0\s+(\w+)->(\w+)\s+\S+\s+len=(\d+)\s+'(.*)'$/.exec(line);
    if (match === null || match[4] === '0') continue;
    segments.push({ t: Number(match[1]), from: match[2] ?? '', to: match[3] ?? '', data: unescapeTshark(match[5] ?? '') });
  }
  return segments;
}
