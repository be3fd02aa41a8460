/* hello - HELO, EHLO and STARTTLS as smtpd.c has them: the name kept, the protocol, each EHLO keyword, what STARTTLS resets
 *
 * postfix/src/smtpd/smtpd.c (v3.7.11): helo_cmd() and ehlo_cmd() collapse_args() the words after the
 * verb and keep the name printable() and neuter()ed; ehlo_cmd() sets the protocol to ESMTP, helo_cmd()
 * leaves SMTP and ESMTP as they are; ehlo_cmd() leaves out each keyword of smtpd_discard_ehlo_keywords
 * and logs "discarding EHLO keywords" unless the mask has ENHANCEDSTATUSCODES or silent-discard;
 * starttls_cmd() answers 502 when STARTTLS is discarded, then helo_reset(), mail_reset(), and
 * smtpd_start_tls() resets SASL. The RCPT reject line (smtpd_check.c log_whatsup()) shows proto= and helo=.
 */
import { describe, expect, it } from 'vitest';
import { measuredTimings, type PostfixConfig } from '../../../models/postfix/config.js';
import { EHLO_LAB, lockstep, talk } from './talk.js';

const EHLO = 'EHLO front.example.test\r\n';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RELAY = 'RCPT TO:<carol@elsewhere.test>\r\n';
const PLAIN = 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n';
const OUTSIDE = '192.0.2.9';
const NO_HELO: Partial<PostfixConfig> = { smtpd_helo_required: false };
const QUIT = 'QUIT\r\n';
/** One command per step, then QUIT; the replies without the banner and the 221. */
const session = (config: Partial<PostfixConfig>, lines: readonly string[], from?: string) => {
  const conv = talk(config, lockstep([...lines, QUIT]), from);
  return { ...conv, replies: conv.replies.slice(1, -1) };
};

/** The RCPT reject line's tail: what log_whatsup() knows of the session. */
function rejectContext(lines: readonly string[], config: Partial<PostfixConfig> = NO_HELO): string | undefined {
  const line = session(config, [...lines, MAIL, RELAY], OUTSIDE).logLines.find((l) => l.includes(': reject: RCPT from'));
  return line?.slice(line.indexOf(' proto='));
}

describe('the protocol and HELO name log_whatsup() shows', () => {
  it('before any HELO: proto=SMTP (smtpd_state_init()) and no helo=', () => {
    expect(rejectContext([])).toBe(' proto=SMTP');
  });
  it('HELO: proto=SMTP; EHLO: proto=ESMTP', () => {
    expect(rejectContext(['HELO client.example.test\r\n'])).toBe(' proto=SMTP helo=<client.example.test>');
    expect(rejectContext([EHLO])).toBe(' proto=ESMTP helo=<front.example.test>');
  });
  it('HELO after EHLO keeps ESMTP: helo_cmd() never downgrades the protocol', () => {
    expect(rejectContext([EHLO, 'HELO client.example.test\r\n'])).toBe(' proto=ESMTP helo=<client.example.test>');
  });
  it('every word after the verb is the name, spaces and header-breaking characters as "?", non-printable bytes as "?", UTF-8 kept (printable() with smtputf8_enable)', () => {
    expect(rejectContext(['HELO two  words\r\n'])).toBe(' proto=SMTP helo=<two?words>');
    expect(rejectContext(['EHLO <a@b>(c);"d"\\\r\n'])).toBe(' proto=ESMTP helo=<?a?b??c???d??>');
    expect(rejectContext(['HELO caf\xc3\xa9\r\n'])).toBe(' proto=SMTP helo=<caf\xc3\xa9>');
  });
  it('HELO after EHLO does not re-enable the pipelining check for every command (ESMTP stays)', () => {
    // smtpd_proto() checks before a command only when not ESMTP or when the command must end a group.
    const conv = talk({ smtpd_forbid_unauth_pipelining: true }, [[200_000, EHLO], [250_000, 'HELO client.example.test\r\n'], [300_000, `${MAIL}RCPT TO:<bob@example.test>\r\nNOOP\r\n`], [400_000, QUIT]]);
    expect(conv.logLines.filter((l) => l.startsWith('improper command pipelining'))).toEqual([]);
    expect(conv.replies.slice(-4)).toEqual(['250 2.1.0 Ok', '250 2.1.5 Ok', '250 2.0.0 Ok', '221 2.0.0 Bye']);
  });
});

