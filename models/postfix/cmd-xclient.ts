/* cmd-xclient - the XCLIENT command: checks, attributes, resets, back to the greeting
 *
 * xclient_cmd() in postfix/src/smtpd/smtpd.c (v3.7.11 ~4500); the attribute loop is xclient.ts.
 */
import type { Micros } from '../contract.js';
import { namadrListMatch } from './address-list.js';
import type { CommandRow } from './command-table.js';
import type { SmtpdSession } from './session.js';
import { applyXclientAttributes } from './xclient.js';

/** xclient_cmd(): checks, attributes, re-evaluation, resets, then longjmp to the greeting. */
export function xclientCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: string[]): void {
  const t = s.config.timings;
  if (s.transaction) return s.respond(now, row, false, t.quickDelayUs, '503 5.5.1 Error: MAIL transaction in progress');
  if (argv.length < 2) return s.respond(now, row, false, t.quickDelayUs, '501 5.5.4 Syntax: XCLIENT attribute=value...');
  if (!s.xclientAllowed) return s.respond(now, row, false, t.quickDelayUs, '550 5.7.0 Error: insufficient authorization');
  const outcome = applyXclientAttributes(argv.slice(1), s.client, s.config.inet_protocols);
  if (outcome.error) {
    // HELO=, PROTO= and LOGIN= take effect as each is checked (UPDATE_STR(state->helo_name), UPDATE_STR(state->protocol),
    // smtpd_sasl_auth_extern()), so a later bad attribute leaves them set; only the reset after the loop is skipped,
    // and the rebuild of namaddr: NAME= and ADDR= are set too, but the log goes on naming the client as before.
    if (outcome.helo !== undefined) s.helo = outcome.helo;
    if (outcome.proto !== undefined) s.protocol = outcome.proto;
    if (outcome.login !== undefined) s.setSasl(outcome.login, 'XCLIENT', 'xclient');
    return s.respond(now, row, false, t.quickDelayUs, outcome.error);
  }
  s.rebuildNamaddr();
  // The lookup of smtpd_authorized_xclient_hosts (a slow tcp: table in E1) happens here.
  s.busy(now, t.xclientLookupDelayUs + t.xclientDelayUs, (at) => {
    s.xclientAllowed = namadrListMatch(s.config.smtpd_authorized_xclient_hosts, s.client.name, s.client.addr, false);
    // helo_reset() unless HELO= was given ([UNAVAILABLE] also leaves no HELO name).
    s.helo = outcome.helo ?? null;
    s.protocol = outcome.proto ?? 'SMTP';
    if (outcome.login !== undefined) s.setSasl(outcome.login, 'XCLIENT', 'xclient');
    else s.saslLogout();
    s.mailReset();
    // teardown_milters(); setup_milters(): the greeting asks a new milter about the new client.
    s.setupMilters();
    // vstream_longjmp(SMTP_ERR_NONE): the success counter is never reached (xclient=0/1).
    s.greeting(at, t.xclientReplyDelayUs);
  });
}
