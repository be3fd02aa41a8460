/// <reference lib="dom" />
/* panes - a trace drawn in a pane with the viewer's model and SVG, and the moment in time it is stepped to
 *
 * The page shows the chosen scenario and the fixed proxy side by side, stepped together by
 * time: the main pane steps item by item, the other greys out what has not happened yet at
 * that instant. Decisive items carry "!!" as the terminal export marks them
 * (viewer/export/terminal.ts), so the early EHLO reads the same on a slide as in a shell.
 */
import { isShown, type Detail } from '../../viewer/export/detail.ts';
import { renderSvg } from '../../viewer/export/svg.ts';
import { buildDiagram, type Diagram, type DiagramItem } from '../../viewer/model/diagram.ts';
import type { TraceEvent } from '../../viewer/model/trace-event.ts';

export interface DrawnPane {
  readonly holder: HTMLElement;
  readonly diagram: Diagram;
  /** The items drawn at the pane's detail, in trace order: what stepping walks through. */
  readonly items: readonly DiagramItem[];
}

export function drawPane(holder: HTMLElement, events: readonly TraceEvent[], detail: Detail, title: string): DrawnPane {
  const diagram = withDecisiveMarks(buildDiagram(events));
  holder.innerHTML = renderSvg(diagram, { session: null, detail, title });
  return { holder, diagram, items: diagram.items.filter((item) => isShown(item, detail)) };
}

function withDecisiveMarks(diagram: Diagram): Diagram {
  return { ...diagram, items: diagram.items.map((item) => (item.decisive ? { ...item, label: `!! ${item.label}` } : item)) };
}

/** Grey out what comes after `current`: by event in the pane it came from, by time in the other. */
export function showMoment(pane: DrawnPane, current: DiagramItem | null, sameTrace: boolean): void {
  for (const element of pane.holder.querySelectorAll<SVGGElement>('g.item')) {
    const event = Number(element.dataset.event);
    const t = Number(element.dataset.t);
    const future = current !== null && (sameTrace ? event > current.event : t > current.t);
    element.classList.toggle('future', future);
    element.classList.toggle('current', current !== null && sameTrace && event === current.event);
  }
  // The current item, or in the other pane the last one that has happened by then, in the middle of the view.
  const shown = pane.holder.querySelectorAll('g.item:not(.future)');
  const element = pane.holder.querySelector('g.current') ?? (current === null ? null : shown[shown.length - 1]);
  if (!element) return;
  const box = element.getBoundingClientRect();
  const view = pane.holder.getBoundingClientRect();
  pane.holder.scrollTop += box.top + box.height / 2 - (view.top + view.height / 2);
  pane.holder.scrollLeft += box.left + box.width / 2 - (view.left + view.width / 2);
}
