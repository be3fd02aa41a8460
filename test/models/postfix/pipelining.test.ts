/* pipelining - both smtpd pipelining checks, XCLIENT's return to the greeting stage */
import { describe, expect, it } from 'vitest';
import { labPreset, mailuPreset, measuredTimings, versionDefaults } from '../../../models/postfix/config.js';
import { EHLO_LAB, lockstep, talk } from './talk.js';

const XCLIENT = 'XCLIENT HELO=client.example.test PROTO=ESMTP LOGIN=alice@example.test PORT=50382 ADDR=127.0.0.1\r\n';
const EHLO = 'EHLO front.example.test\r\n';
const BANNER = '220 backend.example.test ESMTP lab-postfix';
const SYNC = '554 5.5.0 Error: SMTP protocol synchronization';
const IMPROPER_AFTER_XCLIENT = 'improper command pipelining after XCLIENT from localhost[127.0.0.1]: EHLO front.example.test\\r\\n';

/** Dovecot's proxy: EHLO, then XCLIENT and EHLO `gapUs` apart without waiting. */
const dovecotScript = (gapUs: number) => [[200_000, EHLO], [300_000, XCLIENT], [300_000 + gapUs, EHLO], [400_000, 'QUIT\r\n']] as const;

describe('check 1: before the greeting, at connect and after XCLIENT', () => {
  for (const [version, rejects] of [['3.7.11', false], ['3.8.6', false], ['3.9', true]] as const) {
    it(`Postfix ${version} default: EHLO pipelined after XCLIENT is ${rejects ? 'rejected' : 'logged only'}`, () => {
      const config = { ...labPreset(), mail_version: version, ...versionDefaults(version) };
      const run = talk(config, dovecotScript(10));
      expect(run.logLines).toContain(IMPROPER_AFTER_XCLIENT);
      if (rejects) {
        expect(run.replies).toEqual([BANNER, ...EHLO_LAB, SYNC]);
        expect(run.closed.has('c')).toBe(true);
        expect(run.logLines.at(-1)).toBe('disconnect from localhost[127.0.0.1] ehlo=1 xclient=0/1 commands=1/2');
      } else {
        expect(run.replies).toEqual([BANNER, ...EHLO_LAB, BANNER, ...EHLO_LAB, '221 2.0.0 Bye']);
        expect(run.logLines.at(-1)).toBe('disconnect from localhost[127.0.0.1] ehlo=2 xclient=0/1 quit=1 commands=3/4');
      }
    });
  }

  it('an EHLO that arrives after smtpd finished XCLIENT is not pipelining (A1: +53 us > 46 us)', () => {
    const run = talk(labPreset(), dovecotScript(53));
    expect(run.logLines.some((l) => l.includes('improper'))).toBe(false);
    expect(run.replies).toEqual([BANNER, ...EHLO_LAB, BANNER, ...EHLO_LAB, '221 2.0.0 Bye']);
  });

  it('the 220 after XCLIENT and the pipelined EHLO reply leave in ONE write (B1/E2: 299 bytes)', () => {
    const run = talk(labPreset({ smtpd_forbid_unauth_pipelining: false }), dovecotScript(10));
    expect(run.writes.map((w) => w.data.length)).toEqual([44, 255, 299, 15]);
  });

  it('a slow xclient table lookup (xclientLookupDelayUs) makes even a late EHLO pipelined (E1)', () => {
    const timings = { ...measuredTimings, xclientLookupDelayUs: 100_000 };
    const run = talk(labPreset({ timings }), [[200_000, EHLO], [300_000, XCLIENT], [340_000, EHLO]]);
    expect(run.logLines).toContain(IMPROPER_AFTER_XCLIENT);
    const reject = run.writes.find((w) => w.data.startsWith('554'));
    expect(reject?.t).toBe(300_000 + 100_000 + measuredTimings.xclientDelayUs + measuredTimings.xclientReplyDelayUs);
    // The same lookup delays the banner at connect.
    expect(run.writes[0]?.t).toBe(100_000 + measuredTimings.bannerDelayUs);
  });

  it('input before the first greeting is pipelining "after CONNECT"', () => {
    const run = talk(labPreset(), [[1_000, EHLO]]);
    expect(run.logLines).toContain('improper command pipelining after CONNECT from localhost[127.0.0.1]: EHLO front.example.test\\r\\n');
    expect(run.replies).toEqual([SYNC]);
    expect(run.logLines.at(-1)).toBe('disconnect from localhost[127.0.0.1] commands=0/0');
  });

  it('logs at most the first 100 unread bytes, escaped', () => {
    const long = `NOOP ${'x'.repeat(150)}\r\n`;
    const run = talk(labPreset(), [[1_000, long]]);
    const line = run.logLines.find((l) => l.startsWith('improper'));
    expect(line).toBe(`improper command pipelining after CONNECT from localhost[127.0.0.1]: NOOP ${'x'.repeat(95)}`);
  });

  it('emits an improperPipelining fact with the same text', () => {
    const run = talk(labPreset(), dovecotScript(10));
    expect(run.facts.map((f) => f.fact)).toContainEqual({ kind: 'improperPipelining', where: 'XCLIENT', unread: 'EHLO front.example.test\\r\\n' });
  });

  it('milters are contacted after the check: bytes arriving during milter setup are not seen', () => {
    const timings = { ...measuredTimings, milterSetupDelayUs: 5_000 };
    const config = labPreset({ smtpd_milters: ['inet:127.0.0.1:8891'], timings });
    const during = talk(config, [[measuredTimings.bannerDelayUs + 1_000, EHLO]]);
    expect(during.logLines.some((l) => l.includes('improper'))).toBe(false);
    expect(during.writes[0]?.t).toBe(measuredTimings.bannerDelayUs + 5_000);
    const before = talk(config, [[measuredTimings.bannerDelayUs - 1_000, EHLO]]);
    expect(before.replies).toEqual([SYNC]);
  });
});

