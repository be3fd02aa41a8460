/* nginx-differential-known - the disagreements between the lab and the real nginx 1.22.1 → Postfix 3.7.11 that the differential test accepts, with why
 *
 * Each was seen through the real chain (Debian 12: nginx 1.22.1-9+deb12u11 with libnginx-mod-mail,
 * postfix 3.7.11; conformance/nginx-differential-real.ts) and judged against the sources. None is
 * in the nginx front: nginx and the model answered every generated line alike (600 sessions at each of
 * seeds 1, 3, 5, 7 and 11, `npx tsx conformance/nginx-differential-main.ts 600 SEED`, and 2,200 of the
 * Dovecot differential's sessions before the nginx lines were added). The two it found were the
 * Postfix model's, met after login, where nginx relays the client's bytes to Postfix as they are,
 * and both are modelled now: "NOOP\rx" (every command's words are smtpd_token()'s, session.ts) and
 * "RCPT TO:<bob>" (a bare local part is at $myorigin, resolve-addr.ts). A session
 * disagrees acceptably when its first disagreement is one of these; each entry's witness must still
 * show it, so an entry whose cause is fixed fails until it is removed here.
 */
import { knownIn, type Disagreement, type KnownDisagreement } from './front-differential.ts';

export interface KnownNginxDisagreement extends KnownDisagreement {
  /** The shortest session found that shows it: its first disagreement is this entry. */
  readonly witness: readonly string[];
}

export const KNOWN_NGINX_DISAGREEMENTS: readonly KnownNginxDisagreement[] = [];

/** The known disagreement `d` is, or null. */
export function knownNginxDisagreement(d: Disagreement): KnownDisagreement | null {
  return knownIn(KNOWN_NGINX_DISAGREEMENTS, d);
}
