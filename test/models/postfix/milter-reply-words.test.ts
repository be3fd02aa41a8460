/* milter-reply-words - which answers a scenario may give the model milter at each stage, and why the others are refused
 *
 * Read at Postfix v3.7.11 (the same at v3.9.0 and v3.10.13), milter/milter8.c milter8_event():
 * every SMFIR_* reply is read at every event (SMFIR_DISCARD at connect or HELO only warns,
 * SMFIR_QUARANTINE before the end of the message keeps "H": milter8-states.test.ts); SMFIR_REPLYCODE
 * must start with 4 or 5, two digits and a space or '-', and an enhanced status code, when one
 * follows, must have the reply's class ("malformed reply" otherwise); milter8_connect(): whether
 * smtpd reaches the milter is found at connect. A quarantine before the end of the message is a
 * milter that speaks the protocol itself: libmilter's smfi_quarantine() may be called from
 * xxfi_eom() only. The lab takes one-line replies only.
 */
import { describe, expect, it } from 'vitest';
import { milterReplyAllowed, milterReplyProblem, MILTER_STAGES } from '../../../models/postfix/milter.js';

/** Each stage's answers by the milter protocol's names (SMFIR_*), and `unavailable` at connect. */
const TAKEN = {
  connect: ['continue', 'accept', 'reject', 'tempfail', 'shutdown', 'discard', 'quarantine', 'unavailable'],
  helo: ['continue', 'accept', 'reject', 'tempfail', 'shutdown', 'discard', 'quarantine'],
  mail: ['continue', 'accept', 'reject', 'tempfail', 'shutdown', 'discard', 'quarantine'],
  rcpt: ['continue', 'accept', 'reject', 'tempfail', 'shutdown', 'discard', 'quarantine'],
  endOfMessage: ['continue', 'accept', 'reject', 'tempfail', 'discard', 'quarantine'],
} as const;

const WHY_NOT = {
  shutdown: 'a shutdown at the end of the message (cleanup) is not modelled',
  unavailable: 'whether smtpd reaches the milter is found at connect',
} as const;

describe('the answers each stage takes', () => {
  it('every action a stage takes is no problem there', () => {
    for (const stage of MILTER_STAGES) {
      for (const action of TAKEN[stage]) expect(milterReplyProblem(stage, action), `${stage} ${action}`).toBeNull();
    }
  });

  it('an action a stage does not take is refused with the reason', () => {
    for (const stage of MILTER_STAGES) {
      for (const [action, why] of Object.entries(WHY_NOT)) {
        if ((TAKEN[stage] as readonly string[]).includes(action)) continue;
        expect(milterReplyProblem(stage, action), `${stage} ${action}`).toBe(`"${action}" is not an answer at ${stage}: ${why}`);
      }
    }
  });

  it('the allowed list names them in order, then the reply of its own', () => {
    expect(milterReplyAllowed('connect')).toBe("continue, accept, reject, tempfail, shutdown, discard, quarantine, unavailable, or a one-line reply '4NN text' / '5NN text' (SMFIR_REPLYCODE)");
    expect(milterReplyAllowed('rcpt')).toBe("continue, accept, reject, tempfail, shutdown, discard, quarantine, or a one-line reply '4NN text' / '5NN text' (SMFIR_REPLYCODE)");
    expect(milterReplyAllowed('endOfMessage')).toBe("continue, accept, reject, tempfail, discard, quarantine, or a one-line reply '4NN text' / '5NN text' (SMFIR_REPLYCODE)");
  });
});

describe('a reply of its own (SMFIR_REPLYCODE)', () => {
  it('4NN or 5NN and a space, with or without an enhanced status code of the same class, at any stage', () => {
    for (const stage of MILTER_STAGES) {
      for (const reply of ['550 5.7.1 No thanks', '451 4.7.1 Later', '554 Go away', '421 Closing']) expect(milterReplyProblem(stage, reply), `${stage} ${reply}`).toBeNull();
    }
  });

  it('a text that does not start with the code and a space is neither an action nor a reply', () => {
    for (const text of ['bounce', 'say 550 no', '250 2.0.0 Ok', '550-5.7.1 more', '55 short', '550']) {
      expect(milterReplyProblem('mail', text), text).toBe(`"${text}" is neither a milter action nor a reply starting with 4NN or 5NN and a space`);
    }
  });

  it('one line only', () => {
    expect(milterReplyProblem('rcpt', '550 5.7.1 a\r\n550 5.7.1 b')).toBe('"550 5.7.1 a\r\n550 5.7.1 b": one line only');
    expect(milterReplyProblem('rcpt', '550 a\nb')).toBe('"550 a\nb": one line only');
  });

  it("an enhanced status code of another class is malformed (milter8 checks the fifth character only when it is a digit)", () => {
    expect(milterReplyProblem('connect', '550 4.7.1 mixed')).toBe('"550 4.7.1 mixed": the enhanced status code\'s class 4 differs from the reply\'s 5 (milter8 refuses it as malformed)');
    expect(milterReplyProblem('connect', '451 5.7.1 mixed')).toBe('"451 5.7.1 mixed": the enhanced status code\'s class 5 differs from the reply\'s 4 (milter8 refuses it as malformed)');
  });
});
