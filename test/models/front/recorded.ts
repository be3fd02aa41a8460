/* recorded - readers for the real-stack records in conformance/records used by the front tests
 *
 * dovecot-rawlog.txt: Dovecot's login_proxy_rawlog_dir output, one "==> <session>.<n>.in|out <=="
 * file per backend connection, each line "<unix time with µs> <line>". Lines of one write() carry
 * the same stamp; consecutive lines with the same stamp are taken as one write (no two writes in
 * these records share a microsecond).
 * client.txt: the swaks transcript; "<-  " and "<** " lines are what the server sent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORDS_DIR } from '../../../conformance/records-dir.ts';

export function rawFile(run: string, suffix: string): string {
  return readFileSync(join(RECORDS_DIR, `${run}.${suffix}`), 'latin1');
}

/** Dovecot's writes to the backend, per connection, ports normalised to PORT=<port>. */
export function rawlogWrites(run: string): string[][] {
  const connections: string[][] = [];
  let current: string[] | null = null;
  let lastStamp = '';
  for (const line of rawFile(run, 'dovecot-rawlog.txt').split('\n').map((l) => l.replace(/\r$/, ''))) {
    const header = /^==> .*\.(\d+)\.(in|out) <==$/.exec(line);
    if (header) {
      current = header[2] === 'out' ? [] : null;
      if (current) connections.push(current);
      lastStamp = '';
      continue;
    }
    const entry = /^(\d+\.\d+) (.*)$/.exec(line);
    if (!current || !entry) continue;
    const text = `${entry[2]}\r\n`;
    if (entry[1] === lastStamp && current.length > 0) current[current.length - 1] += text;
    else current.push(text);
    lastStamp = entry[1]!;
  }
  return connections.map((writes) => writes.map(normalisePorts));
}

export function normalisePorts(text: string): string {
  return text.replace(/PORT=\d+/g, 'PORT=<port>');
}

/** The server's lines as swaks printed them. */
export function clientSaw(run: string): string[] {
  return rawFile(run, 'client.txt').split('\n').filter((l) => l.startsWith('<-  ') || l.startsWith('<** ')).map((l) => l.slice(4));
}

/** What the client sent, as swaks printed it. */
export function clientSent(run: string): string[] {
  return rawFile(run, 'client.txt').split('\n').filter((l) => l.startsWith(' -> ')).map((l) => l.slice(4));
}

export interface StampedLine {
  readonly us: number;
  readonly text: string;
}

/** Every rawlog line with its stamp in µs, per connection and direction ("in": from the backend). */
export function rawlogLines(run: string): { in: StampedLine[]; out: StampedLine[] }[] {
  const connections = new Map<string, { in: StampedLine[]; out: StampedLine[] }>();
  let current: StampedLine[] | null = null;
  for (const line of rawFile(run, 'dovecot-rawlog.txt').split('\n').map((l) => l.replace(/\r$/, ''))) {
    const header = /^==> (.*)\.(in|out) <==$/.exec(line);
    if (header) {
      if (!connections.has(header[1]!)) connections.set(header[1]!, { in: [], out: [] });
      current = connections.get(header[1]!)![header[2] as 'in' | 'out'];
      continue;
    }
    const entry = /^(\d+)\.(\d{6}) (.*)$/.exec(line);
    if (current && entry) current.push({ us: Number(entry[1]) * 1_000_000 + Number(entry[2]), text: entry[3]! });
  }
  return [...connections.values()];
}
