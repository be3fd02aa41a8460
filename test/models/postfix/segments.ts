/* segments - parser for the conformance *.segments.txt captures (tshark + Python bytes repr)
 *
 * One line per TCP segment: "<seconds> s<stream> <from>-><to> <flags> len=<n> <payload>",
 * where the payload is Python's repr() of the bytes without the leading b.
 */

export interface Segment {
  /** Microseconds since the capture started. */
  readonly timeUs: number;
  readonly stream: number;
  readonly from: string;
  readonly to: string;
  readonly flags: string;
  /** Payload as latin1 text. */
  readonly data: string;
}

const simpleEscapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"' };

/** Decode Python's bytes repr body ('...' or "..."), e.g. 'EHLO x\r\n'. */
export function decodePythonBytesRepr(repr: string): string {
  const quote = repr[0];
  if ((quote !== "'" && quote !== '"') || repr[repr.length - 1] !== quote) throw new Error(`not a bytes repr: ${repr.slice(0, 40)}`);
  const body = repr.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') {
      out += body[i];
      continue;
    }
    const next = body[i + 1] ?? '';
    if (next === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (simpleEscapes[next] !== undefined) {
      out += simpleEscapes[next];
      i += 1;
    } else throw new Error(`unknown escape \\${next} in ${repr.slice(0, 40)}`);
  }
  return out;
}

const linePattern = /^\s*(\d+)\.(\d{6}) s(\d+)\s+(\w+)->(\w+)\s+(\S+)\s+len=(\d+)\s*(.*)$/;

export function parseSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = linePattern.exec(line);
    if (!match) throw new Error(`unparsable segment line: ${line}`);
    const [, secs, micros, stream, from, to, flags, len, payload] = match;
    const data = payload && payload.trim() !== '' ? decodePythonBytesRepr(payload.trim()) : '';
    if (data.length !== Number(len)) throw new Error(`length ${len} does not match payload (${data.length}) in: ${line}`);
    segments.push({ timeUs: Number(secs) * 1_000_000 + Number(micros), stream: Number(stream), from: from!, to: to!, flags: flags!, data });
  }
  return segments;
}
