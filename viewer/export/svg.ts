/* svg - a sequence diagram of a trace as a standalone SVG document (also what the page draws)
 *
 * Hand-made rather than a layout library: a sequence diagram's layout is columns and a
 * time axis, and the libraries that draw them (Mermaid: several MB with d3, dagre,
 * cytoscape) have no notion of a time axis. Every drawn item is a <g> carrying
 * data-event/data-end/data-from/data-to so the page can step through it and tests can
 * find "the 554 on the postfix -> front arrow".
 */
import type { Diagram, DiagramItem } from '../model/diagram.ts';
import { escapeBytes } from '../model/labels.ts';
import { formatDelta, formatMicros } from '../model/time-axis.ts';
import { GEOMETRY, layoutDiagram, type Layout, type LayoutOptions } from './layout.ts';

export interface SvgOptions extends Partial<LayoutOptions> {
  readonly title?: string;
}

export function renderSvg(diagram: Diagram, options: SvgOptions = {}): string {
  const layout = layoutDiagram(diagram, options);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="DejaVu Sans Mono, monospace" font-size="11">`,
    `<title>${xml(options.title ?? 'smtp-lab trace')}</title>`,
    STYLE_AND_MARKERS,
    `<rect class="paper" x="0" y="0" width="${layout.width}" height="${layout.height}" fill="#ffffff"/>`,
    ...decisiveBands(layout),
    ...axis(layout),
    ...lanes(layout),
    ...layout.items.map((item) => drawItem(item, layout)),
    '</svg>',
  ];
  return parts.join('\n');
}

const STYLE_AND_MARKERS = `<defs>
<marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker>
<style>
.lane-line{stroke:#b8c0cc;stroke-width:1.5}
.lane-head rect{fill:#eef2f8;stroke:#6b7a90}
.lane-head text{font-weight:bold;font-size:13px}
.axis-label{fill:#555}
.axis-delta{fill:#999}
.break{stroke:#c0c0c0;stroke-dasharray:6 4}
.break-label{fill:#888;font-style:italic}
.item line{marker-end:url(#head)}
.kind-write line{stroke:#1f4e9c;stroke-width:2.4}
.kind-write text{fill:#12305f;font-weight:bold}
.item text{paint-order:stroke;stroke:#ffffff;stroke-width:3px;stroke-linejoin:round}
.note text{stroke:none}
.kind-segment line{stroke:#8a8f98;stroke-width:1}
.kind-segment text,.kind-ack text{fill:#8a8f98;font-size:9px}
.kind-ack line{stroke:#a7acb5;stroke-width:1;stroke-dasharray:3 3}
.kind-connect line{stroke:#2e7d32;stroke-width:1.2;stroke-dasharray:5 3}
.kind-fin line,.kind-rst line{stroke:#6d4c41;stroke-width:1.2;stroke-dasharray:2 2}
.note rect{fill:#fffbe6;stroke:#d6c27a}
.note text{fill:#4a3c00}
.kind-timer rect,.kind-fire rect{fill:#eef7ff;stroke:#8ab4e0}
.kind-fact rect,.kind-decision rect,.kind-run rect{fill:#f4f4f4;stroke:#c8c8c8}
.kind-fault rect{fill:#ffe9e9;stroke:#d88}
.error line{stroke:#c62828}
.error text{fill:#b71c1c}
.decisive line{stroke:#d50000;stroke-width:3}
.decisive rect{fill:#ffe0e0;stroke:#d50000;stroke-width:2}
.decisive text{fill:#9b0000;font-weight:bold}
.decisive-band{fill:#fff3c4}
.future{opacity:.12}
.current line{stroke-width:4}
.current rect{stroke-width:3}
</style>
</defs>`;

function decisiveBands(layout: Layout): string[] {
  return layout.items
    .filter((item) => item.decisive && item.shape === 'note')
    .map((item) => {
      const y = layout.yOfEvent.get(item.event)!;
      return `<rect class="decisive-band" x="0" y="${y - 14}" width="${layout.width}" height="24"/>`;
    });
}

function axis(layout: Layout): string[] {
  const out: string[] = [];
  layout.rows.forEach((row, i) => {
    if (row.elided) {
      const y = Math.round((row.y + layout.rows[i - 1]!.y) / 2);
      out.push(`<line class="break" x1="0" y1="${y}" x2="${layout.width}" y2="${y}"/>`);
      out.push(`<text class="break-label" x="${GEOMETRY.axisWidth + 6}" y="${y - 3}">⋯ ${xml(formatDelta(row.deltaUs))} later ⋯</text>`);
    }
    out.push(`<text class="axis-label" x="6" y="${row.y + 4}">${xml(formatMicros(row.t))}</text>`);
    if (i > 0 && row.deltaUs > 0) out.push(`<text class="axis-delta" x="100" y="${row.y + 4}" font-size="9">${xml(formatDelta(row.deltaUs))}</text>`);
  });
  return out;
}

function lanes(layout: Layout): string[] {
  const out: string[] = [];
  for (const [lane, x] of layout.laneX) {
    out.push(`<line class="lane-line" x1="${x}" y1="${GEOMETRY.headerHeight}" x2="${x}" y2="${layout.height - 10}"/>`);
    out.push(
      `<g class="lane-head" data-lane="${xml(lane)}"><rect x="${x - 60}" y="12" width="120" height="30" rx="4"/><text x="${x}" y="32" text-anchor="middle">${xml(lane)}</text></g>`,
    );
  }
  return out;
}

function drawItem(item: DiagramItem, layout: Layout): string {
  const classes = ['item', item.shape, `kind-${item.kind}`, item.error ? 'error' : '', item.decisive ? 'decisive' : ''].filter(Boolean).join(' ');
  const y1 = layout.yOfEvent.get(item.event)!;
  const common = `class="${classes}" data-event="${item.event}" data-session="${item.session ?? ''}" data-t="${item.t}"`;
  if (item.shape === 'note') {
    const width = Math.round(Math.min(GEOMETRY.noteMaxWidth, item.label.length * 6.7 + 10));
    const laneX = item.lane === null ? null : layout.laneX.get(item.lane)!;
    const x = laneX === null ? GEOMETRY.axisWidth + 4 : item.lane === layout.lastLane ? laneX - 8 - width : laneX + 8;
    return `<g ${common} data-end="${item.event}" data-lane="${xml(item.lane ?? '')}"><title>${xml(item.detail)}</title><rect x="${x}" y="${y1 - 11}" width="${width}" height="16" rx="3"/><text x="${x + 5}" y="${y1 + 1}">${xml(item.label)}</text></g>`;
  }
  const y2 = layout.yOfEvent.get(item.endEvent)!;
  const x1 = layout.laneX.get(item.from) ?? GEOMETRY.axisWidth;
  const x2target = layout.laneX.get(item.to) ?? x1 + GEOMETRY.laneWidth / 2;
  const x2 = x2target === x1 ? x1 + 30 : x2target - Math.sign(x2target - x1) * 3;
  const labelX = item.weight === 'bold' ? (x1 + x2) / 2 : x1 + (x2 - x1) * 0.12;
  const anchor = item.weight === 'bold' ? 'middle' : x2 > x1 ? 'start' : 'end';
  return `<g ${common} data-end="${item.endEvent}" data-from="${xml(item.from)}" data-to="${xml(item.to)}"><title>${xml(item.detail)}</title><line x1="${x1}" y1="${y1}" x2="${Math.round(x2)}" y2="${y2}"/><text x="${Math.round(labelX)}" y="${y1 - 4}" text-anchor="${anchor}">${xml(item.label)}</text></g>`;
}

/** Escape text for XML content and attribute values; control bytes (not allowed in XML 1.0) become visible escapes. */
export function xml(text: string): string {
  return escapeBytes(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
