/* terminal - a trace as a sequence diagram for the terminal (what `repro` prints)
 *
 * One row per item, lanes as columns; application writes as arrows labelled with their bytes,
 * log lines beside their lane. TCP segments, ACKs and timers are left out unless they are part
 * of the decisive moment (the segment that arrived too early), which is drawn in red when
 * colour is on, and marked with "!!" either way so it survives copy-paste.
 */
import type { Diagram, DiagramItem } from '../model/diagram.ts';
import { formatMicros } from '../model/time-axis.ts';
import { isShown } from './detail.ts';

export interface TerminalOptions {
  readonly colour?: boolean;
  readonly session?: number | null;
  /** Widest label; longer ones are cut with an ellipsis. */
  readonly labelWidth?: number;
}

const LANE_WIDTH = 14;
const RED = '\x1b[31;1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function laneRow(lanes: readonly string[], item: DiagramItem): string {
  const cells = lanes.map(() => ' '.repeat(LANE_WIDTH).split(''));
  for (const cell of cells) cell[0] = '│';
  const flat = cells.flat();
  const column = (lane: string) => lanes.indexOf(lane) * LANE_WIDTH;
  if (item.shape === 'arrow') {
    const a = column(item.from);
    const b = column(item.to);
    if (a >= 0 && b >= 0 && a !== b) {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      for (let i = lo + 1; i < hi; i++) flat[i] = '─';
      flat[a < b ? hi - 1 : lo + 1] = a < b ? '▶' : '◀';
    }
  } else if (item.lane !== null && lanes.includes(item.lane)) {
    flat[column(item.lane)] = '●';
  }
  return flat.join('').trimEnd().padEnd(lanes.length * LANE_WIDTH - LANE_WIDTH + 1);
}

export function renderTerminal(diagram: Diagram, options: TerminalOptions = {}): string {
  const session = options.session ?? null;
  const labelWidth = options.labelWidth ?? 90;
  const colour = options.colour ?? false;
  const lanes = diagram.lanes;
  const header = `${'time'.padStart(12)}  ${lanes.map((lane) => lane.padEnd(LANE_WIDTH)).join('').trimEnd()}`;
  const rows = diagram.items
    .filter((item) => (session === null || item.session === session) && isShown(item, 'app'))
    .filter((item) => item.shape === 'arrow' ? item.kind === 'write' || item.kind === 'connect' || item.decisive || item.kind === 'rst' : item.kind === 'log' || item.kind === 'fault' || item.decisive)
    .map((item) => {
      const mark = item.decisive ? '!! ' : '';
      const label = cut(`${mark}${item.label}`, labelWidth);
      const line = `${formatMicros(item.t).padStart(12)}  ${laneRow(lanes, item)}  ${label}`;
      if (!colour) return line;
      if (item.decisive) return `${RED}${line}${RESET}`;
      return item.shape === 'note' ? `${DIM}${line}${RESET}` : line;
    });
  return [header, ...rows].join('\n');
}
