/* detail - how much of the machinery under the SMTP exchange a picture shows
 *
 *   app   writes, connection set-up and tear-down, log lines, facts, faults
 *   tcp   app + TCP segments and pure ACKs (the default for the SVG and the page)
 *   all   tcp + timers set, cancelled and fired, and every named random decision
 * The decisive moment is shown at every level.
 */
import type { DiagramItem } from '../model/diagram.ts';

export type Detail = 'app' | 'tcp' | 'all';
export const DETAILS: readonly Detail[] = ['app', 'tcp', 'all'];

const HIDDEN: Readonly<Record<Detail, ReadonlySet<string>>> = {
  app: new Set(['segment', 'ack', 'timer', 'fire', 'decision']),
  tcp: new Set(['timer', 'fire', 'decision']),
  all: new Set(),
};

export function isShown(item: DiagramItem, detail: Detail): boolean {
  return item.decisive || !HIDDEN[detail].has(item.kind);
}
