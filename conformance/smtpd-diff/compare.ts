/* compare - where a real smtpd's session and the model's first part ways
 *
 * Replies are compared line by line, code, enhanced code and text, after removing only what is
 * per run: the queue id in "queued as <id>" (smtpd.c data_cmd()/bdat_cmd() print the id the
 * cleanup server chose). Whether the server had closed the connection is compared as well.
 */
import { showBytes, type StepResult } from './session.ts';

export interface Disagreement {
  /** Index of the first differing step (0: the banner). */
  readonly step: number;
  /** What was sent at that step. */
  readonly sent: string;
  readonly real: string;
  readonly lab: string;
}

/** A reply line with the per-run queue id replaced. */
export function normaliseReply(line: string): string {
  return line.replace(/\bqueued as [0-9A-Za-z]+\b/, 'queued as <queue-id>');
}

/** A step's result as one comparable string: its reply lines, and how it ended. */
export function outcome(result: StepResult | undefined): string {
  if (result === undefined) return '(not reached)';
  if (result.skipped) return '(not sent)';
  const reply = result.reply.map(normaliseReply).join('\n');
  if (result.closed) return reply === '' ? '(closed)' : `${reply}\n(closed)`;
  return reply === '' ? '(no reply)' : reply;
}

/** The first step where the two sessions differ, or null when they agree throughout. */
export function firstDisagreement(real: readonly StepResult[], lab: readonly StepResult[]): Disagreement | null {
  for (let step = 0; step < Math.max(real.length, lab.length); step++) {
    const [r, l] = [outcome(real[step]), outcome(lab[step])];
    if (r !== l) return { step, sent: (real[step] ?? lab[step])!.sent, real: r, lab: l };
  }
  return null;
}

/** The disagreement and the session up to it, for a failure message. */
export function describeDisagreement(d: Disagreement, real: readonly StepResult[]): string {
  const before = real.slice(0, d.step).map((r) => `  ${r.sent === '' ? '(connect)' : showBytes(r.sent)} -> ${outcome(r).replace(/\n/g, ' | ')}`);
  return [
    ...before,
    `  ${d.sent === '' ? '(connect)' : showBytes(d.sent)}`,
    `    real: ${d.real.replace(/\n/g, ' | ')}`,
    `    lab:  ${d.lab.replace(/\n/g, ' | ')}`,
  ].join('\n');
}
