/* known - where the model is known to answer a lock-step command otherwise than the real Postfix 3.7.11, and why
 *
 * The differential (test/conformance/real-stack/smtpd-diff.test.ts) passes when every session's
 * first disagreement is one of these, and each entry's witness (the shortest session found that
 * shows it) still disagrees in exactly this way: a fixed one must leave the list, a new one fails.
 * A listed disagreement ends the comparison of its session (what follows may depend on it).
 */
import type { Disagreement } from './compare.ts';
import type { Step } from './session.ts';

export interface KnownSmtpdDisagreement {
  readonly name: string;
  /** Why the two differ: the real daemon's source or configuration, and what the model lacks. */
  readonly reason: string;
  /** A session that shows it, without the banner and the closing probe. */
  readonly witness: readonly Step[];
  /** The disagreement: the command (its bytes), the real reply and the lab's. */
  readonly sent: RegExp;
  readonly real: RegExp;
  readonly lab: RegExp;
}

export const KNOWN_SMTPD_DISAGREEMENTS: readonly KnownSmtpdDisagreement[] = [];

/** The listed disagreement `d` is, or undefined. */
export function knownSmtpdDisagreement(d: Disagreement): KnownSmtpdDisagreement | undefined {
  return KNOWN_SMTPD_DISAGREEMENTS.find((k) => k.sent.test(d.sent) && k.real.test(d.real) && k.lab.test(d.lab));
}

/**
 * Parameters (conformance/smtpd-diff/settings.ts) whose value the real stack's smtpd and the
 * real-stack scenario's model differ in, and why; the settings test passes when exactly these differ.
 */
export const KNOWN_SETTING_DIFFERENCES: Readonly<Record<string, string>> = {
  local_recipient_maps:
    "The real one is passwd.byname (alias_maps is empty), this machine's accounts; the model's inline table holds the accounts of " +
    "a Debian 12 host and the postfix, dovecot and dovenull ones (models/postfix/debian-accounts.ts), not the ones other packages add " +
    'here. The generated local-class recipient (bob@[127.0.0.1]) is in neither: the same answer, so no disagreement follows.',
  virtual_mailbox_maps:
    'The real main.cf has static:inbox/ (one maildir), which finds every address; the model\'s empty map looks nothing up ' +
    '(models/postfix/rcpt-maps.ts): the same answer to every RCPT, so no disagreement follows.',
};
