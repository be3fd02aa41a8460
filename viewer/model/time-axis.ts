/* time-axis - a vertical scale on which 30 µs and 3 s are both readable
 *
 * The bug lives in microseconds (Dovecot's EHLO 3-32 µs after XCLIENT) while the retries
 * it causes are a second apart (login_proxy reconnects, conformance README). A linear
 * axis shows one or the other, so each row's distance from the previous one grows with
 * the logarithm of the virtual time between them, and gaps past `elideAboveUs` are drawn
 * as a break labelled with their real length.
 */

export interface TimeAxisOptions {
  /** Distance between rows that happen at the same instant. */
  readonly rowMinPx: number;
  /** Extra distance per decade of microseconds between consecutive rows. */
  readonly pxPerDecade: number;
  /** Gaps at least this long are drawn as an elided break. */
  readonly elideAboveUs: number;
}

export const defaultTimeAxis: TimeAxisOptions = { rowMinPx: 22, pxPerDecade: 9, elideAboveUs: 100_000 };

export interface AxisRow {
  readonly t: number;
  readonly y: number;
  /** Virtual time since the previous row. */
  readonly deltaUs: number;
  /** True when the gap before this row is drawn as a break. */
  readonly elided: boolean;
}

/** Place rows (times in display order, non-decreasing) on the axis, starting at `top`. */
export function layoutRows(times: readonly number[], top: number, options: TimeAxisOptions = defaultTimeAxis): AxisRow[] {
  const rows: AxisRow[] = [];
  let y = top;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    const deltaUs = i === 0 ? 0 : Math.max(0, t - times[i - 1]!);
    if (i > 0) y += options.rowMinPx + options.pxPerDecade * Math.log10(1 + deltaUs);
    rows.push({ t, y: Math.round(y), deltaUs, elided: i > 0 && deltaUs >= options.elideAboveUs });
  }
  return rows;
}

/** Absolute virtual time with the unit that keeps µs precision readable: "27 µs", "27.906 ms", "1.027906 s". */
export function formatMicros(us: number): string {
  const whole = Math.round(us);
  if (whole < 1_000) return `${whole} µs`;
  if (whole < 1_000_000) return `${(whole / 1_000).toFixed(3)} ms`;
  return `${(whole / 1_000_000).toFixed(6)} s`;
}

/** A gap, short: "+30 µs", "+40.0 ms", "+1.00 s". */
export function formatDelta(us: number): string {
  const whole = Math.round(us);
  if (whole < 1_000) return `+${whole} µs`;
  if (whole < 1_000_000) return `+${(whole / 1_000).toFixed(1)} ms`;
  return `+${(whole / 1_000_000).toFixed(2)} s`;
}
