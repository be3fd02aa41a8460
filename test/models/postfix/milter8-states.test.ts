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
 * SMFIR_DISCARD at connect or HELO only warns; SMFIR_QUARANTINE sets def_reply "H", which
 * milter8_abort() leaves, so milter8_event()'s sanity check answers every later event with it.
 */
import { describe, expect, it } from 'vitest';
import { MILTER_CONTINUES, milterReplyOf, ModelMilter, type MilterStage } from '../../../models/postfix/milter.js';
import { postfixRelease } from '../../../models/postfix/releases.js';

const REJECTED = '550 5.7.1 Command rejected';

/** A milter smtpd reached (3.7.11) that answers as given at each stage, continue elsewhere. */
function milter(answers: Partial<Record<MilterStage, string>>, warnings: string[] = []): ModelMilter {
  const replies = { ...MILTER_CONTINUES };
  for (const [stage, text] of Object.entries(answers) as [MilterStage, string][]) replies[stage] = milterReplyOf(text);
  return new ModelMilter(replies, 'tempfail', postfixRelease('3.7.11'), 'inet:milter:11332', (line) => warnings.push(line));
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
    const m = new ModelMilter({ ...MILTER_CONTINUES, connect: milterReplyOf('unavailable'), mail: milterReplyOf('reject') }, 'tempfail', postfixRelease('3.7.11'), 'inet:milter:11332', () => {});
    const TEMPFAIL = '451 4.7.1 Service unavailable - try again later';
    expect([m.connect(), m.helo()]).toEqual([TEMPFAIL, TEMPFAIL]);
    m.abort();
    expect([m.mail(), m.rcpt(), m.later()]).toEqual([TEMPFAIL, TEMPFAIL, TEMPFAIL]);
  });
});

describe('SMFIR_DISCARD at connect or HELO: a warning, then as after a continue', () => {
  it('nothing is kept and the next events are asked', () => {
    const warnings: string[] = [];
    const m = milter({ connect: 'discard', helo: 'discard', mail: 'reject' }, warnings);
    expect([m.connect(), m.helo(), m.later()]).toEqual([null, null, null]);
    expect(warnings).toEqual(Array(2).fill('warning: milter inet:milter:11332: DISCARD action is not allowed for connect or helo'));
    expect(m.mail()).toBe(REJECTED);
  });
});

describe('SMFIR_QUARANTINE before the end of the message: def_reply "H" for the rest of the connection', () => {
  it('at connect: every later event gets "H" unasked, with the sanity-check warning, also after milter8_abort()', () => {
    const warnings: string[] = [];
    const m = milter({ connect: 'quarantine', helo: 'reject', mail: 'reject', rcpt: 'reject' }, warnings);
    expect(m.connect()).toBe('H');
    expect(warnings).toEqual([]);
    expect([m.helo(), m.mail(), m.rcpt(), m.unknown(), m.later()]).toEqual(['H', 'H', 'H', 'H', 'H']);
    m.abort();
    expect(m.mail()).toBe('H');
    expect(warnings).toEqual(['HELO', 'MAIL', 'RCPT', 'UNKNOWN', 'MAIL'].map((event) => `warning: milter8_event: attempt to send event SMFIC_${event} to milter inet:milter:11332 after error`));
  });

  it('at RCPT: the end of the message is still asked (cleanup\'s copy of the milter has no def_reply), then the next MAIL gets "H"', () => {
    const warnings: string[] = [];
    const m = milter({ rcpt: 'quarantine', endOfMessage: 'reject' }, warnings);
    expect([m.mail(), m.rcpt(), m.endOfMessage()]).toEqual([null, 'H', REJECTED]);
    m.abort();
    expect(m.mail()).toBe('H');
    expect(warnings).toEqual(['warning: milter8_event: attempt to send event SMFIC_MAIL to milter inet:milter:11332 after error']);
  });

  it('in a message the milter accepted (a HELO after MAIL): RCPT and unknown commands get "H" skipped, without the warning (MILTER8_STAT_ACCEPT_MSG); after milter8_abort() MAIL warns', () => {
    const warnings: string[] = [];
    const m = milter({ mail: 'accept', helo: 'quarantine', rcpt: 'reject' }, warnings);
    expect([m.mail(), m.helo(), m.rcpt(), m.unknown()]).toEqual([null, 'H', 'H', 'H']);
    expect(warnings).toEqual([]);
    m.abort();
    expect(m.mail()).toBe('H');
    expect(warnings).toHaveLength(1);
  });
});

describe('an unknown command (milter8_unknown_event())', () => {
  it('is asked in the envelope (the model milter continues) and answered with def_reply once final', () => {
    expect(milter({}).unknown()).toBeNull();
    const m = milter({ connect: 'tempfail' });
    m.connect();
    expect(m.unknown()).toBe('451 4.7.1 Service unavailable - try again later');
  });
});
