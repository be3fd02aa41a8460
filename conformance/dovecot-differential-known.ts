/* dovecot-differential-known - the disagreements between the lab and the real stack that the differential test accepts, with why
 *
 * Each was seen on the real stack (Debian 12: dovecot 2.3.19.1+dfsg1-2.1+deb12u7, postfix 3.7.11)
 * and judged against the sources; none is a model error that a small change of the Dovecot front
 * fixes (those were fixed: dovecot-session.ts, 530 before AUTH and STARTTLS's 502; Debian's base64
 * check in the login and lib-smtp's order for a long line with a long name, which were listed here,
 * are modelled: releases.ts 2.3.19.1+deb12u7, lib-smtp-command.ts; the real stack's error transport,
 * which the Postfix model lacked, is modelled too: models/postfix/transports.ts). A session
 * disagrees acceptably when its first disagreement is one of these; the test also wants every one
 * of them seen in its run, so an entry that no longer happens (because the lab was fixed) fails
 * until it is removed here.
 */
import { knownIn, type Disagreement, type KnownDisagreement } from './front-differential.ts';

export const KNOWN_DOVECOT_DISAGREEMENTS: readonly KnownDisagreement[] = [];

/** The known disagreement `d` is, or null. */
export function knownDisagreement(d: Disagreement): KnownDisagreement | null {
  return knownIn(KNOWN_DOVECOT_DISAGREEMENTS, d);
}
