/* milter-early-verdicts - SMFIR_DISCARD at connect or HELO, and SMFIR_QUARANTINE before the end of the message
 *
 * Read at Postfix v3.7.11 (the same text at v3.9.0; v3.10.0 adds the quarantine's reason to "H"),
 * milter/milter8.c milter8_event(): SMFIR_DISCARD at SMFIC_CONNECT or SMFIC_HELO logs "milter
 * <name>: DISCARD action is not allowed for connect or helo" and answers def_reply (none), so the
 * session goes on as after a continue. SMFIR_QUARANTINE sets def_reply "H" (milter8_def_reply())
 * and reads the next reply (the lab's milter continues, which answers def_reply); milter8_abort()
 * leaves def_reply, so every later event smtpd sends finds it in milter8_event()'s sanity check:
 * "warning: milter8_event: attempt to send event SMFIC_<event> to milter <name> after error", and
 * "H" unasked. smtpd.c check_milter_reply() logs each "H" as milter-hold (from v3.10.0 once while
 * saved_flags hold it) and answers nothing; data_cmd() sends milter_data_event() too. cleanup's copy
 * of the milter (milter8_send() does not pass def_reply) asks at the end of the message.
 */
import { describe, expect, it } from 'vitest';
import type { PostfixConfig } from '../../../models/postfix/config.js';
import { MILTER_CONTINUES, milterReplyOf, type MilterStage } from '../../../models/postfix/milter.js';
import { lockstep, talk, EHLO_LAB } from './talk.js';

const NAME = 'inet:milter:11332';
const CLIENT = 'localhost[127.0.0.1]';
const QUEUED = /^250 2\.0\.0 Ok: queued as [0-9A-F]{11}$/;
const TRANSACTION = ['MAIL FROM:<alice@example.test>\r\n', 'RCPT TO:<bob@example.test>\r\n', 'DATA\r\n', 'Subject: hi\r\n\r\nhello\r\n.\r\n'];

const milter = (answers: Partial<Record<MilterStage, string>>, mail_version = '3.7.11'): Partial<PostfixConfig> => ({
  mail_version,
  smtpd_milters: [NAME],
  milterReplies: { ...MILTER_CONTINUES, ...Object.fromEntries(Object.entries(answers).map(([stage, text]) => [stage, milterReplyOf(text)])) },
});
const run = (config: Partial<PostfixConfig>, lines: readonly string[]) => talk(config, lockstep([...lines, 'QUIT\r\n']));
const sanity = (event: string) => `warning: milter8_event: attempt to send event SMFIC_${event} to milter ${NAME} after error`;
const DISCARD_WARNING = `warning: milter ${NAME}: DISCARD action is not allowed for connect or helo`;

describe('SMFIR_DISCARD at connect or HELO', () => {
  it('at connect: the warning, then the session as without a milter verdict: 220, the whole EHLO reply, the message queued, nothing discarded', () => {
    const conv = run(milter({ connect: 'discard' }), ['EHLO lab\r\n', ...TRANSACTION]);
    expect(conv.replies.slice(0, 13)).toEqual(['220 backend.example.test ESMTP lab-postfix', ...EHLO_LAB]);
    expect(conv.replies.at(-2)).toMatch(QUEUED);
    expect(conv.logLines.filter((l) => l.includes('milter'))).toEqual([DISCARD_WARNING]);
    expect(conv.model.queue.messages).toHaveLength(1);
  });

  it('at HELO: a warning for each HELO or EHLO, the name taken, the next MAIL asked as usual', () => {
    const conv = run(milter({ helo: 'discard', mail: 'reject' }), ['EHLO lab\r\n', 'HELO lab\r\n', TRANSACTION[0]!]);
    expect(conv.replies.slice(-3)).toEqual(['250 backend.example.test', '550 5.7.1 Command rejected', '221 2.0.0 Bye']);
    expect(conv.logLines.filter((l) => l.includes('DISCARD'))).toEqual([DISCARD_WARNING, DISCARD_WARNING]);
  });
});

