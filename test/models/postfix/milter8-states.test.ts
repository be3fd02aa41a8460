/* milter8-states - the model milter's states event by event, without a session: what milter8.c keeps and when it asks
 *
 * Read at Postfix v3.7.11 (the same at v3.9.0 and v3.10.13), milter/milter8.c: milter8_event()
 * (SMFIR_SHUTDOWN leaves MILTER8_STAT_REJECT_CON with def_reply "S" at any event; SMFIR_ACCEPT and
 * SMFIR_DISCARD at a message event leave MILTER8_STAT_ACCEPT_MSG; SMFIR_REJECT at a message event
 * answers that event only), milter8_helo_event() (asked in MILTER8_STAT_ENVELOPE and _ACCEPT_MSG),
 * milter8_mail_event(), milter8_rcpt_event() and milter8_message() (asked in _ENVELOPE only),
 * milter8_abort() (_ACCEPT_MSG back to _ENVELOPE; _ACCEPT_CON, _REJECT_CON and _ERROR stay);
 * smtpd/smtpd.c MILTER_SKIP_FLAGS: with CLEANUP_FLAG_DISCARD in saved_flags, helo_cmd(),
 * mail_cmd() and rcpt_cmd() ask no milter, and mail_reset() clears saved_flags.
 */
import { describe, expect, it } from 'vitest';
import { MILTER_CONTINUES, milterReplyOf, ModelMilter, type MilterStage } from '../../../models/postfix/milter.js';
import { postfixRelease } from '../../../models/postfix/releases.js';

const REJECTED = '550 5.7.1 Command rejected';

/** A milter smtpd reached (3.7.11) that answers as given at each stage, continue elsewhere. */
function milter(answers: Partial<Record<MilterStage, string>>): ModelMilter {
  const replies = { ...MILTER_CONTINUES };
  for (const [stage, text] of Object.entries(answers) as [MilterStage, string][]) replies[stage] = milterReplyOf(text);
  return new ModelMilter(replies, 'tempfail', postfixRelease('3.7.11'), 'inet:milter:11332');
}

describe('a fresh milter', () => {
  it('holds neither HOLD nor DISCARD: its first MAIL is asked (saved_flags start empty)', () => {
    const m = milter({ mail: 'reject' });
    expect([m.hold, m.discard]).toEqual([false, false]);
    expect(m.mail()).toBe(REJECTED);
  });
});

describe('SMFIR_SHUTDOWN at a message event is final for the connection (MILTER8_STAT_REJECT_CON, def_reply "S")', () => {
  it('at MAIL: every later event, even after milter8_abort(), gets "S" without asking', () => {
    const m = milter({ mail: 'shutdown' });
    expect(m.mail()).toBe('S');
    m.abort();
    expect([m.helo(), m.mail(), m.rcpt(), m.endOfMessage(), m.later()]).toEqual(['S', 'S', 'S', 'S', 'S']);
  });

  it('at RCPT: the same', () => {
    const m = milter({ rcpt: 'shutdown' });
    expect([m.mail(), m.rcpt(), m.endOfMessage(), m.later()]).toEqual([null, 'S', 'S', 'S']);
  });
});

describe('SMFIR_REJECT and SMFIR_REPLYCODE at a message event answer that event only', () => {
  it('after a reject at RCPT, a HELO is asked and nothing is kept', () => {
    const m = milter({ rcpt: 'reject', helo: 'continue' });
    expect(m.mail()).toBeNull();
    expect(m.rcpt()).toBe(REJECTED);
    expect([m.later(), m.helo()]).toEqual([null, null]);
    m.abort();
    expect(m.mail()).toBeNull();
  });

  it("a reply of the milter's own at MAIL: the next MAIL is asked again, and VRFY's milter_other_event() finds nothing", () => {
    const m = milter({ mail: '553 5.7.1 Sender unwelcome', rcpt: 'reject' });
    expect(m.mail()).toBe('553 5.7.1 Sender unwelcome');
    expect(m.later()).toBeNull();
    m.abort();
    expect(m.mail()).toBe('553 5.7.1 Sender unwelcome');
  });
});

