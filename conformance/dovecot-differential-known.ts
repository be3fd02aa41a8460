/* dovecot-differential-known - the disagreements between the lab and the real stack that the differential test accepts, with why
 *
 * Each was seen on the real stack (Debian 12: dovecot 2.3.19.1+dfsg1-2.1+deb12u7, postfix 3.7.11)
 * and judged against the sources; none is a model error that a small change of the Dovecot front
 * fixes (those were fixed: dovecot-session.ts, 530 before AUTH and STARTTLS's 502; Debian's base64
 * check in the login and lib-smtp's order for a long line with a long name, which were listed here,
 * are modelled: releases.ts 2.3.19.1+deb12u7, lib-smtp-command.ts). A session
 * disagrees acceptably when its first disagreement is one of these; the test also wants every one
 * of them seen in its run, so an entry that no longer happens (because the lab was fixed) fails
 * until it is removed here.
 */
import { knownIn, type Disagreement, type KnownDisagreement } from './front-differential.ts';

export const KNOWN_DOVECOT_DISAGREEMENTS: readonly KnownDisagreement[] = [
  {
    id: 'postfix-error-transport',
    reason:
      "the real stack's main.cf (conformance/real-stack/config.ts) sends every domain but example.test to " +
      "'error:5.7.1 no outbound delivery in this lab' (default_transport, relay_transport), and smtpd refuses a recipient whose " +
      "transport is error at RCPT (smtpd_check.c check_rcpt_maps(), MAIL_SERVICE_ERROR, v3.7.11): 550 5.7.1 with that text. " +
      "The scenario's Postfix model has no transports and accepts the relayed recipient (permit_sasl_authenticated): a finding " +
      'about the real-stack scenario, outside the Dovecot front',
    matches: (d) =>
      d.line !== null && /^RCPT TO:<[^>]*@elsewhere\.test>$/.test(d.line) && d.real.startsWith('550 5.7.1 <') && d.real.endsWith('Recipient address rejected: no outbound delivery in this lab') && d.lab === '250 2.1.5 Ok',
  },
];

/** The known disagreement `d` is, or null. */
export function knownDisagreement(d: Disagreement): KnownDisagreement | null {
  return knownIn(KNOWN_DOVECOT_DISAGREEMENTS, d);
}
