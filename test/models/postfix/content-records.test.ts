/* content-records - message content record by record, as receive_data_message() and bdat_cmd() store it
 *
 * postfix/src/smtpd/smtpd.c (v3.7.11; the same through 3.10): every line smtp_get() returns is a
 * record, counted len + 2 in act_size while state->err is clear (continuation records too); the
 * record that would pass message_size_limit sets CLEANUP_STAT_SIZE with "queue file size limit
 * exceeded", after which nothing is counted; a bare-LF record under smtpd_forbid_bare_newline = reject
 * sets CLEANUP_STAT_BARE_LF, answered 550 by common_post_message_handling() with log_whatsup()'s line.
 * BDAT cuts its chunks into records with smtp_get_noexcept() (trailing CRs taken off, CR LF split
 * across chunks joined) and ends the LAST chunk's unterminated tail as a record of its own; its final
 * 250 names act_size ("Ok: %ld bytes queued as %s"); a non-final chunk that fails is answered at once
 * and the chunks after it are skipped. DATA's first line: "From ..." becomes X-Mailbox-Line:, a
 * leading blank gets an empty record before it.
 */
import { describe, expect, it } from 'vitest';
import type { PostfixConfig } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RCPT = 'RCPT TO:<bob@example.test>\r\n';
const CLIENT = 'localhost[127.0.0.1]';
const REJECT_BARE_LF: Partial<PostfixConfig> = { smtpd_forbid_bare_newline: 'reject', smtpd_forbid_bare_newline_exclusions: [] };

/** One step per line, then QUIT: the replies between the banner and the 221, the log, the queue. */
function session(lines: readonly string[], config: Partial<PostfixConfig> = {}) {
  const conv = talk(config, lockstep([...lines, 'QUIT\r\n']));
  return { replies: conv.replies.slice(1, -1), logLines: conv.logLines, queue: conv.model.queue.messages };
}

/** The queue ID the first RCPT opened (from its "client=" line). */
const queueIdOf = (logLines: readonly string[]) => logLines.find((l) => l.includes(': client='))?.split(':')[0];

