/* view - show a recorded trace or counterexample: in the browser viewer, or as HTML/SVG/Mermaid files */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { integerOption, parseOptions } from '../args.ts';
import { EXIT_OK, UsageError, type Command } from '../command.ts';
import { DETAILS, type Detail } from '../../viewer/export/detail.ts';
import { STDOUT, writeTraceExports } from '../../viewer/export/files.ts';
import { parseTraceFile, TraceFormatError, type TraceEvent } from '../../viewer/model/trace-event.ts';
import { startViewer } from '../../viewer/server.ts';

const usage = `usage: smtp-lab view FILE|DIR [--html F] [--svg F] [--mermaid F] [--session N] [--detail D] [--port N]

Show a trace: JSON Lines as the simulator or \`serve --trace\` write it, a JSON report carrying
its trace under "trace" or "events", or the directory repro/check/replay wrote (its trace.jsonl).

  --html F      write a self-contained HTML page (no network needed to open it)
  --svg F       write an SVG sequence diagram
  --mermaid F   write a Mermaid sequenceDiagram
                F = - writes that one to standard output
  --session N   SVG/Mermaid: draw only session N (default: every session)
  --detail D    SVG/Mermaid: app (SMTP bytes, logs), tcp (+ segments, ACKs), all (+ timers,
                decisions); default tcp for SVG, app for Mermaid
  --port N      serve the viewer on http://127.0.0.1:N/ (0 = any free port)

Without --html/--svg/--mermaid, serves the viewer (on --port, default 0) until interrupted;
step with the arrow keys, space plays, f jumps to the improper pipelining.`;

export const view: Command = {
  name: 'view',
  usage,
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      { html: { type: 'string' }, svg: { type: 'string' }, mermaid: { type: 'string' }, session: { type: 'string' }, detail: { type: 'string' }, port: { type: 'string' } },
      true,
    );
    if (positionals.length !== 1) throw new UsageError(`expected exactly one trace FILE, got ${positionals.length}\n${usage}`);
    const file = positionals[0]!;
    const events = await readTrace(file);
    const session = values.session === undefined ? null : integerOption('session', values.session, 1, 1);
    const detail = values.detail as Detail | undefined;
    if (detail !== undefined && !DETAILS.includes(detail)) throw new UsageError(`--detail must be one of ${DETAILS.join(', ')}, got '${values.detail}'`);
    const exporting = values.html !== undefined || values.svg !== undefined || values.mermaid !== undefined;
    if (exporting) {
      const targets = { html: values.html, svg: values.svg, mermaid: values.mermaid };
      const toStdout = Object.entries(targets).filter(([, path]) => path === STDOUT).map(([name]) => `--${name}`);
      if (toStdout.length > 1) throw new UsageError(`only one of ${toStdout.join(', ')} can be '-' (standard output)`);
      // With a picture on standard output, the list of files written goes to standard error.
      const say = toStdout.length > 0 ? console.error : console.log;
      try {
        for (const path of await writeTraceExports(events, targets, { title: file, session, ...(detail ? { detail } : {}) })) say(`wrote ${path}`);
      } catch (error) {
        if (error instanceof RangeError) throw new UsageError(`--session: ${error.message}`);
        throw error;
      }
      if (values.port === undefined) return EXIT_OK;
    }
    const port = integerOption('port', values.port, 0, 0, 65535);
    const viewer = await startViewer({ port, title: file, events }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') throw new UsageError(`--port ${port}: ${error.code}`);
      throw error;
    });
    console.log(`viewing ${file} (${events.length} events) at ${viewer.url}  (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => process.once('SIGINT', resolve));
    await viewer.close();
    return EXIT_OK;
  },
};

async function readTrace(given: string): Promise<TraceEvent[]> {
  // A repro/check/replay output directory holds its trace as trace.jsonl (cli/counterexample.ts).
  const file = (await stat(given).catch(() => null))?.isDirectory() ? join(given, 'trace.jsonl') : given;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return parseTraceFile(text);
  } catch (error) {
    if (error instanceof TraceFormatError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}
