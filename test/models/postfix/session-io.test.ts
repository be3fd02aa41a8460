/* session-io - how smtpd reads: bare newlines per smtpd_forbid_bare_newline, smtpd_timeout per read, one write per flush
 *
 * postfix/src/global/smtp_stream.c smtp_get_noexcept() (v3.7.11): without bare-newline detection a
 * line ends at LF and every CR before it is dropped, so "." LF ends DATA; with detection (3.9's
 * "normalize", unless the client is in smtpd_forbid_bare_newline_exclusions, default $mynetworks)
 * only CR LF "." CR LF does. smtp_stream_setup(): smtpd_timeout bounds each read, not the session.
 * smtpd.c smtpd_flag_ill_pipelining(): input already buffered is looked at without a read, so
 * replies queued so far are not flushed before the 554; they leave with it, in one write.
 */
import { describe, expect, it } from 'vitest';
import { labPreset, measuredTimings, postfixDefaults } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RCPT = 'RCPT TO:<bob@example.test>\r\n';
const SYNC = '554 5.5.0 Error: SMTP protocol synchronization';

describe('bare newlines', () => {
  it('smtpd_forbid_bare_newline = no (3.7.11\'s default): "." LF ends DATA and CRs before a LF are dropped, for any client', () => {
    const conv = talk(labPreset(), lockstep([EHLO, MAIL, RCPT, 'DATA\r\n', 'a\nx\r\r\n.\n', 'NOOP\r\r\n', 'QUIT\r\n']), '192.0.2.9');
    expect(conv.model.queue.messages[0]?.content).toBe('a\r\nx\r\n');
    expect(conv.replies.slice(-3, -1)).toEqual([expect.stringMatching(/^250 2\.0\.0 Ok: queued as /), '250 2.0.0 Ok']);
  });
  it('normalize (3.9\'s default) for a client outside the exclusions: "." LF does not end DATA', () => {
    const config = { ...labPreset(), ...postfixDefaults('3.9'), smtpd_helo_required: false, mynetworks: ['127.0.0.0/8'], smtpd_forbid_bare_newline_exclusions: ['192.0.2.0/24'] };
    const conv = talk(config, lockstep(['HELO c\r\n', MAIL, RCPT, 'DATA\r\n', 'a\n.\nb\r\n.\r\n']));
    // The "." is dropped, not stored as an empty line (receive_data_message(): "Do not store").
    expect(conv.model.queue.messages[0]?.content).toBe('a\r\nb\r\n');
  });
  it('normalize for a client in smtpd_forbid_bare_newline_exclusions: no detection, "." LF ends DATA', () => {
    const config = { ...labPreset(), ...postfixDefaults('3.9'), smtpd_helo_required: false, mynetworks: ['127.0.0.0/8'] };
    const conv = talk(config, lockstep(['HELO c\r\n', MAIL, RCPT, 'DATA\r\n', 'a\n.\n']));
    expect(conv.model.queue.messages[0]?.content).toBe('a\r\n');
  });
});

describe('smtpd_timeout bounds each read', () => {
  it('commands 8 s apart under a 10 s timeout: no timeout, however long the session', () => {
    const conv = talk({ smtpd_timeout: 10 }, lockstep([EHLO, 'NOOP\r\n', 'NOOP\r\n', 'NOOP\r\n', 'QUIT\r\n'], 200_000, 8_000_000));
    expect(conv.replies.at(-1)).toBe('221 2.0.0 Bye');
    expect(conv.logLines.some((l) => l.startsWith('timeout'))).toBe(false);
  });
  it('inside a BDAT chunk: 421 exactly smtpd_timeout after the last bytes', () => {
    const conv = talk({ smtpd_timeout: 10 }, [...lockstep([EHLO, MAIL, RCPT]), [400_000, 'BDAT 10\r\nab'], [500_000, 'cd']]);
    const timeout = conv.writes.at(-1);
    expect(timeout?.data).toBe('421 4.4.2 backend.example.test Error: timeout exceeded\r\n');
    expect(timeout?.t).toBe(500_000 + 10_000_000);
  });
  it('inside DATA: 421 exactly smtpd_timeout after the last line', () => {
    const conv = talk({ smtpd_timeout: 10 }, [...lockstep([EHLO, MAIL, RCPT, 'DATA\r\n']), [600_000, 'line\r\n']]);
    expect(conv.writes.at(-1)?.t).toBe(600_000 + 10_000_000);
  });
});

describe('the per-command check and the output', () => {
  it('replies queued before the 554 leave with it in one write (no read, so no flush, while input is buffered)', () => {
    const conv = talk(labPreset(), [[200_000, EHLO], [250_000, `${MAIL}${RCPT}DATA\r\nSubject: x\r\n`]]);
    expect(conv.writes.at(-1)?.data).toBe(`250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n${SYNC}\r\n`);
    expect(conv.logLines).toContain('improper command pipelining after DATA from localhost[127.0.0.1]: Subject: x\\r\\n');
  });
  it('a release without smtpd_forbid_unauth_pipelining (3.7.5) flags nothing in a lock-step SMTP session', () => {
    const conv = talk({ ...labPreset(), mail_version: '3.7.5', smtpd_forbid_unauth_pipelining: false }, lockstep(['HELO c\r\n', MAIL, RCPT, 'DATA\r\n', 'x\r\n.\r\n', 'QUIT\r\n']));
    expect(conv.logLines.filter((l) => l.includes('improper'))).toEqual([]);
    expect(conv.replies.at(-1)).toBe('221 2.0.0 Bye');
  });
  it('the reply to a quick command follows after quickDelayUs', () => {
    const conv = talk(labPreset(), [[200_000, 'NOOP\r\n']]);
    expect(conv.writes.find((w) => w.data === '250 2.0.0 Ok\r\n')?.t).toBe(200_000 + measuredTimings.quickDelayUs);
  });
});
