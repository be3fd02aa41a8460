/* release-line - the releases and the one setting a verdict on a scenario holds for, in words
 *
 * A property's verdict is about these releases, and, for a property that holds on every release,
 * about the others its traces drew too (properties/release-scope.ts scopeLine). `smtp-lab matrix`
 * crosses releases.
 */
import type { Scenario } from './scenario.ts';

export function releaseLine(scenario: Scenario): string {
  const version = scenario.get('front.version');
  const front = `${scenario.get('front.model')}${version ? ` ${version}` : ''}`;
  return `Postfix ${scenario.get('postfix.mail_version')} (smtpd_forbid_unauth_pipelining=${scenario.get('postfix.smtpd_forbid_unauth_pipelining')}), front ${front}`;
}
