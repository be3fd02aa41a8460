/* milter-message - the milter at MAIL, RCPT and the end of the message, and a milter smtpd cannot reach
 *
 * Read at Postfix v3.9.0 (the same text at v3.5.0 and v3.10.13): smtpd.c mail_cmd(), rcpt_cmd()
 * (milter_rcpt_event() for a recipient smtpd_check_rcpt() passed), check_milter_reply() ("H", "D",
 * "S", 4xx/5xx), common_post_message_handling(); milter8.c milter8_event() (SMFIR_* at a message
 * event answer that event only; SMFIR_ACCEPT and _DISCARD end the message's events; _SHUTDOWN is
 * final), milter8_connect() and milter8_comm_error() (milter_default_action); cleanup_milter.c
 * cleanup_milter_apply(); cleanup_api.c cleanup_flush().
 */
import { describe, expect, it } from 'vitest';
import type { PostfixConfig } from '../../../models/postfix/config.js';
import { MILTER_CONTINUES, milterReplyOf, type MilterDefaultAction, type MilterStage } from '../../../models/postfix/milter.js';
import { lockstep, talk } from './talk.js';

const CLIENT = 'localhost[127.0.0.1]';
const BANNER = '220 backend.example.test ESMTP lab-postfix';
const REJECTED = '550 5.7.1 Command rejected';
const TEMPFAIL = '451 4.7.1 Service unavailable - try again later';
const MAIL = 'MAIL FROM:<alice@example.test>\r\n';
const RCPT = 'RCPT TO:<bob@example.test>\r\n';
const MESSAGE = ['DATA\r\n', 'Subject: hi\r\n\r\nhello\r\n.\r\n'];
const QUEUED = /^250 2\.0\.0 Ok: queued as [0-9A-F]{11}$/;
const WHATSUP = 'from=<alice@example.test> to=<bob@example.test> proto=ESMTP helo=<lab>';

const milter = (stage: MilterStage, reply: string, defaultAction: MilterDefaultAction = 'tempfail'): Partial<PostfixConfig> => ({
  smtpd_milters: ['inet:milter:11332'],
  milterReplies: { ...MILTER_CONTINUES, [stage]: milterReplyOf(reply) },
  milter_default_action: defaultAction,
});
const run = (config: Partial<PostfixConfig>, lines: readonly string[]) => talk(config, lockstep(['EHLO lab\r\n', ...lines, 'QUIT\r\n']));
/** The replies after the greeting and the EHLO reply, without QUIT's. */
const repliesOf = (conv: ReturnType<typeof run>) => conv.replies.slice(conv.replies.findIndex((r) => r.startsWith('250 ')) + 1, -1);

