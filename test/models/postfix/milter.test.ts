/* milter - smtpd after a milter rejected the connection: the session goes on, every later event meets the kept reply
 *
 * A client driven by client.script QUITs on a greeting other than 220, as swaks does
 * (test/scenarios/postfix-milter.test.ts), so what smtpd does after the 554 is driven here on the
 * model itself. Read at Postfix v3.9.0 (unchanged v3.5.0..v3.10.13): smtpd.c smtpd_proto() case 0
 * ("554 %s ESMTP not accepting connections", state->error_count++), check_milter_reply(),
 * ehlo_cmd() (discard_mask |= ~EHLO_MASK_ENHANCEDSTATUSCODES), mail_cmd(), vrfy_cmd(), etrn_cmd(),
 * xclient_cmd() (teardown_milters(); setup_milters()), the unknown-command branch
 * (milter_unknown_event()); smtpd_sasl_proto.c smtpd_sasl_auth_cmd(); milter8.c
 * milter8_event() (MILTER8_STAT_REJECT_CON, def_reply) and milter8_other_event().
 */
import { describe, expect, it } from 'vitest';
import { MILTER_CONTINUES, milterReplyOf } from '../../../models/postfix/milter.js';
import { lockstep, talk } from './talk.js';

const CLIENT = 'localhost[127.0.0.1]';
const REJECTED = '550 5.7.1 Command rejected';
const milter = (connect: string, helo = 'continue') => ({ smtpd_milters: ['inet:milter:11332'], milterReplies: { ...MILTER_CONTINUES, connect: milterReplyOf(connect), helo: milterReplyOf(helo) } });

describe('after a milter rejected at connect', () => {
  it('reject: 554 and one error; EHLO 250 with ENHANCEDSTATUSCODES only; AUTH, MAIL, VRFY, ETRN and an unknown command get 550 5.7.1 Command rejected; NOOP and QUIT do not ask the milter', () => {
    const conv = talk(milter('reject'), lockstep(['EHLO lab\r\n', 'AUTH PLAIN\r\n', 'MAIL FROM:<a@example.test>\r\n', 'VRFY bob\r\n', 'ETRN example.test\r\n', 'FOO\r\n', 'NOOP\r\n', 'QUIT\r\n']));
    expect(conv.replies).toEqual([
      '554 backend.example.test ESMTP not accepting connections',
      '250-backend.example.test', '250 ENHANCEDSTATUSCODES',
      REJECTED, REJECTED, REJECTED, REJECTED, REJECTED,
      '250 2.0.0 Ok', '221 2.0.0 Bye',
    ]);
    expect(conv.logLines).toEqual([
      `connect from ${CLIENT}`,
      `NOQUEUE: milter-reject: CONNECT from ${CLIENT}: ${REJECTED}; proto=SMTP`,
      `NOQUEUE: milter-reject: EHLO from ${CLIENT}: ${REJECTED}; proto=SMTP helo=<lab>`,
      // AUTH, VRFY and ETRN ask milter_other_event() and log nothing; MAIL logs the sender.
      `NOQUEUE: milter-reject: MAIL from ${CLIENT}: ${REJECTED}; from=<a@example.test> proto=ESMTP helo=<lab>`,
      `NOQUEUE: milter-reject: UNKNOWN from ${CLIENT}: ${REJECTED}; proto=ESMTP helo=<lab>`,
      `disconnect from ${CLIENT} ehlo=1 auth=0/1 mail=0/1 noop=1 vrfy=0/1 etrn=0/1 quit=1 unknown=0/1 commands=3/8`,
    ]);
  });

  it('the 554 counts towards smtpd_hard_error_limit: with a limit of 2, one refused command more ends the session with 421', () => {
    const conv = talk({ ...milter('reject'), smtpd_hard_error_limit: 2 }, lockstep(['MAIL FROM:<a@example.test>\r\n', 'NOOP\r\n']));
    expect(conv.replies).toEqual(['554 backend.example.test ESMTP not accepting connections', '503 5.5.1 Error: send HELO/EHLO first', '421 4.7.0 backend.example.test Error: too many errors']);
  });

  it('a reply code of its own (SMFIR_REPLYCODE) is the reply every later event gets', () => {
    const conv = talk(milter('554 5.7.1 No thanks'), lockstep(['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', 'QUIT\r\n']));
    expect(conv.replies.slice(-2)).toEqual(['554 5.7.1 No thanks', '221 2.0.0 Bye']);
  });

  it('xclient_cmd() sets up a new milter, so the greeting after XCLIENT asks it about the new client and answers XCLIENT with the 554', () => {
    const conv = talk(milter('reject'), lockstep(['EHLO lab\r\n', 'XCLIENT ADDR=198.51.100.7\r\n', 'QUIT\r\n']));
    expect(conv.replies.slice(-2)).toEqual(['554 backend.example.test ESMTP not accepting connections', '221 2.0.0 Bye']);
    // ADDR alone keeps the name smtpd had (xclient_cmd()); where is still XCLIENT (the longjmp does not reset it).
    expect(conv.logLines).toContain(`NOQUEUE: milter-reject: XCLIENT from localhost[198.51.100.7]: ${REJECTED}; proto=SMTP`);
  });

  it('without smtpd_milters the model milter is never asked, whatever it would answer', () => {
    const conv = talk({ milterReplies: { ...MILTER_CONTINUES, connect: milterReplyOf('reject'), helo: milterReplyOf('reject') } }, lockstep(['QUIT\r\n']));
    expect(conv.replies).toEqual(['220 backend.example.test ESMTP lab-postfix', '221 2.0.0 Bye']);
  });
});
