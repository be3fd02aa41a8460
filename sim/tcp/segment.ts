/* segment - one simulated TCP segment and its flag bits */

export const SYN = 1;
export const ACK = 2;
export const PSH = 4;
export const FIN = 8;
export const RST = 16;

export interface Segment {
  /** Sequence number (relative: the SYN is 0, the first data byte 1). */
  readonly seq: number;
  /** Cumulative ACK (0 on segments the link injects: they acknowledge nothing). */
  readonly ack: number;
  readonly len: number;
  readonly flags: number;
  readonly data: Uint8Array | null;
}

/** Flags the way tshark prints them in conformance/records/*.segments.txt ("AP", "AS", "AF"). */
export function flagText(flags: number): string {
  return (flags & ACK ? 'A' : '') + (flags & PSH ? 'P' : '') + (flags & SYN ? 'S' : '') + (flags & FIN ? 'F' : '') + (flags & RST ? 'R' : '');
}
