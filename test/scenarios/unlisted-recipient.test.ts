/* unlisted-recipient - postfix.smtpd_reject_unlisted_recipient and postfix.virtual_mailbox_maps through a whole chain
 *
 * Mailu's 10025 service sets -o smtpd_reject_unlisted_recipient=no (core/postfix/conf/master.cf,
 * 2.0.43 and 2024.06, unless REJECT_UNLISTED_RECIPIENT), so the built-in Mailu scenarios look no
 * recipient up; with it on, the logged-in client's RCPT to an address virtual_mailbox_maps does not
 * list gets Postfix's 550 5.1.1 through the front (models/postfix/rcpt-maps.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.ts';
import { runScenario } from '../../scenarios/run.ts';

const rcptReply = (...sets: string[]) => runScenario(loadScenario({ scenario: 'mailu-2024.06', sets }), { seed: 1 }).client.replies.at(-2);
const ONLY_ALICE = 'postfix.virtual_mailbox_maps=inline:{ alice@example.test=1 }';

describe('the default recipient bob@example.test', () => {
  it("mailu-2024.06 (Mailu's 10025: smtpd_reject_unlisted_recipient = no): queued whatever the table", () => {
    expect(loadScenario({ scenario: 'mailu-2024.06' }).get('postfix.smtpd_reject_unlisted_recipient')).toBe('no');
    expect(rcptReply(ONLY_ALICE)).toMatch(/^250 2\.0\.0 Ok: queued as /);
  });

  it('with it on: 550 5.1.1 unless the table lists bob or @example.test', () => {
    expect(rcptReply('postfix.smtpd_reject_unlisted_recipient=yes', ONLY_ALICE)).toBe('550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown in virtual mailbox table');
    expect(rcptReply('postfix.smtpd_reject_unlisted_recipient=yes', 'postfix.virtual_mailbox_maps=inline:{ @example.test=1 }')).toMatch(/^250 2\.0\.0 Ok: queued as /);
  });

  it('the real stack keeps Postfix\'s default, yes', () => {
    expect(loadScenario({ scenario: 'real-stack' }).get('postfix.smtpd_reject_unlisted_recipient')).toBe('yes');
  });
});
