/* recorded-segments - reads conformance/records/*.segments.txt (tshark output of the real runs) */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';

export interface RecordedSegment {
  /** Capture time in µs. */
  readonly t: number;
  readonly stream: string;
  readonly from: string;
  readonly to: string;
  readonly flags: string;
  readonly len: number;
  /** Payload as latin1 text (tshark's escapes undone). */
  readonly data: string;
}

const LINE = /^\s*(\d+\.\d+)\s+(s\d+)\s+(\w+)->(\w+)\s+(\w+)\s+len=(\d+)\s*(?:'(.*)')?\s*$/;

/** The segments of the run whose file name starts with `prefix` ("A1-", "E1-"). */
export function readRecordedSegments(prefix: string, fileNames: readonly string[]): RecordedSegment[] {
  const name = fileNames.find((f) => f.startsWith(prefix) && f.endsWith('.segments.txt'));
  if (!name) throw new Error(`no recorded segments file for ${prefix} in ${RECORDS_DIR}`);
  const out: RecordedSegment[] = [];
  for (const line of readFileSync(join(RECORDS_DIR, name), 'latin1').split('\n')) {
    if (line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`${name}: cannot parse line: ${line}`);
    const [, time, stream, from, to, flags, len, data] = m as unknown as string[];
    out.push({
      t: Math.round(Number(time) * 1e6), stream: stream as string, from: from as string, to: to as string,
      flags: flags as string, len: Number(len), data: unescape(data ?? ''),
    });
  }
  return out;
}

function unescape(text: string): string {
  return text.replace(/\\r/g, '\r').replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\'/g, "'").replace(/\\\\/g, '\\');
}
