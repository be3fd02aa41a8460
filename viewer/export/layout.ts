/* layout - where lanes, rows and items go on a drawn sequence diagram
 *
 * Lanes are columns; rows are the events items start or end at, placed on the
 * log-gap time axis (model/time-axis.ts). A segment is drawn from its send row to its
 * delivery row, so flight time and the bytes waiting in a buffer show as a slant.
 */
import type { Diagram, DiagramItem } from '../model/diagram.ts';
import { isShown, type Detail } from './detail.ts';
import { defaultTimeAxis, layoutRows, type AxisRow, type TimeAxisOptions } from '../model/time-axis.ts';

export interface LayoutOptions {
  /** Draw only this session's items; null draws the whole trace. */
  readonly session: number | null;
  readonly detail: Detail;
  readonly axis: TimeAxisOptions;
}

export const defaultLayout: LayoutOptions = { session: null, detail: 'tcp', axis: defaultTimeAxis };

/** Notes stand right of their lane, except on the last lane where they stand left of it so the page needs no sideways scrolling. */
export const GEOMETRY = { axisWidth: 150, laneWidth: 240, headerHeight: 56, rightMargin: 20, noteMaxWidth: 500, footer: 40 } as const;

export interface Layout {
  readonly items: readonly DiagramItem[];
  readonly laneX: ReadonlyMap<string, number>;
  /** The rightmost lane: its notes are drawn to its left. */
  readonly lastLane: string | null;
  readonly rows: readonly AxisRow[];
  /** y of an event index that starts or ends an item. */
  readonly yOfEvent: ReadonlyMap<number, number>;
  readonly width: number;
  readonly height: number;
}

export function layoutDiagram(diagram: Diagram, options: Partial<LayoutOptions> = {}): Layout {
  const settings = { ...defaultLayout, ...options };
  const items = diagram.items.filter(
    (item) =>
      (settings.session === null || item.session === settings.session) &&
      isShown(item, settings.detail),
  );
  const lanes = [...diagram.lanes];
  for (const item of items) {
    for (const lane of item.shape === 'arrow' ? [item.from, item.to] : [item.lane]) {
      if (lane !== null && !lanes.includes(lane)) lanes.push(lane);
    }
  }
  const laneX = new Map(lanes.map((lane, i) => [lane, GEOMETRY.axisWidth + GEOMETRY.laneWidth * (i + 0.5)]));

  const timeOfEvent = new Map<number, number>();
  for (const item of items) {
    timeOfEvent.set(item.event, item.t);
    if (item.shape === 'arrow') timeOfEvent.set(item.endEvent, item.tEnd);
  }
  const eventIndexes = [...timeOfEvent.keys()].sort((a, b) => a - b);
  const rows = layoutRows(eventIndexes.map((index) => timeOfEvent.get(index)!), GEOMETRY.headerHeight + 24, settings.axis);
  const yOfEvent = new Map(eventIndexes.map((index, i) => [index, rows[i]!.y]));
  const lastY = rows.length ? rows[rows.length - 1]!.y : GEOMETRY.headerHeight;
  return {
    items,
    laneX,
    rows,
    yOfEvent,
    lastLane: lanes.length > 1 ? lanes[lanes.length - 1]! : null,
    width: GEOMETRY.axisWidth + GEOMETRY.laneWidth * lanes.length + GEOMETRY.rightMargin,
    height: lastY + GEOMETRY.footer,
  };
}
