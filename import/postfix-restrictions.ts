/* postfix-restrictions - smtpd's restriction lists and smtpd_sender_login_maps onto their scenario keys
 *
 * Each list is evaluated as Postfix evaluates it (postfix-expand.ts: Mailu's "$check_ratelimit" is
 * "check_sasl_access ${podop}senderrate", its $podop a socketmap), then read as smtpd_check.c reads it
 * (models/postfix/restriction-config.ts): a list the lab can run is its key, as evaluated; one that
 * needs DNS or a policy service, names a restriction the lab does not model, or holds a table the lab
 * cannot read (socketmap:, lmdb:, hash:, ... : only inline:{...} is read) is unsupported with that
 * reason, and the lab keeps its own list. smtpd_sender_login_maps likewise: inline is the key, another
 * table unsupported. A list not stated is Postfix's default; the lab's layouts differ from it only in
 * smtpd_relay_restrictions (postfix-map.ts PRESET_KEYED_PARAMETERS).
 */
import { restrictionListProblem, RESTRICTION_LISTS, senderLoginMapsProblem } from '../models/postfix/restriction-config.ts';
import type { ScenarioKey } from '../scenarios/index.ts';
import { assign } from './assign.ts';
import { unsupported, type KeyAssignment, type ListedEntry } from './entries.ts';
import type { PostfixValues } from './postfix-expand.ts';
import type { Setting } from './source.ts';

/** The parameters this module maps (the others of restriction-config.ts go through postfix-map.ts's generic key path). */
export const EXPANDED_RESTRICTION_PARAMETERS: readonly string[] = [...RESTRICTION_LISTS, 'smtpd_sender_login_maps'];

const ROLE: Readonly<Record<string, string>> = {
  smtpd_sender_login_maps: 'the owners of each sender address for reject_*_sender_login_mismatch',
};

/** One stated list or login table: its key (as evaluated), or unsupported with the reason. */
export function restrictionSetting(values: PostfixValues, setting: Setting): { key: KeyAssignment } | { entry: ListedEntry } {
  const name = setting.name;
  const evaluated = values.value(name);
  const role = ROLE[name] ?? `smtpd's ${name} (smtpd_check.c generic_checks())`;
  if (evaluated.unknown.length > 0) return { entry: unsupported(setting, `${role}; ${evaluated.unknown.join('; ')}, so the lab keeps its own (postfix.${name} sets it)`) };
  const text = evaluated.text.trim();
  const problem = name === 'smtpd_sender_login_maps' ? senderLoginMapsProblem(text) : restrictionListProblem(name, text);
  const expanded = text === setting.value.trim() ? '' : `evaluated as Postfix does: ${text}`;
  if (problem !== null) return { entry: unsupported(setting, `${role}${expanded ? `, ${expanded}` : ''}: ${problem}; the lab keeps its own (postfix.${name} sets it)`) };
  return { key: assign(`postfix.${name}` as ScenarioKey, text, setting, expanded) };
}
