/* session-end - the abnormal-end line of smtpd_proto()'s epilogue, in each place a session can end
 *
 * postfix/src/smtpd/smtpd.c smtpd_proto() (v3.7.11, ~5999): with a reason and a place, "R after DATA
 * (N bytes)" counts act_size plus what is buffered unread (vstream_peek()); "R after BDAT (N bytes)"
 * counts act_size plus the chunk bytes smtp_fread_buf() has read (state->buffer); after
 * END-OF-MESSAGE a lost connection is not logged (a client may hang up without QUIT); anywhere else
 * "R after <command> from <client>".
 */
import { describe, expect, it } from 'vitest';
import type { PostfixConfig } from '../../../models/postfix/config.js';
import { lockstep, talk, type ScriptStep } from './talk.js';
import { postfixDefaults } from '../../../models/postfix/config.ts';
import { createPostfix } from '../../../models/postfix/smtpd.ts';

const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RCPT = 'RCPT TO:<bob@example.test>\r\n';
const CLIENT = 'from localhost[127.0.0.1]';

/** The lines then the end of input (or nothing, so smtpd_timeout ends it); the log's abnormal-end line. */
function endLine(lines: readonly string[], end: 'EOF' | 'timeout', config: Partial<PostfixConfig> = {}): string | undefined {
  const steps: ScriptStep[] = lockstep(lines);
  if (end === 'EOF') steps.push([200_000 + lines.length * 50_000, 'EOF']);
  const logs = talk({ smtpd_timeout: 10, ...config }, steps).logLines;
  return logs.at(-2);
}

describe('after BDAT', () => {
  it('inside a chunk: act_size plus the chunk bytes read so far', () => {
    expect(endLine([EHLO, MAIL, RCPT, 'BDAT 10\r\nhello'], 'EOF')).toBe(`lost connection after BDAT (5 bytes) ${CLIENT}`);
    expect(endLine([EHLO, MAIL, RCPT, 'BDAT 7\r\nhello\r\n', 'BDAT 10\r\nabc'], 'EOF')).toBe(`lost connection after BDAT (10 bytes) ${CLIENT}`);
    expect(endLine([EHLO, MAIL, RCPT, 'BDAT 10\r\nhello'], 'timeout')).toBe(`timeout after BDAT (5 bytes) ${CLIENT}`);
  });
  it('between chunks: the chunks so far', () => {
    expect(endLine([EHLO, MAIL, RCPT, 'BDAT 7\r\nhello\r\n'], 'EOF')).toBe(`lost connection after BDAT (7 bytes) ${CLIENT}`);
  });
  it('after a failed chunk that was not the last: the transaction is gone (act_size 0) but where stays BDAT ("NOT: state->where = SMTPD_AFTER_EOM", bdat_cmd())', () => {
    const rejectBareLf: Partial<PostfixConfig> = { smtpd_forbid_bare_newline: 'reject', smtpd_forbid_bare_newline_exclusions: [] };
    expect(endLine([EHLO, MAIL, RCPT, 'BDAT 6\r\nab\ncd\n'], 'EOF', rejectBareLf)).toBe(`lost connection after BDAT (0 bytes) ${CLIENT}`);
  });
  it('a chunk being skipped after an error is no message content: "after BDAT" without a count', () => {
    expect(endLine([EHLO, 'BDAT 10\r\nabc'], 'EOF')).toBe(`lost connection after BDAT ${CLIENT}`);
  });
});

describe('after DATA and after the message', () => {
  it('inside DATA: the whole lines so far (+2 each) and what is read but not yet a line', () => {
    expect(endLine([EHLO, MAIL, RCPT, 'DATA\r\n', 'abc\r\nde'], 'timeout')).toBe(`timeout after DATA (5 bytes) ${CLIENT}`);
  });
  it('a lost connection right after the message is not logged; a timeout there is', () => {
    const lines = [EHLO, MAIL, RCPT, 'DATA\r\n', 'x\r\n.\r\n'];
    const lost = talk({}, [...lockstep(lines), [600_000, 'EOF']]).logLines;
    expect(lost.some((l) => l.startsWith('lost connection'))).toBe(false);
    expect(lost.at(-1)).toMatch(/^disconnect from localhost\[127\.0\.0\.1\] ehlo=1 mail=1 rcpt=1 data=1 commands=4$/);
    expect(endLine(lines, 'timeout')).toBe(`timeout after END-OF-MESSAGE ${CLIENT}`);
  });
  it('a lost connection after any other command names it', () => {
    expect(endLine([EHLO, MAIL], 'EOF')).toBe(`lost connection after MAIL ${CLIENT}`);
    expect(endLine(['NOOP\r\n'], 'EOF')).toBe(`lost connection after NOOP ${CLIENT}`);
    expect(endLine([], 'EOF')).toBe(`lost connection after CONNECT ${CLIENT}`);
  });
});

describe('the kernel behind smtpd', () => {
  it('every accepted TCP connection has SO_KEEPALIVE (sane_accept()), though smtpd_timeout ends a silent peer long before it matters', () => {
    expect(createPostfix(postfixDefaults()).keepAliveOnAccept).toBe(true);
  });
});
