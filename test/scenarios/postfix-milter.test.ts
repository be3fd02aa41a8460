/* postfix-milter - a milter that rejects at connect or HELO (postfix.milter_connect_reply / milter_helo_reply), driven through client.script
 *
 * HAProxy in mode tcp relays the client's bytes to smtpd untouched, so a script there speaks to
 * Postfix 3.9 itself. Every expectation is read from Postfix v3.9.0 (the same text at v3.5.0,
 * v3.7.11 and v3.10.13): smtpd/smtpd.c smtpd_proto() case 0, check_milter_reply(), helo_cmd(),
 * ehlo_cmd(), mail_cmd(), vrfy_cmd(), etrn_cmd(), starttls_cmd(), xclient_cmd(), the unknown
 * command branch; smtpd/smtpd_sasl_proto.c smtpd_sasl_auth_cmd(); milter/milter8.c
 * milter8_event() and the milter8_*_event() functions.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';

const CLIENT = 'unknown[203.0.113.25]';
const HOST = 'mail.example.test';
const REJECTED = '550 5.7.1 Command rejected';
const TEMPFAIL = '451 4.7.1 Service unavailable - try again later';
/** ehlo_cmd() with Postfix's defaults (the fixture's main.cf): PIPELINING not discarded, message_size_limit 10240000. */
const FULL_EHLO = [HOST, 'PIPELINING', 'SIZE 10240000', 'VRFY', 'ETRN', 'AUTH PLAIN LOGIN', 'ENHANCEDSTATUSCODES', '8BITMIME', 'DSN', 'SMTPUTF8', 'CHUNKING'];
const ehloReply = (words: readonly string[]) => words.map((word, i) => `250${i === words.length - 1 ? ' ' : '-'}${word}`).join('\n');
/** ehlo_cmd() after a milter's 5xx: discard_mask |= ~EHLO_MASK_ENHANCEDSTATUSCODES. */
const STRIPPED_EHLO = ehloReply([HOST, 'ENHANCEDSTATUSCODES']);

function play(script: readonly string[], sets: readonly string[]) {
  const report = runScenario(loadScenario({ scenario: 'haproxy-proxy-protocol', sets: [`client.script=${script.join('; ')}`, ...sets] }), { seed: 1 });
  return { report, replies: report.client.replies, log: report.postfix.log.map((line) => line.replace(/^postfix\/smtpd: /, '')) };
}

