/* data-lines - which DATA lines receive_data_message() treats specially, and which it does not
 *
 * postfix/src/smtpd/smtpd.c receive_data_message() (v3.7.11): prev_got_bare_lf starts at 0; only
 * while `first` is set (the first line, and again after each "From " line, which `continue`s
 * before first = 0) does a line that starts, after any ">", with "From " become an X-Mailbox-Line:
 * record, and a line starting with a blank get an empty record before it; a "." record of its own
 * next to a bare LF is dropped (IS_BARE_LF_WANT_STD_EOD), any other dotted record is unstuffed.
 * Every content line is read with smtp_get(..., SMTP_GET_FLAG_NONE): a line over line_length_limit
 * goes on in the next record, nothing of it is skipped.
 */
import { describe, expect, it } from 'vitest';
import type { PostfixConfig } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RCPT = 'RCPT TO:<bob@example.test>\r\n';
const NORMALIZE: Partial<PostfixConfig> = { smtpd_forbid_bare_newline: 'normalize', smtpd_forbid_bare_newline_exclusions: [] };

/** The content queued for a message sent with DATA, or undefined when none was queued. */
function queued(content: string, config: Partial<PostfixConfig> = {}): string | null | undefined {
  const conv = talk(config, lockstep([EHLO, MAIL, RCPT, 'DATA\r\n', content, 'QUIT\r\n']));
  return conv.model.queue.messages[0]?.content;
}

describe('receive_data_message()', () => {
  it('a "." right after the 354 ends an empty message (no bare LF came before it)', () => {
    expect(queued('.\r\n')).toBe('');
  });
  it('only the first line is looked at for "From " and a leading blank', () => {
    expect(queued('a\r\nFrom x\r\n b\r\n.\r\n')).toBe('a\r\nFrom x\r\n b\r\n');
  });
  it('"From " must open the line, after nothing but ">"', () => {
    expect(queued('Re: From x\r\n.\r\n')).toBe('Re: From x\r\n');
    expect(queued('>x>From x\r\n.\r\n')).toBe('>x>From x\r\n');
  });
  it('a "From " line over line_length_limit is an X-Mailbox-Line: continued, with no line end inside it', () => {
    const from = `From ${'x'.repeat(50)}`;
    expect(queued(`${from}\r\nbody\r\n.\r\n`, { line_length_limit: 40 })).toBe(`X-Mailbox-Line: ${from}\r\nbody\r\n`);
  });
  it('a long line after the X-Mailbox-Line is stored whole, in continuation records', () => {
    const long = 'y'.repeat(50);
    expect(queued(`From x\r\n${long}\r\n.\r\n`, { line_length_limit: 40 })).toBe(`X-Mailbox-Line: From x\r\n${long}\r\n`);
  });
  it('next to a bare LF only a "." of its own is dropped: "..x" is unstuffed text', () => {
    expect(queued('a\n..x\r\n.\r\n', NORMALIZE)).toBe('a\r\n.x\r\n');
  });
  it('a long line after a dropped "." is stored whole', () => {
    const long = 'y'.repeat(50);
    expect(queued(`a\n.\r\n${long}\r\n.\r\n`, { ...NORMALIZE, line_length_limit: 40 })).toBe(`a\r\n${long}\r\n`);
  });
});
