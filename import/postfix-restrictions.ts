/* postfix-restrictions - smtpd's restriction lists and smtpd_sender_login_maps onto their scenario keys
 *
 * Each list is evaluated as Postfix evaluates it (postfix-expand.ts: Mailu's "$check_ratelimit" is
 * "check_sasl_access ${podop}senderrate", its $podop a socketmap), then read as smtpd_check.c reads it
 * (models/postfix/restriction-config.ts): a list the lab can run is its key, as evaluated; one that
 * needs DNS or a policy service, names a restriction the lab does not model, or holds a table the lab
 * cannot read (socketmap:, lmdb:, hash:, ... : only inline:{...} is read) is unsupported with that
 * reason, and the lab keeps its own list. smtpd_sender_login_maps likewise: inline is the key, another
 * table unsupported. A list not stated is Postfix's default; the lab's layouts differ from it only in
 * smtpd_relay_restrictions (postfix-map.ts PRESET_KEYED_PARAMETERS). smtpd_restriction_classes names parameters that
 * are restriction lists of their own (smtpd_check.c smtpd_check_init()): the names and the definitions become
 * postfix.smtpd_restriction_classes and postfix.restriction_class_definitions, each definition read as a list; a
 * class the lab cannot run, or one with no definition (Postfix does not start), is unsupported, and so is a list
 * that names it.
 */
import { restrictionListProblem, RESTRICTION_LISTS, senderLoginMapsProblem } from '../models/postfix/restriction-config.ts';
import { restrictionWords } from '../models/postfix/inline-table.ts';
import type { ScenarioKey } from '../scenarios/index.ts';
import { assign } from './assign.ts';
import { unsupported, type ImportEntry, type KeyAssignment, type ListedEntry } from './entries.ts';
import type { PostfixValues } from './postfix-expand.ts';
import type { Setting } from './source.ts';

/** The parameters this module maps (the others of restriction-config.ts go through postfix-map.ts's generic key path). */
export const EXPANDED_RESTRICTION_PARAMETERS: readonly string[] = [...RESTRICTION_LISTS, 'smtpd_sender_login_maps'];

const ROLE: Readonly<Record<string, string>> = {
  smtpd_sender_login_maps: 'the owners of each sender address for reject_*_sender_login_mismatch',
};

/** One stated list or login table: its key (as evaluated), or unsupported with the reason; `unusableClasses`: classes the lab cannot run (restrictionClassSettings()). */
export function restrictionSetting(values: PostfixValues, setting: Setting, unusableClasses: readonly string[] = []): { key: KeyAssignment } | { entry: ListedEntry } {
  const name = setting.name;
  const evaluated = values.value(name);
  const role = ROLE[name] ?? `smtpd's ${name} (smtpd_check.c generic_checks())`;
  if (evaluated.unknown.length > 0) return { entry: unsupported(setting, `${role}; ${evaluated.unknown.join('; ')}, so the lab keeps its own (postfix.${name} sets it)`) };
  const text = evaluated.text.trim();
  const unusable = name === 'smtpd_sender_login_maps' ? undefined : restrictionWords(text).find((word) => unusableClasses.includes(word));
  const problem = unusable !== undefined
    ? `it names the restriction class ${unusable}, which the lab cannot run (see smtpd_restriction_classes)`
    : name === 'smtpd_sender_login_maps' ? senderLoginMapsProblem(text) : restrictionListProblem(name, text);
  const expanded = text === setting.value.trim() ? '' : `evaluated as Postfix does: ${text}`;
  if (problem !== null) return { entry: unsupported(setting, `${role}${expanded ? `, ${expanded}` : ''}: ${problem}; the lab keeps its own (postfix.${name} sets it)`) };
  return { key: assign(`postfix.${name}` as ScenarioKey, text, setting, expanded) };
}

/** The class names smtpd_restriction_classes lists, as written (its parameters are class definitions, not settings of their own). */
export function restrictionClassNames(classes: Setting | undefined): string[] {
  return classes === undefined ? [] : restrictionWords(classes.value);
}

/**
 * smtpd_restriction_classes and the parameters it names: the two keys (the names, and "name = list" per class as
 * evaluated), or unsupported entries with the classes the lab cannot run. `definition`: a parameter's setting.
 */
export function restrictionClassSettings(values: PostfixValues, classes: Setting, definition: (name: string) => Setting | undefined): { keys: KeyAssignment[]; entries: ImportEntry[]; unusable: string[] } {
  const names = restrictionClassNames(classes);
  const lines: string[] = [];
  const entries: ImportEntry[] = [];
  const unusable: string[] = [];
  for (const name of names) {
    const setting = definition(name);
    const evaluated = setting === undefined ? undefined : values.value(name);
    const text = evaluated?.text.trim() ?? '';
    const problem = setting === undefined || text === ''
      ? `restriction class \`${name}' needs a definition (smtpd_check_init(): Postfix does not start); the lab reads no classes`
      : evaluated!.unknown.length > 0 ? `restriction class ${name}: ${evaluated!.unknown.join('; ')}` : restrictionListProblem(name, text);
    if (problem !== null) {
      unusable.push(name);
      entries.push(unsupported(setting ?? classes, problem));
      continue;
    }
    lines.push(`${name} = ${text}`);
    entries.push({ list: 'mapped', setting: setting!, key: null, value: text, note: 'a restriction class (smtpd_restriction_classes): its line of postfix.restriction_class_definitions' });
  }
  if (unusable.length > 0) return { keys: [], entries: [...entries.filter((entry) => entry.list !== 'mapped'), unsupported(classes, `the restriction classes ${unusable.join(', ')} cannot run in the lab; the lab reads none (postfix.smtpd_restriction_classes sets them)`)], unusable: names };
  return {
    keys: [assign('postfix.smtpd_restriction_classes', names.join(', '), classes), assign('postfix.restriction_class_definitions', lines.join('\n'), classes, 'each class\'s own parameter, as evaluated')],
    entries,
    unusable: [],
  };
}
