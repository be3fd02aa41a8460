/* files - write a trace's HTML, SVG and Mermaid pictures (used by `view` and by `repro --out DIR`) */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildDiagram } from '../model/diagram.ts';
import type { TraceEvent } from '../model/trace-event.ts';
import type { Detail } from './detail.ts';
import { renderHtml } from './html.ts';
import { renderMermaid } from './mermaid.ts';
import { renderSvg } from './svg.ts';

/** A target path that means standard output. */
export const STDOUT = '-';

export interface ExportTargets {
  readonly html?: string;
  readonly svg?: string;
  readonly mermaid?: string;
}

export interface ExportOptions {
  readonly title?: string;
  /** Limit SVG and Mermaid to one session; null or absent draws every session. */
  readonly session?: number | null;
  /** SVG and Mermaid detail; absent: 'tcp' for the SVG, 'app' for Mermaid. */
  readonly detail?: Detail;
}

/** Write each requested picture ('-' writes it to standard output); returns the files written, in the order html, svg, mermaid. */
export async function writeTraceExports(events: readonly TraceEvent[], targets: ExportTargets, options: ExportOptions = {}): Promise<string[]> {
  const diagram = buildDiagram(events);
  const session = options.session ?? null;
  if (session !== null && !diagram.sessions.some((s) => s.id === session)) {
    throw new RangeError(`no session ${session} in this trace (it has ${diagram.sessions.length})`);
  }
  const title = options.title ?? 'smtp-lab trace';
  const written: string[] = [];
  const put = async (path: string | undefined, content: () => Promise<string> | string): Promise<void> => {
    if (path === undefined) return;
    if (path === STDOUT) {
      process.stdout.write(await content());
      return;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await content());
    written.push(path);
  };
  await put(targets.html, () => renderHtml({ title, events }));
  const detail = options.detail ? { detail: options.detail } : {};
  await put(targets.svg, () => renderSvg(diagram, { session, title, ...detail }));
  await put(targets.mermaid, () => renderMermaid(diagram, { session, ...detail }));
  return written;
}

/** The three pictures under one directory: trace.html, trace.svg, trace.mmd. */
export function writeTraceExportsTo(dir: string, events: readonly TraceEvent[], options: ExportOptions = {}): Promise<string[]> {
  return writeTraceExports(events, { html: join(dir, 'trace.html'), svg: join(dir, 'trace.svg'), mermaid: join(dir, 'trace.mmd') }, options);
}