describe('check 2: before a command when not ESMTP or the command is LAST', () => {
  const mailRcpt = 'MAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\n';

  it('after HELO (protocol SMTP) even MAIL may not be pipelined', () => {
    const run = talk(labPreset(), [[200_000, 'HELO client\r\n'], [250_000, mailRcpt]]);
    expect(run.logLines).toContain('improper command pipelining after MAIL from localhost[127.0.0.1]: RCPT TO:<bob@example.test>\\r\\n');
    expect(run.replies).toEqual([BANNER, '250 backend.example.test', SYNC]);
  });

  it('after EHLO, MAIL and RCPT may be pipelined and their replies leave together', () => {
    const run = talk(labPreset(), [[200_000, EHLO], [250_000, mailRcpt]]);
    expect(run.logLines.some((l) => l.includes('improper'))).toBe(false);
    expect(run.writes.find((w) => w.data.startsWith('250 2.1.0'))?.data).toBe('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n');
  });

  it('a LAST command (NOOP) followed by more input is pipelining even in ESMTP', () => {
    const run = talk(labPreset(), [[200_000, EHLO], [250_000, 'NOOP\r\nNOOP\r\n']]);
    expect(run.logLines).toContain('improper command pipelining after NOOP from localhost[127.0.0.1]: NOOP\\r\\n');
    expect(run.replies.at(-1)).toBe(SYNC);
  });

  it('is logged once per session; with forbid=no the session goes on', () => {
    const run = talk(labPreset({ smtpd_forbid_unauth_pipelining: false }), [[200_000, EHLO], [250_000, 'NOOP\r\nNOOP\r\n'], [300_000, 'NOOP\r\nQUIT\r\n']]);
    expect(run.logLines.filter((l) => l.startsWith('improper'))).toHaveLength(1);
    expect(run.replies.slice(-4)).toEqual(['250 2.0.0 Ok', '250 2.0.0 Ok', '250 2.0.0 Ok', '221 2.0.0 Bye']);
  });

  it('"unauth" is only in the name: SASL-authenticated sessions are checked too (smtpd_proto has no exception)', () => {
    const auth = 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n';
    const run = talk(labPreset(), [[200_000, EHLO], [250_000, auth], [300_000, 'NOOP\r\nNOOP\r\n']]);
    expect(run.replies).toContain('235 2.7.0 Authentication successful');
    expect(run.replies.at(-1)).toBe(SYNC);
  });

  // smtpd_flag_ill_pipelining() (smtpd.c, 3.9): only when the stream buffer is empty does it look
  // at the socket (peekfd(), then smtp_fgetc() + ungetc, a read that flushes the replies queued so
  // far); input already buffered is logged as it is, without reading more.
  it('the check before a LAST command with nothing waiting reads nothing, so the replies of a pipelined group still leave in one write', () => {
    const run = talk(labPreset(), [[200_000, EHLO], [250_000, `${mailRcpt}DATA\r\n`], [300_000, '.\r\n']]);
    expect(run.logLines.some((l) => l.includes('improper'))).toBe(false);
    expect(run.writes.find((w) => w.data.startsWith('250 2.1.0'))?.data).toBe('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n');
  });

  it('input already in the stream buffer is logged as it is: the socket behind it is not read', () => {
    // One read takes 4096 bytes: a 4007-byte NOOP and 89 bytes of the NOOPs after it; 31 stay in the socket.
    const noops = 'NOOP\r\n'.repeat(20);
    const run = talk(labPreset({ smtpd_forbid_unauth_pipelining: false }), [[200_000, EHLO], [250_000, `NOOP ${'a'.repeat(4000)}\r\n${noops}`]]);
    const buffered = noops.slice(0, 89).replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    expect(run.logLines).toContain(`improper command pipelining after NOOP from localhost[127.0.0.1]: ${buffered}`);
  });

  it('after XCLIENT without PROTO the session is SMTP again, so MAIL is checked', () => {
    const script = lockstep([EHLO, 'XCLIENT ADDR=127.0.0.1 HELO=client\r\n', mailRcpt]);
    const run = talk(labPreset(), script);
    expect(run.logLines).toContain('improper command pipelining after MAIL from localhost[127.0.0.1]: RCPT TO:<bob@example.test>\\r\\n');
  });
});

describe('the Mailu preset (3.9 defaults, rspamd milter, PIPELINING discarded)', () => {
  it('rejects Dovecot\'s pipelined EHLO after XCLIENT (Mailu #3301) and accepts it with PR 3322\'s fix', () => {
    const script = [[200_000, EHLO], [300_000, XCLIENT.replace('127.0.0.1', '192.168.203.5')], [300_010, EHLO]] as const;
    const broken = talk(mailuPreset(), script, '192.168.203.3');
    expect(broken.replies.at(-1)).toBe(SYNC);
    expect(broken.replies).not.toContain('250-PIPELINING');
    const fixed = talk(mailuPreset({ smtpd_forbid_unauth_pipelining: false }), script, '192.168.203.3');
    expect(fixed.replies.filter((r) => r === '220 mail.example.test ESMTP Postfix')).toHaveLength(2);
  });
});