describe('smtpd_discard_ehlo_keywords: each keyword on its own', () => {
  // EHLO_LAB without the host name line, and the name ehlo_mask.c prints for each bit.
  const keywords: readonly [string, string, string][] = [
    ['pipelining', 'PIPELINING', 'PIPELINING'],
    ['size', 'SIZE 10240000', 'SIZE'],
    ['vrfy', 'VRFY', 'VRFY'],
    ['etrn', 'ETRN', 'ETRN'],
    ['auth', 'AUTH PLAIN LOGIN', 'AUTH'],
    ['xclient', 'XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT', 'XCLIENT'],
    ['8bitmime', '8BITMIME', '8BITMIME'],
    ['dsn', 'DSN', 'DSN'],
    ['smtputf8', 'SMTPUTF8', 'EHLO_MASK_SMTPUTF8'],
    ['chunking', 'CHUNKING', 'CHUNKING'],
  ];
  const keywordsOf = (replies: readonly string[]) => replies.filter((r) => r.startsWith('250')).slice(1).map((r) => r.slice(4));
  const all = keywordsOf(EHLO_LAB);
  for (const [setting, line, logged] of keywords) {
    it(`${setting}: "${line}" left out, logged as ${logged}`, () => {
      const conv = session({ smtpd_discard_ehlo_keywords: [setting] }, [EHLO]);
      expect(keywordsOf(conv.replies)).toEqual(all.filter((k) => k !== line));
      expect(conv.logLines).toContain(`discarding EHLO keywords: ${logged}`);
    });
  }
  it('the last line is "250 " and every other "250-", also when the usual last keyword is gone', () => {
    const conv = session({ smtpd_discard_ehlo_keywords: ['chunking'] }, [EHLO]);
    expect(conv.replies).toEqual([...EHLO_LAB.slice(0, -2), '250 SMTPUTF8']);
  });
  it('names in any case; unknown names ignored; the log lists the bits in ehlo_mask.c\'s table order', () => {
    const conv = session({ smtpd_discard_ehlo_keywords: ['Chunking', 'no-such-keyword', 'PIPELINING', 'smtputf8'] }, [EHLO]);
    expect(keywordsOf(conv.replies)).toEqual(all.filter((k) => !['CHUNKING', 'PIPELINING', 'SMTPUTF8'].includes(k)));
    expect(conv.logLines).toContain('discarding EHLO keywords: PIPELINING EHLO_MASK_SMTPUTF8 CHUNKING');
  });
  it('VERP and XFORWARD, which smtpd offers to no lab client, are still named in the log (ehlo_mask.c knows them)', () => {
    const conv = session({ smtpd_discard_ehlo_keywords: ['verp', 'xforward'] }, [EHLO]);
    expect(conv.replies).toEqual(EHLO_LAB);
    expect(conv.logLines).toContain('discarding EHLO keywords: VERP XFORWARD');
  });
  it('only unknown names, or silent-discard alone: nothing left out, nothing logged', () => {
    for (const words of [['no-such-keyword'], ['silent-discard']]) {
      const conv = session({ smtpd_discard_ehlo_keywords: words }, [EHLO]);
      expect(conv.replies).toEqual(EHLO_LAB);
      expect(conv.logLines.some((l) => l.startsWith('discarding'))).toBe(false);
    }
  });
  it('with ENHANCEDSTATUSCODES in the mask ehlo_cmd() does not log, though it leaves the keywords out', () => {
    const conv = session({ smtpd_discard_ehlo_keywords: ['enhancedstatuscodes', 'dsn'] }, [EHLO]);
    expect(keywordsOf(conv.replies)).toEqual(all.filter((k) => k !== 'ENHANCEDSTATUSCODES' && k !== 'DSN'));
    expect(conv.logLines.some((l) => l.startsWith('discarding'))).toBe(false);
  });
  it('STARTTLS: not offered when discarded, and the command is then "not implemented" (starttls_cmd())', () => {
    const conv = session({ smtpd_tls_security_level: 'may', smtpd_discard_ehlo_keywords: ['starttls'] }, [EHLO, 'STARTTLS\r\n']);
    expect(conv.replies).not.toContain('250-STARTTLS');
    expect(conv.replies.at(-1)).toBe('502 5.5.1 Error: command not implemented');
    expect(conv.logLines).toContain('discarding EHLO keywords: STARTTLS');
  });
});

describe('EHLO offers what the session has', () => {
  it('STARTTLS after ETRN, only with TLS configured and not yet active', () => {
    const conv = session({ smtpd_tls_security_level: 'may' }, [EHLO, 'STARTTLS\r\n', EHLO]);
    const keywords = conv.replies.filter((r) => r.startsWith('250-') || r.startsWith('250 '));
    expect(keywords.slice(0, EHLO_LAB.length + 1)).toEqual([...EHLO_LAB.slice(0, 5), '250-STARTTLS', ...EHLO_LAB.slice(5)]);
    expect(keywords.slice(EHLO_LAB.length + 1)).toEqual(EHLO_LAB);
  });
  it('VRFY not offered when disabled; SIZE without a number when there is no limit', () => {
    const conv = session({ disable_vrfy_command: true, message_size_limit: 0 }, [EHLO]);
    expect(conv.replies.slice(0, 4)).toEqual(['250-backend.example.test', '250-PIPELINING', '250-SIZE', '250-ETRN']);
  });
});