describe('SMFIR_QUARANTINE before the end of the message', () => {
  it('at connect (3.7.11): milter-hold at CONNECT, then every event warns and holds, DATA too; the second message is held again', () => {
    const conv = run(milter({ connect: 'quarantine', endOfMessage: 'continue' }), ['EHLO lab\r\n', ...TRANSACTION, TRANSACTION[0]!, 'XYZZY\r\n']);
    expect(conv.replies.filter((r) => QUEUED.test(r))).toHaveLength(1);
    expect(conv.replies.at(-2)).toBe('500 5.5.2 Error: command not recognized');
    const lines = conv.logLines.filter((l) => l.includes('milter'));
    const hold = (where: string) => new RegExp(`^(NOQUEUE|[0-9A-F]{11}): milter-hold: ${where} from localhost\\[127\\.0\\.0\\.1\\]: milter triggers HOLD action;`);
    const expected = [hold('CONNECT'), sanity('HELO'), hold('EHLO'), sanity('MAIL'), hold('MAIL'), sanity('RCPT'), hold('RCPT'), sanity('DATA'), hold('DATA'), sanity('MAIL'), hold('MAIL'), sanity('UNKNOWN'), hold('UNKNOWN')];
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => (typeof expected[i] === 'string' ? expect(line).toBe(expected[i]) : expect(line).toMatch(expected[i] as RegExp)));
    expect(lines[0]).toBe(`NOQUEUE: milter-hold: CONNECT from ${CLIENT}: milter triggers HOLD action; proto=SMTP`);
  });

  it('at connect (3.10.0): the same warnings; milter-hold only where saved_flags do not hold it yet (CONNECT, then each MAIL after mail_reset())', () => {
    const conv = run(milter({ connect: 'quarantine' }, '3.10.0'), ['EHLO lab\r\n', ...TRANSACTION, TRANSACTION[0]!]);
    const lines = conv.logLines.filter((l) => l.includes('milter'));
    expect(lines.filter((l) => l.startsWith('warning:'))).toEqual(['HELO', 'MAIL', 'RCPT', 'DATA', 'MAIL'].map(sanity));
    expect(lines.filter((l) => l.includes('milter-hold')).map((l) => / (\S+) from /.exec(l)![1])).toEqual(['CONNECT', 'MAIL', 'MAIL']);
  });

  it('at RCPT: the end of the message is still asked (its reject refuses the message), and the next transaction gets "H" at MAIL', () => {
    const conv = run(milter({ rcpt: 'quarantine', endOfMessage: 'reject' }), ['EHLO lab\r\n', ...TRANSACTION, TRANSACTION[0]!]);
    expect(conv.replies.slice(-3)).toEqual(['550 5.7.1 Command rejected', '250 2.1.0 Ok', '221 2.0.0 Bye']);
    expect(conv.logLines.filter((l) => l.startsWith('warning:'))).toEqual(['DATA', 'MAIL'].map(sanity));
  });

  it('BDAT: the first chunk of a transaction sends the DATA event (bdat_cmd(): "a kind of DATA command"), the next chunks do not', () => {
    const conv = run(milter({ connect: 'quarantine' }), ['EHLO lab\r\n', TRANSACTION[0]!, TRANSACTION[1]!, 'BDAT 4\r\nab\r\n', 'BDAT 0 LAST\r\n']);
    expect(conv.replies.slice(-3)).toEqual(['250 2.0.0 Ok: 4 bytes', expect.stringMatching(/^250 2\.0\.0 Ok: 4 bytes queued as [0-9A-F]{11}$/), '221 2.0.0 Bye']);
    expect(conv.logLines.filter((l) => l.startsWith('warning:'))).toEqual(['HELO', 'MAIL', 'RCPT', 'DATA'].map(sanity));
  });

  it('BDAT n LAST alone is the first chunk too: it sends the DATA event (bdat_cmd(): !SMTPD_PROCESSING_BDAT)', () => {
    const conv = run(milter({ connect: 'quarantine' }), ['EHLO lab\r\n', TRANSACTION[0]!, TRANSACTION[1]!, 'BDAT 4 LAST\r\nab\r\n']);
    expect(conv.replies.at(-2)).toMatch(/^250 2\.0\.0 Ok: 4 bytes queued as [0-9A-F]{11}$/);
    expect(conv.logLines.filter((l) => l.startsWith('warning:'))).toEqual(['HELO', 'MAIL', 'RCPT', 'DATA'].map(sanity));
  });

  it('VRFY and the other commands that only read def_reply (milter_other_event()) are not refused by "H"', () => {
    const conv = run(milter({ connect: 'quarantine' }), ['EHLO lab\r\n', 'VRFY bob\r\n']);
    expect(conv.replies.at(-2)).toBe('252 2.0.0 bob');
  });

  it('a new connection starts without it (setup_milters(): a new milter per connection)', () => {
    const conv = run(milter({ mail: 'quarantine' }), ['EHLO lab\r\n']);
    expect(conv.logLines.filter((l) => l.includes('milter'))).toEqual([]);
  });
});
