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

const line = (text: string): Step => ({ kind: 'line', bytes: `${text}\r\n` });

export const KNOWN_SMTPD_DISAGREEMENTS: readonly KnownSmtpdDisagreement[] = [
  {
    name: 'default_transport = error',
    reason:
      "The real stack's main.cf sends everything outside example.test to the error transport (conformance/real-stack/config.ts: " +
      "default_transport and relay_transport = error:5.7.1 no outbound delivery in this lab); smtpd_check.c check_rcpt_maps() " +
      '(v3.7.11) refuses an address that resolves there with its text, for RCPT and VRFY alike, once the relay restrictions have ' +
      'let it through (permit_mynetworks). The model has no transport settings, and the real-stack scenario no key for them.',
    witness: [line('EHLO client.example.test'), line('MAIL FROM:<alice@example.test>'), line('RCPT TO:<bob@elsewhere.invalid>')],
    sent: /^(RCPT|VRFY)\b/i,
    real: /^550 5\.7\.1 <[^>]*>: Recipient address rejected: no outbound delivery in this lab$/,
    lab: /^(250 2\.1\.5 Ok|252 2\.0\.0 .*)$/,
  },
  {
    name: 'local class by inet_interfaces',
    reason:
      'An address literal of the server\'s own address ([127.0.0.1], inet_interfaces) is the local class (trivial-rewrite resolve.c ' +
      'resolve_local(), v3.7.11), and check_rcpt_maps() looks the local part up in local_recipient_maps (its default, ' +
      'proxy:unix:passwd.byname $alias_maps, has no bob): "User unknown in local recipient table". The model knows the local class ' +
      'only by mydestination (empty here) and models no local_recipient_maps (models/postfix/rcpt-maps.ts).',
    witness: [line('EHLO client.example.test'), line('MAIL FROM:<alice@example.test>'), line('RCPT TO:<bob@[127.0.0.1]>')],
    sent: /^(RCPT|VRFY)\b/i,
    real: /^550 5\.1\.1 <[^>]*>: Recipient address rejected: User unknown in local recipient table$/,
    lab: /^(250 2\.1\.5 Ok|252 2\.0\.0 .*)$/,
  },
];

/** The listed disagreement `d` is, or undefined. */
export function knownSmtpdDisagreement(d: Disagreement): KnownSmtpdDisagreement | undefined {
  return KNOWN_SMTPD_DISAGREEMENTS.find((k) => k.sent.test(d.sent) && k.real.test(d.real) && k.lab.test(d.lab));
}

/**
 * Parameters (conformance/smtpd-diff/settings.ts) whose value the real stack's smtpd and the
 * real-stack scenario's model differ in, and why; the settings test passes when exactly these differ.
 */
export const KNOWN_SETTING_DIFFERENCES: Readonly<Record<string, string>> = {
  default_transport:
    'The real main.cf says error:5.7.1 no outbound delivery in this lab (nothing leaves the machine); the model has no transports and ' +
    'no scenario key sets one: the "default_transport = error" disagreement above.',
  relay_transport: 'As default_transport; no relay_domains are set, so it decides no reply here.',
  virtual_mailbox_maps:
    'The real main.cf has static:inbox/ (one maildir), which finds every address; the model\'s empty map looks nothing up ' +
    '(models/postfix/rcpt-maps.ts): the same answer to every RCPT, so no disagreement follows.',
};
