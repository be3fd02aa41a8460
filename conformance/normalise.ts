/* normalise - make real and lab transcripts comparable: host names, queue ids, pids, times
 *
 * What may legitimately differ between a real run and the lab is replaced by a placeholder;
 * everything else (codes, enhanced codes, texts, the order of lines) must match as is.
 */

const ENHANCED_CODE = /^\d\.\d{1,3}\.\d{1,3}$/;
const HOST_NAME = /\b[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))+\b/g;
// Postfix queue ids: short form (hex, 6+), as in "queued as E48D920C078".
const QUEUE_ID = /\b[0-9A-F]{6,12}\b/g;

/** One reply line with host names and queue ids replaced ("220 <host> Dovecot (Debian) ready."). */
export function normaliseReplyLine(line: string): string {
  const [, code = '', text = line] = /^(\d{3}[ -]?)(.*)$/s.exec(line) ?? [];
  return code + text
    .replace(QUEUE_ID, '<queue-id>')
    .replace(HOST_NAME, (name) => (ENHANCED_CODE.test(name) || /^\d+(\.\d+)+$/.test(name) ? name : '<host>'));
}

/** Full reply texts (multi-line replies in one string or not) → normalised reply lines in order. */
export function normaliseReplies(replies: readonly string[]): string[] {
  return replies
    .flatMap((reply) => reply.split(/\r?\n/))
    .filter((line) => line.length > 0)
    .map(normaliseReplyLine);
}

/**
 * One Postfix log line → "program: text" without the syslog time/host prefix and the pid,
 * queue ids replaced. Accepts the real file's form ("Nov 27 17:18:20 backend postfix/smtpd[19022]:
 * connect from …") and the lab's form ("postfix/smtpd: connect from …").
 */
export function normalisePostfixLogLine(line: string): string {
  const withoutPrefix = line.replace(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ /, '');
  const match = /^(postfix[^\s:[]*)(?:\[\d+\])?: (.*)$/.exec(withoutPrefix);
  if (!match) return withoutPrefix;
  return `${match[1]}: ${match[2]!.replace(QUEUE_ID, '<queue-id>')}`;
}

/** The smtpd session lines only: what the lab's Postfix model owns (cleanup/qmgr/virtual are other daemons). */
export function smtpdLines(lines: readonly string[]): string[] {
  return lines.map(normalisePostfixLogLine).filter((l) => l.startsWith('postfix/smtpd: '));
}
