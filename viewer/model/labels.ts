/* labels - how bytes and records read on a diagram
 *
 * SMTP bytes are latin1 text in the trace. On the diagram CR and LF are shown as the
 * escapes Postfix itself uses in its "improper command pipelining ... : EHLO x\r\n"
 * log line, so what an arrow carries and what the log quotes look the same.
 */

const MAX_LABEL_CHARS = 72;

/** Every byte visible: \r, \n, \t, and \xNN for other control bytes (C0, DEL, C1). */
export function escapeBytes(data: string): string {
  return data.replace(CONTROL_BYTES, (ch) => NAMED_ESCAPES[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const CONTROL_BYTES = /[\x00-\x1f\x7f-\x9f]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

/** A short label for one write: its first line, and how many more lines follow. */
export function writeLabel(data: string): string {
  const lines = data.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
  const first = escapeBytes(lines.length > 1 ? `${lines[0]}\n` : data);
  const more = lines.length > 1 ? ` …(+${lines.length - 1} lines)` : '';
  return clip(first, MAX_LABEL_CHARS - more.length) + more;
}

export function clip(text: string, max = MAX_LABEL_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** The SMTP reply code a write starts with ("554"), or null when it is not a reply. */
export function replyCode(data: string): string | null {
  const match = /^([2-5]\d\d)[ -]/.exec(data);
  return match ? match[1]! : null;
}

/** A compact one-line rendering of an arbitrary record (facts, faults, options). */
export function describeRecord(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return escapeBytes(String(value));
  return Object.entries(value as Record<string, unknown>)
    .map(([key, field]) => `${key}=${typeof field === 'object' && field !== null ? JSON.stringify(field) : escapeBytes(String(field))}`)
    .join(' ');
}
