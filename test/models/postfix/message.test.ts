/* message - DATA and BDAT as smtpd.c has them: replies, warnings, size limit, dot-unstuffing, chunk skipping
 *
 * postfix/src/smtpd/smtpd.c (v3.7.11): receive_data_message() stores each line as a record,
 * unstuffs a leading "." only at the start of a record (not in the continuation of a line longer
 * than line_length_limit), ends at "." alone, and counts len + 2 per line against
 * message_size_limit ("552 5.3.4 Error: message file too big"). bdat_cmd(): 521 when CHUNKING is
 * discarded or the syntax is bad (with a warning), "null BDAT request" for 0 without LAST,
 * "Discarded N bytes after earlier error", need RCPT / no valid recipients, "Chunk exceeds message
 * size limit" when act_size > limit - chunk; skip_bdat() reads the chunk away before the reply.
 */
import { describe, expect, it } from 'vitest';
import type { PostfixConfig } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RCPT = 'RCPT TO:<bob@example.test>\r\n';
const CLIENT = 'localhost[127.0.0.1]';

/** One step per line, then QUIT: replies between the banner and the 221, the log, the queue. */
function session(lines: readonly string[], config: Partial<PostfixConfig> = {}) {
  const conv = talk(config, lockstep([...lines, 'QUIT\r\n']));
  return { replies: conv.replies.slice(1, -1), logLines: conv.logLines, queue: conv.model.queue.messages, closed: conv.closed };
}

describe('DATA', () => {
  it('message_size_limit counts each line as its length + 2: exactly the limit is taken, one byte more is not', () => {
    expect(session([EHLO, MAIL, RCPT, 'DATA\r\n', 'abcdefgh\r\n.\r\n'], { message_size_limit: 10 }).replies.at(-1)).toMatch(/^250 2\.0\.0 Ok: queued as /);
    const big = session([EHLO, MAIL, RCPT, 'DATA\r\n', 'abcdefghi\r\n.\r\n'], { message_size_limit: 10 });
    expect(big.replies.at(-1)).toBe('552 5.3.4 Error: message file too big');
    expect(big.queue).toHaveLength(0);
  });
  it('one leading dot is taken off; a line of one dot ends the message', () => {
    expect(session([EHLO, MAIL, RCPT, 'DATA\r\n', '.x\r\n..\r\n.\r\n']).queue[0]?.content).toBe('x\r\n.\r\n');
  });
  it('a line over line_length_limit goes on as the same line: no dot-unstuffing and no end inside it', () => {
    const config = { line_length_limit: 40 };
    const conv = session([EHLO, MAIL, RCPT, 'DATA\r\n', `${'x'.repeat(40)}..y\r\n${'z'.repeat(40)}.\r\n.\r\n`], config);
    expect(conv.queue[0]?.content).toBe(`${'x'.repeat(40)}..y\r\n${'z'.repeat(40)}.\r\n`);
  });
  it('after the message the transaction is over: RCPT needs a new MAIL, and the queue ID is new next time', () => {
    const conv = session([EHLO, MAIL, RCPT, 'DATA\r\n', 'x\r\n.\r\n', RCPT, MAIL, RCPT, 'DATA\r\n', 'y\r\n.\r\n']);
    expect(conv.replies.filter((r) => r.startsWith('503'))).toEqual(['503 5.5.1 Error: need MAIL command']);
    expect(conv.queue.map((m) => m.content)).toEqual(['x\r\n', 'y\r\n']);
    expect(conv.queue[0]?.queueId).not.toBe(conv.queue[1]?.queueId);
  });
});

