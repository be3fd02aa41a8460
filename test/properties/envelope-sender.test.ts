/* envelope-sender - a generated correct client's MAIL FROM is an address Postfix accepts
 *
 * The generated logins are of any alphabet on purpose (Dovecot's XCLIENT splitting, Mailu's
 * decoding), but the envelope sender a correct client sends must be an address: with
 * '"_@example.test' as MAIL FROM (an unclosed quote), Postfix answers 501 5.1.7 and
 * fixed-sequencing "failed" at run 1,855 of seed 1 for a client that was not correct.
 * 30,000 draws: the old rule (any printable ASCII login) is caught at that size, not at 3,000.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientBehaviour, DEFAULT_USER, envelopeSenderFor } from '../../properties/arbitraries/client-behaviour.ts';
import { lockstep, talk } from '../models/postfix/talk.ts';

const EHLO = 'EHLO client.example.test';

/** Postfix's reply to MAIL: the line after EHLO's last one ('250 ' after the 220 banner and the '250-' lines). */
function mailReply(sender: string): string | undefined {
  const { replies } = talk({}, lockstep([`${EHLO}\r\n`, `MAIL FROM:<${sender}>\r\n`]));
  return replies[replies.findIndex((line) => line.startsWith('250 ')) + 1];
}

describe('the envelope sender of a generated client', () => {
  it('is the login when that is a dot-atom mailbox, alice otherwise', () => {
    expect(envelopeSenderFor('alice@example.test')).toBe('alice@example.test');
    expect(envelopeSenderFor("o'brien.x+tag@example.test")).toBe("o'brien.x+tag@example.test");
    for (const login of ['"_@example.test', '¡@example.test', '.a@example.test', 'a..b@example.test', 'a b@example.test', 'a@other.test']) {
      expect(envelopeSenderFor(login)).toBe(DEFAULT_USER);
    }
  });

  it('is accepted by the Postfix model at MAIL for every generated client', () => {
    const senders = new Set<string>();
    fc.assert(
      fc.property(clientBehaviour(), (client) => {
        for (const group of client.groups) for (const step of group.steps) if (step.kind === 'mail') senders.add(step.from);
      }),
      { numRuns: 30_000, seed: 7 },
    );
    expect(senders.size).toBeGreaterThan(10);
    for (const sender of senders) expect([sender, mailReply(sender)]).toEqual([sender, '250 2.1.0 Ok']);
  });

  it('would not be, for the login that made fixed-sequencing fail', () => {
    expect(mailReply('"_@example.test')).toMatch(/^501 5\.1\.7 /);
  });
});
