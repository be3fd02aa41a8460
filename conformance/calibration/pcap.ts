/* pcap - the TCP segments of a tcpdump capture (libpcap file format), in order
 *
 * What calibration needs from a capture is each segment's time, direction, flags and payload,
 * as the recorded segments.txt files show them (tshark there; here tcpdump -w, read without any
 * other tool). Format: libpcap's savefile header (magic 0xa1b2c3d4 for µs or 0xa1b23c4d for ns
 * timestamps, either byte order; link type at offset 20), then per packet a 16-byte record
 * header (seconds, fraction, captured length, original length). Link types: Ethernet (1, what
 * tcpdump -i lo writes on Linux) and Linux cooked v1 (113, -i any). IPv4 and TCP headers are
 * read for their own lengths (IHL, data offset) as RFC 791 and RFC 9293 define them.
 */

export interface TcpSegment {
  /** Capture time in µs since the epoch. */
  readonly tUs: number;
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  readonly syn: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  /** Payload as latin1 text ('' for a pure ACK). */
  readonly data: string;
}

const LINK_HEADER_BYTES: Readonly<Record<number, number>> = { 1: 14, 113: 16 };

export function readPcap(file: Uint8Array): TcpSegment[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.byteLength < 24) throw new Error('pcap: shorter than its 24-byte header');
  const magicBig = view.getUint32(0, false);
  const little = magicBig === 0xd4c3b2a1 || magicBig === 0x4d3cb2a1;
  const magic = view.getUint32(0, little);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`pcap: unknown magic 0x${magicBig.toString(16)}`);
  const fractionPerUs = magic === 0xa1b23c4d ? 1000 : 1;
  const linkType = view.getUint32(20, little);
  const linkBytes = LINK_HEADER_BYTES[linkType];
  if (linkBytes === undefined) throw new Error(`pcap: link type ${linkType} is not Ethernet (1) or Linux cooked (113)`);
  const segments: TcpSegment[] = [];
  for (let at = 24; at + 16 <= file.byteLength;) {
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const captured = view.getUint32(at + 8, little);
    const packet = at + 16;
    at = packet + captured;
    const ip = packet + linkBytes;
    if (ip + 20 > at || file[ip]! >> 4 !== 4 || file[ip + 9] !== 6) continue; // IPv4 carrying TCP only
    const tcp = ip + (file[ip]! & 0x0f) * 4;
    const end = Math.min(at, ip + view.getUint16(ip + 2, false));
    if (tcp + 20 > end) continue;
    const flags = file[tcp + 13]!;
    const payload = tcp + (file[tcp + 12]! >> 4) * 4;
    segments.push({
      tUs: seconds * 1e6 + Math.floor(fraction / fractionPerUs),
      src: ipText(file, ip + 12), srcPort: view.getUint16(tcp, false),
      dst: ipText(file, ip + 16), dstPort: view.getUint16(tcp + 2, false),
      syn: (flags & 0x02) !== 0, fin: (flags & 0x01) !== 0, rst: (flags & 0x04) !== 0,
      data: payload < end ? Buffer.from(file.subarray(payload, end)).toString('latin1') : '',
    });
  }
  return segments;
}

function ipText(file: Uint8Array, at: number): string {
  return `${file[at]}.${file[at + 1]}.${file[at + 2]}.${file[at + 3]}`;
}
