/* layout - which of the two layouts a scenario's chain has, from its keys alone
 *
 * postfix.mail_version 3.7.11 with front.port 1587 is the recorded real stack (everything on
 * 127.0.0.1, Postfix as in conformance/records/postconf-n.txt); anything else is Mailu's Docker
 * network. Decided from two key values, so that key defaults (keys.ts) and the chain
 * (topology.ts) read the same rule, and Postfix's settings start from that layout's preset.
 */
import { labPreset, mailuPreset, type PostfixConfig } from '../models/postfix/config.ts';

export function isRealStackValues(mailVersion: string, frontPort: number): boolean {
  return mailVersion === '3.7.11' && frontPort === 1587;
}

/** Postfix's configuration before any postfix.* key: the recorded stack's postconf -n, or Mailu's main.cf and master.cf. */
export function postfixPresetOf(mailVersion: string, frontPort: number): PostfixConfig {
  return isRealStackValues(mailVersion, frontPort) ? labPreset({ mail_version: mailVersion }) : mailuPreset({ mail_version: mailVersion });
}
