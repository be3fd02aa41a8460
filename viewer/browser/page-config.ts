/* page-config - what the server or an export embeds in the page for app.ts to read */
import type { TraceEvent } from '../model/trace-event.ts';

export interface PageConfig {
  readonly title: string;
  /** A recorded trace shown from the start (exports, `view FILE`). */
  readonly events?: readonly TraceEvent[];
  /** Path of the viewer's WebSocket on the page's own host; absent in a static export. */
  readonly wsPath?: string;
}