describe('SMFIR_ACCEPT and SMFIR_DISCARD at a message event end its events (MILTER8_STAT_ACCEPT_MSG)', () => {
  it("discard at MAIL: RCPT and the end of the message are not asked, in milter8 itself (before smtpd's saved_flags)", () => {
    const m = milter({ mail: 'discard', rcpt: 'reject', endOfMessage: 'reject' });
    expect(m.mail()).toBe('D');
    expect([m.rcpt(), m.endOfMessage()]).toEqual([null, null]);
  });

  it('accept at MAIL: the same', () => {
    const m = milter({ mail: 'accept', rcpt: 'reject', endOfMessage: 'reject' });
    expect([m.mail(), m.rcpt(), m.endOfMessage()]).toEqual([null, null, null]);
  });

  it('a HELO in the accepted message is asked (milter8_helo_event() in MILTER8_STAT_ACCEPT_MSG), and a reject there is final for the connection', () => {
    const m = milter({ mail: 'accept', helo: 'reject' });
    expect(m.mail()).toBeNull();
    expect(m.helo()).toBe(REJECTED);
    m.abort();
    expect([m.mail(), m.later()]).toEqual([REJECTED, REJECTED]);
  });
});

describe('saved_flags DISCARD (MILTER_SKIP_FLAGS): smtpd asks no milter until mail_reset()', () => {
  it('with DISCARD set, HELO, MAIL, RCPT and the end of the message are not asked; milter8_abort() (mail_reset()) clears it', () => {
    const m = milter({ helo: 'reject', mail: 'reject', rcpt: 'reject', endOfMessage: 'reject' });
    m.discard = true;
    expect([m.helo(), m.mail(), m.rcpt(), m.endOfMessage()]).toEqual([null, null, null, null]);
    m.abort();
    expect(m.discard).toBe(false);
    expect(m.mail()).toBe(REJECTED);
  });

  it('a DISCARD at RCPT: no HELO event after it until the transaction ends', () => {
    const m = milter({ rcpt: 'discard', helo: 'reject' });
    expect([m.mail(), m.rcpt()]).toEqual([null, 'D']);
    m.discard = true; // check_milter_reply()
    expect(m.helo()).toBeNull();
    m.abort();
    expect(m.helo()).toBe(REJECTED);
  });
});

describe('SMFIR_ACCEPT at connect is final for the connection (MILTER8_STAT_ACCEPT_CON)', () => {
  it('no event is asked, and milter8_abort() (HELO, RSET, the end of a message) does not change that', () => {
    const m = milter({ connect: 'accept', helo: 'reject', mail: 'reject', rcpt: 'reject', endOfMessage: 'reject' });
    expect([m.connect(), m.helo()]).toEqual([null, null]);
    m.abort();
    expect([m.mail(), m.rcpt(), m.endOfMessage(), m.later()]).toEqual([null, null, null, null]);
    m.abort();
    expect([m.helo(), m.mail()]).toEqual([null, null]);
  });
});

describe('a milter smtpd cannot reach (MILTER8_STAT_ERROR)', () => {
  it("every event gets milter_default_action's reply, and milter8_abort() keeps it", () => {
    const m = new ModelMilter({ ...MILTER_CONTINUES, connect: milterReplyOf('unavailable'), mail: milterReplyOf('reject') }, 'tempfail', postfixRelease('3.7.11'), 'inet:milter:11332');
    const TEMPFAIL = '451 4.7.1 Service unavailable - try again later';
    expect([m.connect(), m.helo()]).toEqual([TEMPFAIL, TEMPFAIL]);
    m.abort();
    expect([m.mail(), m.rcpt(), m.later()]).toEqual([TEMPFAIL, TEMPFAIL, TEMPFAIL]);
  });
});