describe('a milter that rejects at connect (milter8: MILTER8_STAT_REJECT_CON, the reply kept as def_reply)', () => {
  it('reject (SMFIR_REJECT): 554 <host> ESMTP not accepting connections, logged as milter-reject CONNECT (the client, as swaks, QUITs; what smtpd does after: test/models/postfix/milter.test.ts)', () => {
    const { replies, log } = play(['EHLO lab', 'QUIT'], ['postfix.milter_connect_reply=reject']);
    expect(replies).toEqual([`554 ${HOST} ESMTP not accepting connections`, '221 2.0.0 Bye']);
    expect(log).toEqual([`connect from ${CLIENT}`, `NOQUEUE: milter-reject: CONNECT from ${CLIENT}: ${REJECTED}; proto=SMTP`, `disconnect from ${CLIENT} quit=1 commands=1`]);
  });

  it('a 421 of its own or shutdown (SMFIR_SHUTDOWN, "421 4.7.0 Server closing connection"): 421 <host> Service unavailable - try again later, and smtpd hangs up', () => {
    for (const [reply, logged] of [['421 4.7.0 Go away', '421 4.7.0 Go away'], ['shutdown', '421 4.7.0 Server closing connection']] as const) {
      const { replies, log, report } = play(['EHLO lab', 'QUIT'], [`postfix.milter_connect_reply=${reply}`]);
      expect(replies, reply).toEqual([`421 ${HOST} Service unavailable - try again later`]);
      expect(log, reply).toEqual([`connect from ${CLIENT}`, `NOQUEUE: milter-reject: CONNECT from ${CLIENT}: ${logged}; proto=SMTP`, `disconnect from ${CLIENT} commands=0/0`]);
      expect(report.client.closedBy, reply).toBe('server');
    }
  });

  it('tempfail (SMFIR_TEMPFAIL): a 4xx other than 421 lets the 220 out, EHLO offers everything; MAIL and VRFY get the 451, AUTH and STARTTLS 454 4.3.0 Try again later', () => {
    const { replies, log } = play(['EHLO lab', 'AUTH PLAIN', 'STARTTLS', 'VRFY bob', 'MAIL FROM:<a@example.test>', 'QUIT'], ['postfix.milter_connect_reply=tempfail']);
    expect(replies).toEqual([`220 ${HOST} ESMTP Postfix`, ehloReply(FULL_EHLO), '454 4.3.0 Try again later', '454 4.3.0 Try again later', TEMPFAIL, TEMPFAIL, '221 2.0.0 Bye']);
    expect(log[1]).toBe(`NOQUEUE: milter-reject: CONNECT from ${CLIENT}: ${TEMPFAIL}; proto=SMTP`);
  });

  it('accept (SMFIR_ACCEPT) is final too: the HELO event is never sent, so a milter that would reject HELO is not asked', () => {
    const { replies, log } = play(['EHLO lab', 'MAIL FROM:<a@example.test>', 'QUIT'], ['postfix.milter_connect_reply=accept', 'postfix.milter_helo_reply=reject']);
    expect(replies).toEqual([`220 ${HOST} ESMTP Postfix`, ehloReply(FULL_EHLO), '250 2.1.0 Ok', '221 2.0.0 Bye']);
    expect(log.some((line) => line.includes('milter-reject'))).toBe(false);
  });
});

describe('a milter that rejects at HELO (IN_CONNECT_EVENT: final for the connection, like connect)', () => {
  it('reject: EHLO still gets 250, with ENHANCEDSTATUSCODES only, and every EHLO logs it again; MAIL gets the 550', () => {
    const { replies, log } = play(['EHLO lab', 'EHLO again', 'MAIL FROM:<a@example.test>', 'QUIT'], ['postfix.milter_helo_reply=reject']);
    expect(replies).toEqual([`220 ${HOST} ESMTP Postfix`, STRIPPED_EHLO, STRIPPED_EHLO, REJECTED, '221 2.0.0 Bye']);
    expect(log.slice(1, 4)).toEqual([
      `NOQUEUE: milter-reject: EHLO from ${CLIENT}: ${REJECTED}; proto=SMTP helo=<lab>`,
      `NOQUEUE: milter-reject: EHLO from ${CLIENT}: ${REJECTED}; proto=ESMTP helo=<again>`,
      `NOQUEUE: milter-reject: MAIL from ${CLIENT}: ${REJECTED}; from=<a@example.test> proto=ESMTP helo=<again>`,
    ]);
  });

  it('shutdown: EHLO is answered 421 4.7.0 Server closing connection and smtpd hangs up (ehlo=0/1)', () => {
    const { replies, log } = play(['EHLO lab', 'QUIT'], ['postfix.milter_helo_reply=shutdown']);
    expect(replies).toEqual([`220 ${HOST} ESMTP Postfix`, '421 4.7.0 Server closing connection']);
    expect(log.at(-1)).toBe(`disconnect from ${CLIENT} ehlo=0/1 commands=0/1`);
  });

  it('tempfail at HELO: HELO gets 250 <host>, MAIL the 451', () => {
    const { replies } = play(['HELO lab', 'MAIL FROM:<a@example.test>', 'QUIT'], ['postfix.milter_helo_reply=tempfail']);
    expect(replies).toEqual([`220 ${HOST} ESMTP Postfix`, `250 ${HOST}`, TEMPFAIL, '221 2.0.0 Bye']);
  });
});