describe('BDAT records', () => {
  it('the last chunk\'s unterminated line is a record: stored with CR LF, counted len + 2 in the 250', () => {
    const conv = session([EHLO, MAIL, RCPT, 'BDAT 3 LAST\r\nabc']);
    expect(conv.queue[0]?.content).toBe('abc\r\n');
    expect(conv.replies.at(-1)).toMatch(/^250 2\.0\.0 Ok: 5 bytes queued as [0-9A-F]{11}$/);
  });

  it('every CR before a LF is taken off (smtp_get_noexcept() without bare-newline detection)', () => {
    expect(session([EHLO, MAIL, RCPT, 'BDAT 5 LAST\r\na\r\r\nb']).queue[0]?.content).toBe('a\r\nb\r\n');
  });

  it('a CR LF split between two chunks ends one record; a line runs on from chunk to chunk', () => {
    const conv = session([EHLO, MAIL, RCPT, 'BDAT 3\r\nab\r', 'BDAT 3\r\n\ncd', 'BDAT 3 LAST\r\nef\n']);
    expect(conv.queue[0]?.content).toBe('ab\r\ncdef\r\n');
    expect(conv.replies.at(-1)).toMatch(/^250 2\.0\.0 Ok: 10 bytes queued as /);
  });

  it('a CR at the very end of the last chunk is no line end: the record keeps it', () => {
    expect(session([EHLO, MAIL, RCPT, 'BDAT 3 LAST\r\nab\r']).queue[0]?.content).toBe('ab\r\r\n');
  });

  it('message_size_limit is checked record by record, not chunk by chunk: the record that passes it fails the message', () => {
    // 'abcdef' waits for its line end, so act_size is still 0 when BDAT 5 asks; 'abcdefghijk' is then 11 + 2.
    const over = session([EHLO, MAIL, RCPT, 'BDAT 6\r\nabcdef', 'BDAT 5 LAST\r\nghijk'], { message_size_limit: 10 });
    expect(over.replies.slice(-2)).toEqual(['250 2.0.0 Ok: 6 bytes', '552 5.3.4 Error: message file too big']);
    expect(over.logLines).toContain(`warning: ${queueIdOf(over.logLines)}: queue file size limit exceeded`);
    expect(over.queue).toHaveLength(0);
  });

  it('a chunk that is not the last and fails is answered at once; the chunks after it are skipped until LAST', () => {
    // 8 bytes pass the chunk check (0 > 10 - 8 is false), but as records they are 6 + 2 + 2 + 2.
    const conv = session([EHLO, MAIL, RCPT, 'BDAT 8\r\nabcd\n\n\n\n', 'BDAT 2\r\nxy', 'BDAT 1 LAST\r\nz', RCPT], { message_size_limit: 10 });
    expect(conv.replies.slice(-4)).toEqual([
      '552 5.3.4 Error: message file too big',
      '551 5.0.0 Discarded 2 bytes after earlier error',
      '551 5.0.0 Discarded 1 bytes after earlier error',
      '503 5.5.1 Error: need MAIL command',
    ]);
    expect(conv.queue).toHaveLength(0);
    // Each failed BDAT counts as a failure (bdat_cmd() and skip_bdat() return -1).
    expect(conv.logLines.at(-1)).toMatch(/ bdat=0\/3 /);
  });

  it('a line longer than line_length_limit in a chunk is two records, not cut short: 40 + 2 and 10 + 2', () => {
    const conv = session([EHLO, MAIL, RCPT, `BDAT 52 LAST\r\n${'x'.repeat(50)}\r\n`], { line_length_limit: 40 });
    expect(conv.queue[0]?.content).toBe(`${'x'.repeat(50)}\r\n`);
    expect(conv.replies.at(-1)).toMatch(/^250 2\.0\.0 Ok: 54 bytes queued as /);
  });

  it('a chunk longer than VSTREAM_BUFSIZE is cut into records 4096 bytes at a time: the lost-connection count shows it', () => {
    // 50 lines of 99 x and a bare LF; 4100 bytes arrive. The first 4096 are 40 records (101 each)
    // and 96 bytes of the 41st; 4 bytes of the next fragment are read: 4040 + 96 + 4.
    const chunk = `${'x'.repeat(99)}\n`.repeat(50);
    const conv = talk({}, [...lockstep([EHLO, MAIL, RCPT, `BDAT ${chunk.length}\r\n${chunk.slice(0, 4100)}`]), [1_000_000, 'EOF']]);
    expect(conv.logLines).toContain(`lost connection after BDAT (4140 bytes) from ${CLIENT}`);
  });

  it('the lost-connection count adds the record a chunk left unfinished (state->bdat_get_buffer)', () => {
    const conv = talk({}, [...lockstep([EHLO, MAIL, RCPT, 'BDAT 3\r\nabc', 'BDAT 10\r\nde']), [1_000_000, 'EOF']]);
    expect(conv.logLines).toContain(`lost connection after BDAT (5 bytes) from ${CLIENT}`);
  });

  it('between chunks the count adds what smtp_get() has read of the next command (state->buffer)', () => {
    const conv = talk({}, [...lockstep([EHLO, MAIL, RCPT, 'BDAT 7\r\nhello\r\n', 'NO']), [1_000_000, 'EOF']]);
    expect(conv.logLines).toContain(`lost connection after BDAT (9 bytes) from ${CLIENT}`);
  });

  it('smtpd_forbid_bare_newline = reject takes a message without a bare LF', () => {
    expect(session([EHLO, MAIL, RCPT, 'BDAT 4 LAST\r\na\r\nb'], REJECT_BARE_LF).queue[0]?.content).toBe('a\r\nb\r\n');
  });

  it('smtpd_forbid_bare_newline = reject: a chunk with a bare LF is refused with 550 and the reject line', () => {
    const conv = session([EHLO, MAIL, RCPT, 'BDAT 4\r\na\nb\n', 'BDAT 1 LAST\r\nc', RCPT], REJECT_BARE_LF);
    expect(conv.replies.slice(-3)).toEqual([
      '550 5.5.2 backend.example.test Error: bare <LF> received',
      '551 5.0.0 Discarded 1 bytes after earlier error',
      '503 5.5.1 Error: need MAIL command',
    ]);
    const queueId = queueIdOf(conv.logLines);
    expect(conv.logLines).toContain(`${queueId}: reject: BDAT content from ${CLIENT}: bare <LF> received; from=<alice@example.test> to=<bob@example.test> proto=ESMTP helo=<front.example.test>`);
  });
});

