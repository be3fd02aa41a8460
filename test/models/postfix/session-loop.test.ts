/* session-loop - smtpd_proto()'s command loop and its reads, rule by rule
 *
 * postfix/src/smtpd/smtpd.c smtpd_proto() (v3.7.11): a command is read as a C string (it ends at the
 * first NUL; nothing before it is "bad syntax"); a failed command counts an error
 * (error_count++) and smtpd_hard_error_limit then answers 421; only the table's
 * SMTPD_CMD_FLAG_LIMIT rows count towards smtpd_junk_command_limit; a bare LF is refused only under
 * smtpd_forbid_bare_newline = reject. smtp_fread_buf() reads a BDAT chunk across reads, and no more
 * than the chunk; smtp_stream_setup() bounds each read, not the work between reads, with
 * smtpd_timeout. xclient_cmd() answers 220 after its own time.
 */
import { describe, expect, it } from 'vitest';
import { labPreset, measuredTimings } from '../../../models/postfix/config.js';
import { createPostfix } from '../../../models/postfix/smtpd.js';
import { DirectDriver } from '../front/direct-driver.js';
import { lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RCPT = 'RCPT TO:<bob@example.test>\r\n';

describe('reading a command', () => {
  it('a NUL first ends the command before it starts: 500 bad syntax, not an unknown or non-SMTP command', () => {
    expect(talk({}, lockstep([EHLO, '\0NOOP\r\n', 'QUIT\r\n'])).replies.slice(-2)).toEqual(['500 5.5.2 Error: bad syntax', '221 2.0.0 Bye']);
  });

  it('smtpd_forbid_bare_newline = normalize takes a command ending in a bare LF; only reject refuses it', () => {
    const normalize = talk({ smtpd_forbid_bare_newline: 'normalize', smtpd_forbid_bare_newline_exclusions: [] }, lockstep([EHLO, 'NOOP\n', 'QUIT\r\n']));
    expect(normalize.replies.slice(-2)).toEqual(['250 2.0.0 Ok', '221 2.0.0 Bye']);
  });
});

describe('error counts', () => {
  it('a command that fails counts an error: at smtpd_hard_error_limit the next read gets 421', () => {
    // smtpd_helo_required: MAIL before HELO fails (503) through the command's own reply, not a protocol error.
    const conv = talk({ smtpd_hard_error_limit: 2 }, lockstep([MAIL, MAIL, 'NOOP\r\n']));
    expect(conv.replies.slice(1)).toEqual([
      '503 5.5.1 Error: send HELO/EHLO first',
      '503 5.5.1 Error: send HELO/EHLO first',
      '421 4.7.0 backend.example.test Error: too many errors',
    ]);
  });

  it('only LIMIT rows count towards smtpd_junk_command_limit: any number of HELPs is no junk', () => {
    const helps = Array.from({ length: 6 }, () => 'HELP\r\n');
    const conv = talk({ mail_version: '3.9', smtpd_junk_command_limit: 1, smtpd_hard_error_limit: 3 }, lockstep([...helps, 'QUIT\r\n']));
    expect(conv.replies.slice(1, -1).map((r) => r.slice(0, 4))).toEqual(Array.from({ length: 6 }, () => '214 '));
    expect(conv.replies.at(-1)).toBe('221 2.0.0 Bye');
  });
});

describe('a BDAT chunk across reads (smtp_fread_buf())', () => {
  const session = (steps: readonly string[]) => talk({}, lockstep([EHLO, MAIL, RCPT, ...steps, 'QUIT\r\n']));

  it('a chunk split over two reads is answered when its last byte is in, and the command behind it in the same read is read next', () => {
    const conv = session(['BDAT 6\r\nabc', 'defNOOP\r\n', 'BDAT 0 LAST\r\n']);
    expect(conv.replies.slice(-4)).toEqual(['250 2.0.0 Ok: 6 bytes', '250 2.0.0 Ok', expect.stringMatching(/^250 2\.0\.0 Ok: 8 bytes queued as /), '221 2.0.0 Bye']);
    expect(conv.model.queue.messages[0]?.content).toBe('abcdef\r\n');
  });

  it('a chunk longer than one read (4096 bytes) in one segment is read whole from the socket', () => {
    const chunk = `${'x'.repeat(98)}\r\n`.repeat(50);
    const conv = session([`BDAT ${chunk.length} LAST\r\n${chunk}NOOP\r\n`]);
    expect(conv.replies.slice(-3)).toEqual([expect.stringMatching(/^250 2\.0\.0 Ok: 5000 bytes queued as /), '250 2.0.0 Ok', '221 2.0.0 Bye']);
  });
});

describe('timers', () => {
  it('smtpd_timeout runs only while smtpd waits for input: reading a command stops it', () => {
    const d = new DirectDriver(createPostfix(labPreset()));
    d.input({ kind: 'accepted', conn: 'c', local: { host: '127.0.0.1', port: 10025 }, remote: { host: '127.0.0.1', port: 40000 } }).advanceBy(100_000);
    expect(d.pendingTimers()).toEqual(['c/smtpd_timeout']);
    d.bytes('c', 'NOOP\r\n');
    expect(d.pendingTimers()).toEqual(['c/busy']);
  });

  it('XCLIENT\'s 220 leaves xclientDelayUs + xclientReplyDelayUs after the command (A1: 46 us)', () => {
    const t = measuredTimings;
    const conv = talk(labPreset(), [[200_000, EHLO], [300_000, 'XCLIENT ADDR=127.0.0.1\r\n']]);
    expect(conv.writes.find((w) => w.t >= 300_000)).toEqual({ t: 300_000 + t.xclientLookupDelayUs + t.xclientDelayUs + t.xclientReplyDelayUs, conn: 'c', data: '220 backend.example.test ESMTP lab-postfix\r\n' });
  });
});