describe('STARTTLS', () => {
  const TLS: Partial<PostfixConfig> = { smtpd_tls_security_level: 'may', smtpd_helo_required: false };
  it('takes no argument', () => {
    expect(session(TLS, [EHLO, 'STARTTLS now\r\n']).replies.at(-1)).toBe('501 5.5.4 Syntax: STARTTLS');
  });
  it('forgets the HELO name but not the protocol: ESMTP stays, helo= goes', () => {
    expect(rejectContext([EHLO, 'STARTTLS\r\n'], TLS)).toBe(' proto=ESMTP');
  });
  it('forgets an AUTH from before the handshake (smtpd_sasl_auth_reset()): relaying is refused, and AUTH works again', () => {
    const before = session(TLS, [EHLO, PLAIN, 'STARTTLS\r\n', EHLO, MAIL, RELAY], OUTSIDE);
    expect(before.replies.at(-1)).toBe('554 5.7.1 <carol@elsewhere.test>: Relay access denied');
    const again = session(TLS, [EHLO, PLAIN, 'STARTTLS\r\n', EHLO, PLAIN, MAIL, RELAY], OUTSIDE);
    expect(again.replies.slice(-3)).toEqual(['235 2.7.0 Authentication successful', '250 2.1.0 Ok', '250 2.1.5 Ok']);
  });
  it('forgets the transaction: RCPT after it needs a new MAIL', () => {
    expect(session(TLS, [EHLO, MAIL, 'STARTTLS\r\n', 'RCPT TO:<bob@example.test>\r\n']).replies.at(-1)).toBe('503 5.5.1 Error: need MAIL command');
  });
});

describe('AUTH and what hides it', () => {
  const PLAIN_AUTH = 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n';
  it('smtpd_discard_ehlo_keywords = auth: AUTH is "not enabled" (smtpd_sasl_auth_cmd())', () => {
    expect(session({ smtpd_discard_ehlo_keywords: ['auth'] }, [EHLO, PLAIN_AUTH]).replies.at(-1)).toBe('503 5.5.1 Error: authentication not enabled');
  });
  it('smtpd_tls_security_level = encrypt implies smtpd_tls_auth_only: AUTH offered only after STARTTLS', () => {
    const conv = session({ smtpd_tls_security_level: 'encrypt' }, [EHLO, 'STARTTLS\r\n', EHLO, PLAIN_AUTH]);
    expect(conv.replies.filter((r) => r.startsWith('250-AUTH'))).toEqual(['250-AUTH PLAIN LOGIN']);
    expect(conv.replies.indexOf('250-AUTH PLAIN LOGIN')).toBeGreaterThan(conv.replies.indexOf('220 2.0.0 Ready to start TLS'));
    expect(conv.replies.at(-1)).toBe('235 2.7.0 Authentication successful');
  });
});

describe('timing of the replies (lab knobs measured on the real stack)', () => {
  it('the process\'s first EHLO takes ehloFirstDelayUs, every later HELO or EHLO ehloDelayUs', () => {
    const conv = talk({}, [[200_000, EHLO], [300_000, 'HELO c\r\n'], [400_000, EHLO], [500_000, 'QUIT\r\n']]);
    const at = (prefix: string) => conv.writes.filter((w) => w.data.startsWith(prefix)).map((w) => w.t);
    expect(at('250-backend')).toEqual([200_000 + measuredTimings.ehloFirstDelayUs, 400_000 + measuredTimings.ehloDelayUs]);
    expect(at('250 backend')).toEqual([300_000 + measuredTimings.ehloDelayUs]);
  });
  it('STARTTLS\'s 220 is flushed at once, before the handshake (starttls_cmd(): smtp_flush())', () => {
    const conv = talk({ smtpd_tls_security_level: 'may' }, [[200_000, EHLO], [300_000, 'STARTTLS\r\n'], [400_000, 'QUIT\r\n']]);
    expect(conv.writes.find((w) => w.data.startsWith('220 2.0.0'))?.t).toBe(300_000);
    expect(conv.logLines.at(-1)).toBe('disconnect from localhost[127.0.0.1] ehlo=1 starttls=1 quit=1 commands=3');
  });
});