describe('DATA records', () => {
  it('a continuation record (a line cut at line_length_limit) counts len + 2 as well', () => {
    // 40 x (40 + 2) and 'klmno' (5 + 2) are 49: over 48, within 49.
    const lines = [EHLO, MAIL, RCPT, 'DATA\r\n', `${'x'.repeat(40)}klmno\r\n.\r\n`];
    expect(session(lines, { line_length_limit: 40, message_size_limit: 48 }).replies.at(-1)).toBe('552 5.3.4 Error: message file too big');
    expect(session(lines, { line_length_limit: 40, message_size_limit: 49 }).queue[0]?.content).toBe(`${'x'.repeat(40)}klmno\r\n`);
  });

  it('after the record that passes the limit nothing more is counted (the lost-connection count) and the warning is logged once', () => {
    const conv = talk({ message_size_limit: 10 }, [...lockstep([EHLO, MAIL, RCPT, 'DATA\r\n', 'abcdefghijkl\r\nab\r\nc\r\n']), [1_000_000, 'EOF']]);
    expect(conv.logLines).toContain(`lost connection after DATA (0 bytes) from ${CLIENT}`);
    expect(conv.logLines.filter((l) => l.endsWith('queue file size limit exceeded'))).toEqual([`warning: ${queueIdOf(conv.logLines)}: queue file size limit exceeded`]);
  });

  it('a "." next to a bare LF neither ends the message nor is stored, also after a CR LF line end', () => {
    const config = { smtpd_forbid_bare_newline: 'normalize' as const, smtpd_forbid_bare_newline_exclusions: [] };
    expect(session([EHLO, MAIL, RCPT, 'DATA\r\n', 'a\n.\r\nb\r\n.\r\n'], config).queue[0]?.content).toBe('a\r\nb\r\n');
  });

  it('a "." that continues a line cut at line_length_limit is text, bare LF or not; only a "." record of its own is dropped', () => {
    const config = { smtpd_forbid_bare_newline: 'normalize' as const, smtpd_forbid_bare_newline_exclusions: [], line_length_limit: 40 };
    const conv = session([EHLO, MAIL, RCPT, 'DATA\r\n', `${'x'.repeat(40)}.\n.\r\nb\r\n.\r\n`], config);
    expect(conv.queue[0]?.content).toBe(`${'x'.repeat(40)}.\r\nb\r\n`);
  });

  it('a first line "From ..." (after any ">") becomes an X-Mailbox-Line: header, not counted; "From:" is a header like any other', () => {
    const lines = (first: string) => [EHLO, MAIL, RCPT, 'DATA\r\n', `${first}\r\nabcdefgh\r\n.\r\n`];
    // 'abcdefgh' is 10 of the 12 allowed; the From line would be 8 more if it counted.
    expect(session(lines('From alice Mon'), { message_size_limit: 12 }).queue[0]?.content).toBe('X-Mailbox-Line: From alice Mon\r\nabcdefgh\r\n');
    expect(session(lines('>>From a'), { message_size_limit: 12 }).queue[0]?.content).toBe('X-Mailbox-Line: >>From a\r\nabcdefgh\r\n');
    expect(session(lines('From: alice')).queue[0]?.content).toBe('From: alice\r\nabcdefgh\r\n');
  });

  it('content that starts with a blank gets an empty line before it (no continuation of smtpd\'s own Received: header)', () => {
    expect(session([EHLO, MAIL, RCPT, 'DATA\r\n', '\tfolded\r\nb\r\n.\r\n']).queue[0]?.content).toBe('\r\n\tfolded\r\nb\r\n');
    expect(session([EHLO, MAIL, RCPT, 'DATA\r\n', 'From x\r\n b\r\n.\r\n']).queue[0]?.content).toBe('X-Mailbox-Line: From x\r\n\r\n b\r\n');
  });

  it('smtpd_forbid_bare_newline = reject: the message is read to its end, then refused with 550; the session goes on', () => {
    const conv = session([EHLO, MAIL, RCPT, 'DATA\r\n', 'a\nb\r\n.\r\n', 'NOOP\r\n'], REJECT_BARE_LF);
    expect(conv.replies.slice(-2)).toEqual(['550 5.5.2 backend.example.test Error: bare <LF> received', '250 2.0.0 Ok']);
    expect(conv.queue).toHaveLength(0);
    const queueId = queueIdOf(conv.logLines);
    expect(conv.logLines).toContain(`${queueId}: reject: END-OF-MESSAGE from ${CLIENT}: bare <LF> received; from=<alice@example.test> to=<bob@example.test> proto=ESMTP helo=<front.example.test>`);
  });

  it('a bare LF and a message too big: the bare LF is the answer', () => {
    expect(session([EHLO, MAIL, RCPT, 'DATA\r\n', 'abcdefghijkl\r\na\nb\r\n.\r\n'], { ...REJECT_BARE_LF, message_size_limit: 10 }).replies.at(-1))
      .toBe('550 5.5.2 backend.example.test Error: bare <LF> received');
  });
});

describe('the command loop\'s bare-LF reject line is log_whatsup()\'s', () => {
  it('with proto= and, once known, helo=', () => {
    expect(talk(REJECT_BARE_LF, lockstep(['NOOP\n'])).logLines).toContain(`NOQUEUE: reject: CONNECT from ${CLIENT}: bare <LF> received; proto=SMTP`);
    expect(talk(REJECT_BARE_LF, lockstep([EHLO, 'NOOP\n'])).logLines).toContain(`NOQUEUE: reject: EHLO from ${CLIENT}: bare <LF> received; proto=ESMTP helo=<front.example.test>`);
  });
});