describe('the milter at MAIL', () => {
  it('continue (and no milter): 250, nothing logged', () => {
    for (const config of [milter('mail', 'continue'), {}]) {
      const conv = run(config, [MAIL]);
      expect(repliesOf(conv)).toEqual(['250 2.1.0 Ok']);
      expect(conv.logLines.filter((l) => l.includes('milter'))).toEqual([]);
    }
  });

  it('reject, tempfail, its own reply: that MAIL gets the reply, logged with the sender; the next MAIL asks again (nothing kept); RCPT finds no transaction', () => {
    for (const [reply, text] of [['reject', REJECTED], ['tempfail', TEMPFAIL], ['553 5.7.1 Sender unwelcome', '553 5.7.1 Sender unwelcome']] as const) {
      const conv = run(milter('mail', reply), [MAIL, RCPT, MAIL]);
      expect(repliesOf(conv)).toEqual([text, '503 5.5.1 Error: need MAIL command', text]);
      expect(conv.logLines).toContain(`NOQUEUE: milter-reject: MAIL from ${CLIENT}: ${text}; from=<alice@example.test> proto=ESMTP helo=<lab>`);
    }
  });

  it('shutdown: 421 4.7.0 Server closing connection, logged as a milter-reject, and smtpd hangs up', () => {
    const conv = talk(milter('mail', 'shutdown'), lockstep(['EHLO lab\r\n', MAIL, 'NOOP\r\n']));
    expect(conv.replies.slice(-1)).toEqual(['421 4.7.0 Server closing connection']);
    expect(conv.logLines).toContain(`NOQUEUE: milter-reject: MAIL from ${CLIENT}: 421 4.7.0 Server closing connection; from=<alice@example.test> proto=ESMTP helo=<lab>`);
    expect(conv.closed.size).toBe(1);
  });

  it('discard: MAIL 250 and milter-discard logged; RCPT and the end of the message are not asked; 250 queued, and nothing is queued', () => {
    const conv = run({ ...milter('mail', 'discard'), milterReplies: { ...MILTER_CONTINUES, mail: milterReplyOf('discard'), rcpt: milterReplyOf('reject'), endOfMessage: milterReplyOf('reject') } }, [MAIL, RCPT, ...MESSAGE]);
    expect(repliesOf(conv)).toEqual(['250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>', expect.stringMatching(QUEUED)]);
    expect(conv.logLines).toContain(`NOQUEUE: milter-discard: MAIL from ${CLIENT}: milter triggers DISCARD action; from=<alice@example.test> proto=ESMTP helo=<lab>`);
    expect(conv.model.queue.messages).toEqual([]);
    expect(conv.facts.map((f) => f.fact)).not.toContainEqual(expect.objectContaining({ kind: 'queued' }));
  });

  it("accept: no more events for this message: RCPT's reject and the end of the message's are not asked", () => {
    const replies = { ...MILTER_CONTINUES, mail: milterReplyOf('accept'), rcpt: milterReplyOf('reject'), endOfMessage: milterReplyOf('reject') };
    const conv = run({ ...milter('mail', 'accept'), milterReplies: replies }, [MAIL, RCPT, ...MESSAGE]);
    expect(repliesOf(conv)).toEqual(['250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>', expect.stringMatching(QUEUED)]);
    const asked = run({ ...milter('mail', 'continue'), milterReplies: { ...replies, mail: milterReplyOf('continue') } }, [MAIL, RCPT]);
    expect(repliesOf(asked)).toEqual(['250 2.1.0 Ok', REJECTED]);
  });

  it('discard is cleared with the transaction (mail_reset() clears saved_flags): the next MAIL asks again', () => {
    const conv = run(milter('mail', 'discard'), [MAIL, 'RSET\r\n', MAIL]);
    expect(conv.logLines.filter((l) => l.includes('milter-discard: MAIL'))).toHaveLength(2);
  });
});

describe('the milter at RCPT', () => {
  it('reject: that RCPT gets 550, logged with sender and recipient; no queue file opens, so DATA has no valid recipients', () => {
    const conv = run(milter('rcpt', 'reject'), [MAIL, RCPT, 'DATA\r\n']);
    expect(repliesOf(conv)).toEqual(['250 2.1.0 Ok', REJECTED, '554 5.5.1 Error: no valid recipients']);
    expect(conv.logLines).toContain(`NOQUEUE: milter-reject: RCPT from ${CLIENT}: ${REJECTED}; ${WHATSUP}`);
    expect(conv.logLines.some((l) => l.includes('client='))).toBe(false);
  });

  it('tempfail and its own reply are the RCPT reply; the transaction stays open', () => {
    expect(repliesOf(run(milter('rcpt', 'tempfail'), [MAIL, RCPT, RCPT]))).toEqual(['250 2.1.0 Ok', TEMPFAIL, TEMPFAIL]);
    expect(repliesOf(run(milter('rcpt', '550 5.1.1 No such user'), [MAIL, RCPT]))).toEqual(['250 2.1.0 Ok', '550 5.1.1 No such user']);
  });

  it("a recipient smtpd's own restrictions refuse gets their reply, not the milter's", () => {
    const conv = talk(milter('rcpt', 'reject'), lockstep(['EHLO lab\r\n', MAIL, 'RCPT TO:<x@elsewhere.test>\r\n', 'QUIT\r\n']), '203.0.113.9');
    expect(conv.replies).toContain('554 5.7.1 <x@elsewhere.test>: Relay access denied');
    expect(conv.logLines.some((l) => l.includes('milter-reject'))).toBe(false);
  });
});

