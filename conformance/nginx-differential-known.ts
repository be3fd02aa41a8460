/* nginx-differential-known - the disagreements between the lab and the real nginx 1.22.1 → Postfix 3.7.11 that the differential test accepts, with why
 *
 * Each was seen through the real chain (Debian 12: nginx 1.22.1-9+deb12u11 with libnginx-mod-mail,
 * postfix 3.7.11; conformance/nginx-differential-real.ts) and judged against the sources. None is
 * in the nginx front: nginx and the model answered every generated line alike (600 sessions at each of
 * seeds 1, 3, 5, 7 and 11, `npx tsx conformance/nginx-differential-main.ts 600 SEED`, and 2,200 of the
 * Dovecot differential's sessions before the nginx lines were added). Both are the Postfix model's,
 * met after login, where nginx relays the client's bytes to Postfix as they are. A session
 * disagrees acceptably when its first disagreement is one of these; each entry's witness must still
 * show it, so an entry whose cause is fixed fails until it is removed here.
 */
import { knownIn, type Disagreement, type KnownDisagreement } from './front-differential.ts';
import { REAL_ACCOUNTS } from './real-stack/config.ts';

export interface KnownNginxDisagreement extends KnownDisagreement {
  /** The shortest session found that shows it: its first disagreement is this entry. */
  readonly witness: readonly string[];
}

const [[USER, PASSWORD]] = REAL_ACCOUNTS as [readonly [string, string]];
const LOGIN = `AUTH PLAIN ${Buffer.from(`\0${USER}\0${PASSWORD}`, 'latin1').toString('base64')}`;

export const KNOWN_NGINX_DISAGREEMENTS: readonly KnownNginxDisagreement[] = [
  {
    id: 'postfix-words-split-on-isspace',
    reason:
      "smtpd_token() splits a command into words at every ISSPACE() byte (smtpd/smtpd_token.c line 131, sys_defs.h ISSPACE: " +
      'isspace() of an ASCII byte: blank, tab, CR, LF, VT, FF; v3.7.11), and smtp_get() takes only the CR before the LF off the ' +
      'line, so "NOOP\\rx" is NOOP with the argument x: 250 2.0.0 Ok. The model splits at blanks and tabs only ' +
      "(models/postfix/session.ts words()), so its verb is 'NOOP\\rx': 500 5.5.2 Error: command not recognized. Before login " +
      "nginx refuses such a line itself (ngx_mail_smtp_parse_command() sw_almost_done: a CR not followed by LF), alike on both sides",
    witness: [LOGIN, 'NOOP\rx'],
    matches: (d) => d.line !== null && /[\r\v\f]/.test(d.line) && d.real.startsWith('250 ') && d.lab === '500 5.5.2 Error: command not recognized',
  },
  {
    id: 'postfix-bare-local-part-is-local-class',
    reason:
      "A recipient without a domain: trivial-rewrite resolve_addr() (resolve.c v3.7.11) appends @$myhostname to it (\"If no " +
      'domain was specified in the address, assume the local machine") but, since the address had no domain, takes the ' +
      'local-delivery branch (RESOLVE_CLASS_LOCAL, local_transport), so permit_auth_destination() lets it through and no error ' +
      'transport refuses it: 250 2.1.5 Ok, logged in or not (checked against the real Postfix alone too, after XCLIENT ADDR=). The ' +
      'model resolves it to <bob@$myhostname> and classes that domain by mydestination, empty here (models/postfix/resolve-addr.ts ' +
      "resolvedRecipient()): logged in, the default transport's refusal, 550 5.7.1 ... Recipient address rejected: no outbound " +
      "delivery in this lab; not logged in (after the client's own XCLIENT ADDR=, which Postfix takes from nginx's address and " +
      'which ends the SASL login: xclient_cmd() calls smtpd_sasl_auth_reset() without LOGIN=), 554 5.7.1 Relay access denied. ' +
      "Why the real one then finds no 'User unknown in local recipient table' (local_recipient_maps), as it does for " +
      '<bob@[127.0.0.1]> (conformance/smtpd-diff/known.ts), was not read. Through Dovecot too, outside the front',
    // EHLO first: without it Postfix wants one after nginx's XCLIENT (smtpd_helo_required = yes), on both sides.
    witness: ['EHLO client.example.test', LOGIN, `MAIL FROM:<${USER}>`, 'RCPT TO:<bob>'],
    matches: (d) =>
      d.line !== null &&
      /^RCPT TO:<([^@>]+)>$/i.test(d.line) &&
      d.real === '250 2.1.5 Ok' &&
      /^(554 5\.7\.1 <[^@>]+>: Relay access denied|550 5\.7\.1 <[^@>]+>: Recipient address rejected: no outbound delivery in this lab)$/.test(d.lab),
  },
];

/** The known disagreement `d` is, or null. */
export function knownNginxDisagreement(d: Disagreement): KnownDisagreement | null {
  return knownIn(KNOWN_NGINX_DISAGREEMENTS, d);
}
