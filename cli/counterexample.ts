/* counterexample - show a failing generated trace: rerun it traced, draw it, list the logs, write the files
 *
 * Shared by `repro`, `check` and `replay`, so a counterexample looks the same whichever found it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scenario } from '../scenarios/index.ts';
import { withoutTrace, type RunReport } from '../scenarios/run.ts';
import { runCase, type LabCase } from '../properties/lab-case.ts';
import { buildDiagram } from '../viewer/model/diagram.ts';
import { renderTerminal } from '../viewer/export/terminal.ts';
import { writeTraceExportsTo } from '../viewer/export/files.ts';
import { traceJsonLines } from '../viewer/export/jsonl.ts';
import { replayLinkLine } from '../playground/link.ts';
import { describeLabCase } from './lab-case-text.ts';

export interface ShownCounterexample {
  readonly report: RunReport;
  readonly text: string;
  readonly files: readonly string[];
}

export interface CounterexampleOptions {
  readonly outDir: string;
  readonly replay: string;
  readonly title: string;
  readonly colour: boolean;
  readonly extra?: Record<string, unknown>;
  /** The traced run when the caller made it (an explored schedule); default: the case run from its seed. */
  readonly report?: RunReport;
  /** What the case is, above its description (default: a shrunk generated trace). */
  readonly heading?: string;
  /** Lines after the case's description (an explored schedule's deviations). */
  readonly caseNotes?: readonly string[];
}

export async function showCounterexample(scenario: Scenario, labCase: LabCase, options: CounterexampleOptions): Promise<ShownCounterexample> {
  const report = options.report ?? runCase(scenario, labCase, true);
  const events = report.trace ?? [];
  const diagram = buildDiagram(events);
  await mkdir(options.outDir, { recursive: true });
  const files = await writeTraceExportsTo(options.outDir, events, { title: options.title });
  const jsonl = join(options.outDir, 'trace.jsonl');
  await writeFile(jsonl, traceJsonLines(events));
  const reportFile = join(options.outDir, 'report.json');
  await writeFile(reportFile, JSON.stringify({ ...options.extra, replay: options.replay, case: labCase, report: withoutTrace(report) }, null, 2) + '\n');
  const text = [
    `${options.title}`,
    '',
    options.heading ?? 'generated trace (shrunk):',
    ...describeLabCase(labCase).map((line) => `  ${line}`),
    ...(options.caseNotes ?? []).map((line) => `  ${line}`),
    '',
    renderTerminal(diagram, { colour: options.colour }),
    '',
    'Postfix log:',
    ...report.postfix.log.map((line) => `  ${line}`),
    'front proxy log:',
    ...report.front.log.map((line) => `  ${line}`),
    '',
    `client AUTH reply: ${report.client.authReply ?? '(none)'}${report.client.authToReplyMs === null ? '' : ` after ${report.client.authToReplyMs.toFixed(3)} ms`}; backend connections: ${report.backend.connections}`,
    `files: ${[...files, jsonl, reportFile].join(', ')}`,
    `replay: smtp-lab replay ${options.replay}`,
    replayLinkLine(options.replay),
  ].join('\n');
  return { report, text, files: [...files, jsonl, reportFile] };
}
