/* release-line - the releases and the one setting a verdict on a scenario holds for, in words
 *
 * Generated traces vary the client, the network, timing and faults, never the releases: those
 * are what a scenario is (a differential compares the same traces on two of them), so a
 * property's verdict is a verdict on exactly these releases. `smtp-lab matrix` crosses releases.
 */
import type { Scenario } from './scenario.ts';

export function releaseLine(scenario: Scenario): string {
  const version = scenario.get('front.version');
  const front = `${scenario.get('front.model')}${version ? ` ${version}` : ''}`;
  return `Postfix ${scenario.get('postfix.mail_version')} (smtpd_forbid_unauth_pipelining=${scenario.get('postfix.smtpd_forbid_unauth_pipelining')}), front ${front}`;
}
