/* segments-text - a capture's TCP segments as the records' <run>.segments.txt lines
 *
 * The records decoded each capture with tshark into one line per segment:
 *   "  0.033762 s1   dovecot->postfix  AP     len=97   'XCLIENT HELO=...\r\n'"
 * seconds since the capture began (%10.6f), the TCP stream, the direction named by the port
 * (Dovecot's submission port, Postfix's smtpd port), tshark's flag letters, the payload length
 * and the payload as a Python bytes literal without its b prefix (the readers in test/ undo
 * exactly that quoting). tshark prints the fields; this file only formats them.
 */
import type { RealStackPorts } from './config.ts';

/** The tshark fields, in the order segmentLine reads them. */
export const TSHARK_FIELDS = ['frame.time_relative', 'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.flags.str', 'tcp.len', 'tcp.payload'] as const;

/** One line of `tshark -T fields -E separator=|` output with TSHARK_FIELDS, as a segments.txt line. */
export function segmentLine(fields: string, ports: RealStackPorts): string {
  const [time = '0', stream = '', srcPort = '', dstPort = '', flags = '', len = '0', payloadHex = ''] = fields.split('|');
  const direction = directionOf(Number(srcPort), Number(dstPort), ports);
  // tshark marks unset flags with a middle dot: "·······AP···" → "AP".
  const flagLetters = flags.replace(/\u00b7/g, '').trim();
  const payload = Buffer.from(payloadHex.replace(/:/g, ''), 'hex');
  return `${Number(time).toFixed(6).padStart(10)} s${stream.padEnd(3)} ${direction.padEnd(17)} ${flagLetters.padEnd(6)} len=${len.padEnd(4)} ${payload.length > 0 ? pythonBytesLiteral(payload) : ''}`;
}

function directionOf(src: number, dst: number, ports: RealStackPorts): string {
  if (dst === ports.dovecot) return 'client->dovecot';
  if (dst === ports.postfix) return 'dovecot->postfix';
  if (src === ports.dovecot) return 'dovecot->client';
  if (src === ports.postfix) return 'postfix->dovecot';
  return '?';
}

/** Python's repr() of a bytes object without the leading b: quotes chosen as Python chooses them. */
export function pythonBytesLiteral(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? '"' : "'";
  let out = quote;
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === quote.charCodeAt(0)) out += `\\${quote}`;
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return out + quote;
}