describe('the milter at the end of the message (cleanup)', () => {
  it('continue: queued', () => {
    const conv = run(milter('endOfMessage', 'continue'), [MAIL, RCPT, ...MESSAGE]);
    expect(repliesOf(conv).at(-1)).toMatch(QUEUED);
    expect(conv.model.queue.messages).toHaveLength(1);
  });

  it("reject, tempfail, its own reply: the reply to '.', nothing queued; cleanup logs the text without its code, with the last recipient", () => {
    for (const [reply, text] of [['reject', REJECTED], ['tempfail', TEMPFAIL], ['554 5.7.1 Spam', '554 5.7.1 Spam']] as const) {
      const conv = run(milter('endOfMessage', reply), [MAIL, 'RCPT TO:<carol@example.test>\r\n', RCPT, ...MESSAGE]);
      expect(repliesOf(conv).at(-1)).toBe(text);
      expect(conv.model.queue.messages).toEqual([]);
      const queueId = /^(\w+): client=/.exec(conv.logLines.find((l) => l.includes('client='))!)![1];
      expect(conv.logLines).toContain(`${queueId}: milter-reject: END-OF-MESSAGE from localhost[127.0.0.1]: ${text.slice(4)}; ${WHATSUP}`);
    }
  });

  it("the end-of-message verdicts and the removal are cleanup's lines, not smtpd's (cleanup_milter.c cleanup_milter_apply() msg_info, cleanup_api.c 'removed')", () => {
    for (const reply of ['reject', 'discard'] as const) {
      const conv = run(milter('endOfMessage', reply), [MAIL, RCPT, ...MESSAGE]);
      const cleanup = conv.logs.filter((l) => / milter-(reject|discard): | removed \(/.test(` ${l.line}`));
      expect(cleanup.length, reply).toBeGreaterThan(0);
      for (const entry of cleanup) expect(entry.program, entry.line).toBe('postfix/cleanup');
      expect(conv.logs.find((l) => l.line.includes('client='))!.program).toBe('postfix/smtpd');
    }
  });

  it('discard: 250 queued, milter-discard logged, the message removed', () => {
    const conv = run(milter('endOfMessage', 'discard'), [MAIL, RCPT, ...MESSAGE]);
    expect(repliesOf(conv).at(-1)).toMatch(QUEUED);
    expect(conv.logLines.some((l) => l.endsWith(`: milter-discard: END-OF-MESSAGE from localhost[127.0.0.1]: milter triggers DISCARD action; ${WHATSUP}`))).toBe(true);
    expect(conv.model.queue.messages).toEqual([]);
  });

  it('quarantine: 250 queued, milter-hold logged, the message kept (on hold)', () => {
    const conv = run(milter('endOfMessage', 'quarantine'), [MAIL, RCPT, ...MESSAGE]);
    expect(repliesOf(conv).at(-1)).toMatch(QUEUED);
    expect(conv.logLines.some((l) => l.endsWith(`: milter-hold: END-OF-MESSAGE from localhost[127.0.0.1]: milter triggers HOLD action; ${WHATSUP}`))).toBe(true);
    expect(conv.model.queue.messages).toHaveLength(1);
  });
});

describe('a milter smtpd cannot reach: milter_default_action', () => {
  const WARNING = 'warning: connect to Milter service inet:milter:11332: Connection refused';

  it('tempfail (the default): the warning, 220, and every event gets 451 4.7.1, logged: MAIL is refused', () => {
    const conv = run(milter('connect', 'unavailable'), [MAIL]);
    expect(conv.replies[0]).toBe(BANNER);
    expect(repliesOf(conv)).toEqual([TEMPFAIL]);
    expect(conv.logLines.slice(0, 3)).toEqual([`connect from ${CLIENT}`, WARNING, `NOQUEUE: milter-reject: CONNECT from ${CLIENT}: ${TEMPFAIL}; proto=SMTP`]);
  });

  it('reject: 554 at the greeting, and MAIL gets 550 5.5.0 Service unavailable', () => {
    const conv = run(milter('connect', 'unavailable', 'reject'), [MAIL]);
    expect(conv.replies[0]).toBe('554 backend.example.test ESMTP not accepting connections');
    expect(repliesOf(conv)).toEqual(['550 5.5.0 Service unavailable']);
  });

  it('accept: only the warning; the session is as without a milter', () => {
    const conv = run(milter('connect', 'unavailable', 'accept'), [MAIL, RCPT, ...MESSAGE]);
    expect(conv.logLines[1]).toBe(WARNING);
    expect(conv.logLines.filter((l) => l.includes('milter-'))).toEqual([]);
    expect(repliesOf(conv).at(-1)).toMatch(QUEUED);
  });

  it('quarantine: every event logs milter-hold and goes on, DATA too (milter8_data_event() answers def_reply); the message is queued (on hold)', () => {
    const conv = run(milter('connect', 'unavailable', 'quarantine'), [MAIL, RCPT, ...MESSAGE]);
    expect(conv.replies[0]).toBe(BANNER);
    expect(repliesOf(conv).at(-1)).toMatch(QUEUED);
    const holds = conv.logLines.filter((l) => l.includes('milter-hold'));
    expect(holds.map((l) => / (\S+) from /.exec(l)![1])).toEqual(['CONNECT', 'EHLO', 'MAIL', 'RCPT', 'DATA']);
    expect(holds[2]).toBe(`NOQUEUE: milter-hold: MAIL from ${CLIENT}: milter triggers HOLD action; from=<alice@example.test> proto=ESMTP helo=<lab>`);
    expect(conv.model.queue.messages).toHaveLength(1);
  });
});

describe('a session without HELO (smtpd_helo_required = no, the Postfix default)', () => {
  const noHelo = (config: Partial<PostfixConfig>, lines: readonly string[]) => talk({ ...config, smtpd_helo_required: false }, lockstep([...lines, 'QUIT\r\n']));

  it("the first MAIL is asked: saved_flags start empty, not only after HELO's mail_reset()", () => {
    expect(noHelo(milter('mail', 'reject'), [MAIL]).replies).toEqual([BANNER, REJECTED, '221 2.0.0 Bye']);
  });

  it('cleanup logs no helo= when smtpd sent no HELO name (smtpd.c sends MAIL_ATTR_LOG_HELO_NAME only with one)', () => {
    const conv = noHelo(milter('endOfMessage', 'reject'), [MAIL, RCPT, ...MESSAGE]);
    expect(conv.logLines).toContainEqual(expect.stringMatching(/^\w+: milter-reject: END-OF-MESSAGE from localhost\[127\.0\.0\.1\]: 5\.7\.1 Command rejected; from=<alice@example\.test> to=<bob@example\.test> proto=SMTP$/));
  });

  it('a HELO inside a message the milter accepted at MAIL is asked (milter8_helo_event() in MILTER8_STAT_ACCEPT_MSG); its reject then persists', () => {
    const config = { ...milter('mail', 'accept'), milterReplies: { ...MILTER_CONTINUES, mail: milterReplyOf('accept'), helo: milterReplyOf('reject') } };
    const conv = noHelo(config, [MAIL, 'EHLO lab\r\n', MAIL]);
    expect(conv.replies.slice(1, -1)).toEqual(['250 2.1.0 Ok', '250-backend.example.test', '250 ENHANCEDSTATUSCODES', REJECTED]);
    expect(conv.logLines).toContain(`NOQUEUE: milter-reject: EHLO from ${CLIENT}: ${REJECTED}; proto=SMTP helo=<lab>`);
  });

  it('a HELO after a DISCARD is not asked (helo_cmd(): MILTER_SKIP_FLAGS); its mail_reset() clears the DISCARD', () => {
    const config = { ...milter('mail', 'discard'), milterReplies: { ...MILTER_CONTINUES, mail: milterReplyOf('discard'), helo: milterReplyOf('reject') } };
    const conv = noHelo(config, [MAIL, 'HELO lab\r\n']);
    expect(conv.replies.slice(1, -1)).toEqual(['250 2.1.0 Ok', '250 backend.example.test']);
    expect(conv.logLines.filter((l) => l.includes('milter-'))).toEqual([`NOQUEUE: milter-discard: MAIL from ${CLIENT}: milter triggers DISCARD action; from=<alice@example.test> proto=SMTP`]);
  });
});

describe('what a refusal at MAIL or RCPT leaves behind: nothing (milter8_event() keeps no reply at a message event)', () => {
  it('after a reject at RCPT, EHLO is answered in full and logs nothing, and the next MAIL is asked again', () => {
    const conv = run(milter('rcpt', 'reject'), [MAIL, RCPT, 'RSET\r\n', 'EHLO lab\r\n', MAIL]);
    const afterRset = repliesOf(conv).slice(3);
    expect(afterRset.slice(0, -1)).toEqual(run({}, []).replies.slice(1, -1));
    expect(afterRset.at(-1)).toBe('250 2.1.0 Ok');
    expect(conv.logLines.filter((l) => l.includes('milter-'))).toHaveLength(1);
  });
});

describe("the end of the message: the verdict's first character decides (cleanup_milter_apply())", () => {
  it("a reply of the milter's own that ends in H is a reject, not a HOLD", () => {
    const conv = run(milter('endOfMessage', '554 5.7.1 Message refused: FLAGGED AS SPAM BY MAILSEARCH'), [MAIL, RCPT, ...MESSAGE]);
    expect(repliesOf(conv).at(-1)).toBe('554 5.7.1 Message refused: FLAGGED AS SPAM BY MAILSEARCH');
    expect(conv.logLines.filter((l) => l.includes('milter-')).map((l) => / (milter-\w+): /.exec(l)![1])).toEqual(['milter-reject']);
    expect(conv.model.queue.messages).toEqual([]);
  });
});

describe('SMFIR_ACCEPT at connect: no event for the rest of the connection', () => {
  it('MAIL and RCPT after EHLO and after RSET (both milter8_abort()) are not asked', () => {
    const replies = { ...MILTER_CONTINUES, connect: milterReplyOf('accept'), mail: milterReplyOf('reject'), rcpt: milterReplyOf('reject') };
    const conv = run({ ...milter('connect', 'accept'), milterReplies: replies }, [MAIL, RCPT, 'RSET\r\n', MAIL, RCPT]);
    expect(repliesOf(conv)).toEqual(['250 2.1.0 Ok', '250 2.1.5 Ok', '250 2.0.0 Ok', '250 2.1.0 Ok', '250 2.1.5 Ok']);
    expect(conv.logLines.filter((l) => l.includes('milter-'))).toEqual([]);
  });
});

describe('milter_other_event(): VRFY, ETRN and AUTH are refused by a kept 4xx or 5xx only', () => {
  it('an unreachable milter with milter_default_action = quarantine keeps "H": VRFY, ETRN and AUTH answer as without a milter', () => {
    const lines = ['VRFY bob\r\n', 'ETRN example.test\r\n', 'AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n'];
    const sasl = { smtpd_sasl_auth_enable: true, saslUsers: { 'alice@example.test': 'secret' } };
    const held = run({ ...milter('connect', 'unavailable', 'quarantine'), ...sasl }, lines);
    const none = run(sasl, lines);
    expect(repliesOf(held)).toEqual(repliesOf(none));
    expect(repliesOf(none).at(-1)).toBe('235 2.7.0 Authentication successful');
  });
});
