/* whatsup - the evidence after a logged rejection: smtpd_whatsup() names the SASL user, log_whatsup() does not
 *
 * postfix/src/smtpd/smtpd.c smtpd_whatsup() (v3.9.0: from=, to=, proto=, helo=, and sasl_username=
 * under USE_SASL_AUTH), used by check_milter_reply(); smtpd_check.c log_whatsup() (the same without
 * sasl_username), used by the restriction rejects and the bare-LF reject. XCLIENT LOGIN= sets
 * the SASL user (xclient_cmd()), and XCLIENT sets up a new milter, which is asked about the client.
 * From 3.10.0 log_whatsup() adds " sasl_method=", " sasl_username=" and " sasl_sender=", each only
 * when the state has it, unbracketed (smtpd_check.c v3.10.0); MAIL's AUTH= sets the SASL sender.
 */
import { describe, expect, it } from 'vitest';
import { labPreset, parsePostfixConfig } from '../../../models/postfix/config.js';
import { MILTER_CONTINUES, milterReplyOf } from '../../../models/postfix/milter.js';
import { lockstep, talk } from './talk.js';

const REJECTED = '550 5.7.1 Command rejected';

describe('the evidence of a logged rejection', () => {
  it("a milter's reject after XCLIENT LOGIN= names the SASL user (smtpd_whatsup())", () => {
    const milter = { smtpd_milters: ['inet:milter:11332'], milterReplies: { ...MILTER_CONTINUES, connect: milterReplyOf('reject') } };
    const conv = talk(milter, lockstep(['EHLO lab\r\n', 'XCLIENT ADDR=198.51.100.7 LOGIN=alice\r\n', 'QUIT\r\n']));
    expect(conv.logLines).toContain(`NOQUEUE: milter-reject: XCLIENT from localhost[198.51.100.7]: ${REJECTED}; proto=SMTP sasl_username=<alice>`);
  });

  it("a bare-LF reject after XCLIENT LOGIN= does not (log_whatsup())", () => {
    const rejectBareLf = { smtpd_forbid_bare_newline: 'reject', smtpd_forbid_bare_newline_exclusions: [] } as const;
    const conv = talk(rejectBareLf, lockstep(['EHLO lab\r\n', 'XCLIENT LOGIN=alice\r\n', 'EHLO lab\r\n', 'NOOP\n', 'QUIT\r\n']));
    const reject = conv.logLines.find((line) => line.includes('bare <LF> received'));
    expect(reject).toMatch(/: bare <LF> received; proto=ESMTP helo=<lab>$/);
  });
});

describe('log_whatsup() from 3.10.0: the SASL fields the state has', () => {
  const PLAIN_B64 = 'AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ='; // \0alice@example.test\0secret
  /** The bare-LF reject's line at 3.10.0 after `lines`, with SASL on. */
  const rejectAfter = (lines: readonly string[]) => {
    const config = { ...parsePostfixConfig({ mail_version: '3.10.0', smtpd_forbid_bare_newline: 'reject', smtpd_sasl_auth_enable: 'yes' }, labPreset()), smtpd_forbid_bare_newline_exclusions: [], saslUsers: { 'alice@example.test': 'secret' } };
    return talk(config, lockstep(['EHLO lab\r\n', ...lines, 'NOOP\n'])).logLines.find((line) => line.includes('bare <LF> received'));
  };

  it('none before a login', () => {
    expect(rejectAfter(['MAIL FROM:<carol@example.test>\r\n'])).toMatch(/: bare <LF> received; from=<carol@example\.test> proto=ESMTP helo=<lab>$/);
  });

  it('after AUTH: the method as the client wrote it and the user; after MAIL AUTH=<...> the SASL sender too', () => {
    expect(rejectAfter([`AUTH PLAIN ${PLAIN_B64}\r\n`])).toMatch(/: bare <LF> received; proto=ESMTP helo=<lab> sasl_method=PLAIN sasl_username=alice@example\.test$/);
    expect(rejectAfter([`AUTH PLAIN ${PLAIN_B64}\r\n`, 'MAIL FROM:<alice@example.test> AUTH=<alice@example.test>\r\n'])).toMatch(
      /: bare <LF> received; from=<alice@example\.test> proto=ESMTP helo=<lab> sasl_method=PLAIN sasl_username=alice@example\.test sasl_sender=<alice@example\.test>$/,
    );
  });
});
