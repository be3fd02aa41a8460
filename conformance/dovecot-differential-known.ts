/* dovecot-differential-known - the disagreements between the lab and the real stack that the differential test accepts, with why
 *
 * Each was seen on the real stack (Debian 12: dovecot 2.3.19.1+dfsg1-2.1+deb12u7, postfix 3.7.11)
 * and judged against the sources; none is a model error that a small change of the Dovecot front
 * fixes (those were fixed: dovecot-session.ts, 530 before AUTH and STARTTLS's 502). A session
 * disagrees acceptably when its first disagreement is one of these; the test also wants every one
 * of them seen in its run, so an entry that no longer happens (because the lab was fixed) fails
 * until it is removed here.
 */
import type { Disagreement } from './dovecot-differential.ts';

export interface KnownDisagreement {
  readonly id: string;
  readonly reason: string;
  matches(d: Disagreement): boolean;
}

export const KNOWN_DOVECOT_DISAGREEMENTS: readonly KnownDisagreement[] = [
  {
    id: 'base64-checked-in-login (Debian patch)',
    reason:
      "Debian's 2.3.19.1+dfsg1-2.1+deb12u6 backports the fix of CVE-2026-33603 (login: base64 input that could carry tabs past " +
      "the auth IPC): the login process itself refuses a response that is not base64, '535 5.7.8 Invalid base64 in response'. " +
      "Upstream 2.3.19.1 passes it to the auth process, whose auth_request_handler_auth_start()/_auth_continue() " +
      "(src/auth/auth-request-handler.c) fail it with code invalid_base64, which submission-login's " +
      'submission_client_auth_result() answers 501 5.5.2 with that text (client-authenticate.c); and upstream base64_decode() skips ' +
      'spaces and tabs (src/lib/base64.c), so a response that is base64 once they are gone is decoded, and fails as credentials ' +
      '(535 5.7.8 Authentication failed.) where the patched login refuses it: the lab models the release, not the distribution patch',
    matches: (d) =>
      d.real === '535 5.7.8 Invalid base64 in response' &&
      (/^501 5\.5\.2 Invalid base64 data in (initial|continued) response$/.test(d.lab) || (d.lab === '535 5.7.8 Authentication failed.' && d.line !== null && /[ \t]/.test(d.line))),
  },
  {
    id: 'long-command-name',
    reason:
      "a line over 8192 bytes whose command name is longer than 32 letters: lib-smtp's parser refuses the name at its 33rd letter " +
      '(smtp-command-parser.c smtp_command_parse_identifier(), "Command name is too long": 500 5.5.2 Invalid command syntax) ' +
      "before the line's length matters; the model's line buffer (models/front/line-buffer.ts, shared with nginx) reports the " +
      'line too long first, before parseLibSmtpCommand() sees its name',
    matches: (d) => d.line !== null && d.line.length > 8192 && /^[A-Za-z]{33}/.test(d.line) && d.real === '500 5.5.2 Invalid command syntax' && d.lab === '500 5.5.2 Line too long',
  },
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
  return KNOWN_DOVECOT_DISAGREEMENTS.find((k) => k.matches(d)) ?? null;
}