describe('BDAT', () => {
  it('a BDAT refused before MAIL (not LAST) keeps refusing MAIL until RSET: "MAIL after BDAT" (found by the smtpd differential)', () => {
    const conv = session([EHLO, 'BDAT 5\r\nhello', MAIL, 'RSET\r\n', MAIL]);
    expect(conv.replies.slice(-4)).toEqual(['503 5.5.1 Error: need RCPT command', '503 5.5.1 Error: MAIL after BDAT', '250 2.0.0 Ok', '250 2.1.0 Ok']);
    // BDAT LAST resets the transaction instead (skip_bdat() mail_reset()): MAIL is taken at once.
    expect(session([EHLO, 'BDAT 5 LAST\r\nhello', MAIL]).replies.slice(-2)).toEqual(['503 5.5.1 Error: need RCPT command', '250 2.1.0 Ok']);
  });
  it('chunks add up; LAST (any case) queues; each chunk is answered with its size', () => {
    const conv = session([EHLO, MAIL, RCPT, 'BDAT 3\r\nabc', 'BDAT 4 last\r\nde\r\n']);
    // The LAST reply counts act_size, len + 2 per record: 'abcde' is one record, 7 (common_post_message_handling()).
    expect(conv.replies.slice(-2)).toEqual(['250 2.0.0 Ok: 3 bytes', expect.stringMatching(/^250 2\.0\.0 Ok: 7 bytes queued as [0-9A-F]{11}$/)]);
    expect(conv.queue[0]?.content).toBe('abcde\r\n');
    expect(conv.logLines.at(-1)).toBe(`disconnect from ${CLIENT} ehlo=1 mail=1 rcpt=1 bdat=2 quit=1 commands=6`);
  });
  it('CHUNKING discarded: 521 and hang up', () => {
    const conv = talk({ smtpd_discard_ehlo_keywords: ['chunking'] }, lockstep([EHLO, MAIL, RCPT, 'BDAT 3 LAST\r\nabc', 'NOOP\r\n']));
    expect(conv.replies.at(-1)).toBe('521 5.5.1 Error: command not implemented');
    expect(conv.closed.has('c')).toBe(true);
  });
  it('bad syntax: no count, too many words, a count that is not digits, a third word other than LAST', () => {
    for (const command of ['BDAT', 'BDAT 1 LAST x', 'BDAT -1', 'BDAT 1x', 'BDAT 2 FIRST']) {
      const conv = talk({}, lockstep([EHLO, `${command}\r\n`, 'NOOP\r\n']));
      expect(conv.replies.at(-1), command).toBe('521 5.5.4 Syntax: BDAT count [LAST]');
      expect(conv.logLines, command).toContain(`warning: NOQUEUE: malformed BDAT command syntax from ${CLIENT}: ${command}`);
    }
  });
  it('the malformed-syntax warning names the queue ID once the queue file is open', () => {
    const conv = talk({}, lockstep([EHLO, MAIL, RCPT, 'BDAT x\r\n']));
    const queueId = conv.logLines.find((l) => l.includes(': client='))?.split(':')[0];
    expect(conv.logLines).toContain(`warning: ${queueId}: malformed BDAT command syntax from ${CLIENT}: BDAT x`);
  });
  it('0 without LAST is a null request; after it every chunk is discarded until a LAST one', () => {
    const conv = session([EHLO, MAIL, RCPT, 'BDAT 0\r\n', 'BDAT 3\r\nabc', 'BDAT 2 LAST\r\nde', 'RCPT TO:<bob@example.test>\r\n']);
    expect(conv.replies.slice(-4)).toEqual(['551 5.7.1 Null BDAT request', '551 5.0.0 Discarded 3 bytes after earlier error', '551 5.0.0 Discarded 2 bytes after earlier error', '503 5.5.1 Error: need MAIL command']);
    expect(conv.logLines.filter((l) => l.includes('null BDAT request'))).toEqual([expect.stringMatching(/^warning: [0-9A-F]{11}: null BDAT request from localhost\[127\.0\.0\.1\]$/)]);
    expect(conv.queue).toHaveLength(0);
  });
  it('0 LAST ends the message with what the chunks before brought', () => {
    expect(session([EHLO, MAIL, RCPT, 'BDAT 4\r\nab\r\n', 'BDAT 0 LAST\r\n']).queue[0]?.content).toBe('ab\r\n');
  });
  it('without recipients the chunk is read away, then the reply; the next command is read after it', () => {
    const conv = session([EHLO, MAIL, 'BDAT 6\r\nNOOP\r\n', 'NOOP\r\n']);
    expect(conv.replies.slice(-2)).toEqual(['554 5.5.1 Error: no valid recipients', '250 2.0.0 Ok']);
  });
  it('a chunk that would pass message_size_limit: 552 with a warning; a chunk up to it is taken', () => {
    // act_size counts whole records only: 'abcd' CR LF is 6, and 6 > 10 - 5.
    const over = session([EHLO, MAIL, RCPT, 'BDAT 6\r\nabcd\r\n', 'BDAT 5 LAST\r\nghijk'], { message_size_limit: 10 });
    expect(over.replies.slice(-2)).toEqual(['250 2.0.0 Ok: 6 bytes', '552 5.3.4 Chunk exceeds message size limit']);
    expect(over.logLines).toContainEqual(expect.stringMatching(/^warning: [0-9A-F]{11}: BDAT request from localhost\[127\.0\.0\.1\] exceeds message size limit$/));
    // 'abcdef' + 'gh' CR LF is one record of 8 bytes, counted 8 + 2: exactly the limit.
    expect(session([EHLO, MAIL, RCPT, 'BDAT 6\r\nabcdef', 'BDAT 4 LAST\r\ngh\r\n'], { message_size_limit: 10 }).queue[0]?.content).toBe('abcdefgh\r\n');
    // "act_size > message_size_limit - chunk_size": a chunk that ends exactly at the limit is taken.
    expect(session([EHLO, MAIL, RCPT, 'BDAT 10\r\nabcdefgh\r\n', 'BDAT 0 LAST\r\n'], { message_size_limit: 10 }).replies.slice(-2)).toEqual(['250 2.0.0 Ok: 10 bytes', expect.stringMatching(/^250 2\.0\.0 Ok: 10 bytes queued as /)]);
  });
  it('MAIL is refused while a BDAT message is in progress; DATA too', () => {
    expect(session([EHLO, MAIL, RCPT, 'BDAT 1\r\na', MAIL]).replies.at(-1)).toBe('503 5.5.1 Error: nested MAIL command');
    expect(session([EHLO, MAIL, RCPT, 'BDAT 1\r\na', 'DATA\r\n']).replies.at(-1)).toBe('503 5.5.1 Error: DATA after BDAT');
  });
});
