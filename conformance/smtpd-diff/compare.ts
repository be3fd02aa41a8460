/* compare - where a real smtpd's session and the model's first part ways
 *
 * Replies are compared line by line, code, enhanced code and text, after removing only what is
 * per run: the queue id in "queued as <id>" (smtpd.c data_cmd()/bdat_cmd() print the id the
 * cleanup server chose). Whether the server had closed the connection is compared as well.
 * When every reply agrees, smtpd's "improper command pipelining after <CMD> from <host>[<addr>]:
 * <next bytes>" lines are compared, exact text (smtpd.c smtpd_flag_ill_pipelining(), v3.7.11:
 * the first 100 bytes smtpd had read, unescape.c escape()d); they are the step after the last.
 */
import { showBytes, type SessionRun, type StepResult } from './session.ts';

export interface Disagreement {
  /** Index of the first differing step (0: the banner). */
  readonly step: number;
  /** What was sent at that step; in a burst, the part whose reply differs. */
  readonly sent: string;
  /** The burst's whole write, when the step is a burst. */
  readonly burst?: string;
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

/** A burst's outcome reply by reply (its lines joined), then its end: "(closed)" or, with no reply at all, "(no reply)". */
export function replies(result: StepResult | undefined): string[] {
  if (result === undefined) return ['(not reached)'];
  const out: string[] = [];
  let lines: string[] = [];
  for (const line of result.reply.map(normaliseReply)) {
    lines.push(line);
    if (/^\d{3}-/.test(line)) continue;
    out.push(lines.join('\n'));
    lines = [];
  }
  if (lines.length > 0) out.push(lines.join('\n'));
  if (result.closed) out.push('(closed)');
  return out.length === 0 ? ['(no reply)'] : out;
}

/** Where a burst's two outcomes part: the part whose reply differs first (the whole write past the last part). */
function burstDisagreement(step: number, real: StepResult | undefined, lab: StepResult | undefined): Disagreement {
  const result = (real ?? lab)!;
  const [r, l] = [replies(real), replies(lab)];
  let i = 0;
  while (i < Math.max(r.length, l.length) - 1 && r[i] === l[i]) i++;
  return { step, sent: result.parts[i] ?? result.sent, burst: result.sent, real: r[i] ?? '(no reply)', lab: l[i] ?? '(no reply)' };
}

/** What `sent` is for the comparison of the logs. */
export const LOG_STEP = '(log)';

/** The "improper command pipelining" lines of a session's log, one comparable string. */
export function pipeliningLog(log: readonly string[]): string {
  const lines = log.filter((l) => l.startsWith('improper command pipelining after '));
  return lines.length === 0 ? '(none)' : lines.join('\n');
}

/** The first step where the two sessions differ (the logs after the last step), or null when they agree throughout. */
export function firstDisagreement(real: SessionRun, lab: SessionRun): Disagreement | null {
  const [rs, ls] = [real.results, lab.results];
  const steps = Math.max(rs.length, ls.length);
  for (let step = 0; step < steps; step++) {
    const [r, l] = [outcome(rs[step]), outcome(ls[step])];
    if (r === l) continue;
    if ((rs[step] ?? ls[step])!.parts.length > 1) return burstDisagreement(step, rs[step], ls[step]);
    return { step, sent: (rs[step] ?? ls[step])!.sent, real: r, lab: l };
  }
  const [r, l] = [pipeliningLog(real.log), pipeliningLog(lab.log)];
  return r === l ? null : { step: steps, sent: LOG_STEP, real: r, lab: l };
}

/** The disagreement and the session up to it, for a failure message. */
export function describeDisagreement(d: Disagreement, real: readonly StepResult[]): string {
  const shown = (sent: string) => (sent === '' ? '(connect)' : sent === LOG_STEP ? sent : showBytes(sent));
  const before = real.slice(0, d.step).map((r) => `  ${shown(r.sent)} -> ${outcome(r).replace(/\n/g, ' | ')}`);
  return [
    ...before,
    ...(d.burst === undefined ? [] : [`  burst ${showBytes(d.burst)}, its part:`]),
    `  ${shown(d.sent)}`,
    `    real: ${d.real.replace(/\n/g, ' | ')}`,
    `    lab:  ${d.lab.replace(/\n/g, ' | ')}`,
  ].join('\n');
}
