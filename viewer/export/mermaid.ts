/* mermaid - a trace as a Mermaid sequenceDiagram (for READMEs, issues and docs that render Mermaid)
 *
 * Mermaid has no time axis, so each message is prefixed with its virtual time and long
 * gaps become a note. TCP segments, ACKs, timers and decisions are left out by default (they
 * would bury the SMTP exchange) except the segment that carried the early bytes; the decisive moment is
 * wrapped in a red `rect` block.
 */
import type { Diagram, DiagramItem } from '../model/diagram.ts';
import { escapeBytes } from '../model/labels.ts';
import { defaultTimeAxis, formatDelta, formatMicros } from '../model/time-axis.ts';
import { isShown, type Detail } from './detail.ts';

export interface MermaidOptions {
  readonly session?: number | null;
  readonly detail?: Detail;
}

/** Mermaid arrows by item kind: ->> solid, -) async open arrow, --) dotted async, -x cross. */
const ARROWS: Readonly<Record<string, string>> = {
  write: '->>',
  segment: '-)',
  ack: '--)',
  connect: '-->>',
  fin: '--x',
  rst: '-x',
};

export function renderMermaid(diagram: Diagram, options: MermaidOptions = {}): string {
  const session = options.session ?? null;
  const detail = options.detail ?? 'app';
  const items = diagram.items.filter(
    (item) =>
      (session === null || item.session === session) &&
      isShown(item, detail),
  );
  const lanes = [...diagram.lanes];
  const ids = new Map(lanes.map((lane) => [lane, participantId(lane)]));
  const lines = ['sequenceDiagram', ...lanes.map((lane) => `  participant ${ids.get(lane)} as ${text(lane)}`)];
  const everyone = `${ids.get(lanes[0]!) ?? 'client'},${ids.get(lanes[lanes.length - 1]!) ?? 'client'}`;
  let previousT: number | null = null;
  let inHighlight = false;
  for (const item of items) {
    if (previousT !== null && item.t - previousT >= defaultTimeAxis.elideAboveUs && lanes.length > 0 && !inHighlight) {
      lines.push(`  Note over ${everyone}: ⋯ ${text(formatDelta(item.t - previousT))} later ⋯`);
    }
    previousT = item.t;
    const statement = itemStatement(item, ids, lanes[0]);
    if (statement === null) continue;
    if (item.decisive && !inHighlight) lines.push('  rect rgb(255, 224, 224)');
    if (!item.decisive && inHighlight) lines.push('  end');
    inHighlight = item.decisive;
    lines.push(`  ${statement}`);
  }
  if (inHighlight) lines.push('  end');
  return `${lines.join('\n')}\n`;
}

function itemStatement(item: DiagramItem, ids: ReadonlyMap<string, string>, firstLane: string | undefined): string | null {
  const stamp = `[${formatMicros(item.t)}] `;
  if (item.shape === 'note') {
    const lane = ids.get(item.lane ?? firstLane ?? '');
    return lane === undefined ? null : `Note right of ${lane}: ${text(stamp + item.label)}`;
  }
  const from = ids.get(item.from);
  const to = ids.get(item.to);
  if (from === undefined || to === undefined) return null;
  return `${from}${ARROWS[item.kind] ?? '->>'}${to}: ${text(stamp + item.label)}`;
}

/** Mermaid participant ids are plain words; the display name keeps the lane's spelling. */
function participantId(lane: string): string {
  const id = lane.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z]/.test(id) ? id : `n_${id}`;
}

/** Mermaid message text: one line (control bytes escaped), and `#`, `;`, `<`, `>` as entity codes, since they would be read as syntax or HTML. */
function text(raw: string): string {
  return escapeBytes(raw).replace(/[#;<>]/g, (ch) => `#${ch.charCodeAt(0)};`);
}
