/* restriction-keys - the scenario keys of smtpd's restriction lists, smtpd_delay_reject, soft_bounce, the login table and the reply codes
 *
 * One key per main.cf parameter (models/postfix/restriction-config.ts parses them as Postfix does):
 * the lists as main.cf writes them (commas or blanks; an inline:{ ... } table whole), their defaults
 * mail_params.h's at every modelled release (the layouts': smtpd_relay_restrictions permit_mynetworks,
 * permit_sasl_authenticated, reject_unauth_destination), what they do in smtpd_check.c (v3.7.11).
 * restrictionConfigOf() turns the resolved keys into the model's configuration.
 */
import { type PostfixConfig } from '../models/postfix/config.ts';
import {
  parseReplyCode,
  parseRestrictionClasses,
  parseRestrictionList,
  parseSenderLoginMaps,
  REPLY_CODE_DEFAULTS,
  REPLY_CODE_PARAMETERS,
  requiredRejectProblem,
  restrictionListProblem,
  RESTRICTION_LISTS,
  senderLoginMapsProblem,
  type ReplyCodeParameter,
  type RestrictionConfig,
  type RestrictionList,
} from '../models/postfix/restriction-config.ts';
import type { KeySpec, KeyType, ScenarioValues, YesNo } from './keys.ts';
import { postfixPresetOf } from './layout.ts';

/** The keys' values, one property per key (part of ScenarioValues). */
export type RestrictionKeyValues = { [list in RestrictionList as `postfix.${list}`]: string } & { [code in ReplyCodeParameter as `postfix.${code}`]: number } & {
  'postfix.smtpd_delay_reject': YesNo;
  'postfix.soft_bounce': YesNo;
  'postfix.smtpd_reject_unlisted_sender': YesNo;
  'postfix.smtpd_sender_login_maps': string;
  'postfix.smtpd_restriction_classes': string;
  'postfix.restriction_class_definitions': string;
};

const presetOf = (v: Readonly<Partial<ScenarioValues>>) => postfixPresetOf(v['postfix.mail_version'] ?? '3.9', v['front.port'] ?? 587);
const yesNo: KeyType = { kind: 'enum', values: ['yes', 'no'] };
const shownYesNo = (on: boolean): YesNo => (on ? 'yes' : 'no');

/** When each list runs and what it is for (smtpd_check.c). */
const LIST_ROLES: Readonly<Record<RestrictionList, string>> = {
  smtpd_client_restrictions: 'about the client (smtpd_check_client(): reply class "Client host", <name[addr]>): at RCPT, VRFY and ETRN with smtpd_delay_reject = yes, else at connect, its reject then replacing the greeting and every later command but QUIT getting 503 5.7.0 Error: access denied',
  smtpd_helo_restrictions: 'about the HELO/EHLO name (smtpd_check_helo(): "Helo command", <name>): at RCPT, VRFY and ETRN with smtpd_delay_reject = yes, else at HELO/EHLO',
  smtpd_sender_restrictions: 'about the sender (smtpd_check_mail(): "Sender address", <sender>): at RCPT and VRFY with smtpd_delay_reject = yes, else at MAIL',
  smtpd_relay_restrictions: 'at RCPT and VRFY, before smtpd_recipient_restrictions from 3.6.0 (smtpd_check_rcpt(): "Recipient address", <recipient>); this list or smtpd_recipient_restrictions must hold a working reject (reject_unauth_destination, defer_unauth_destination, reject, defer or defer_if_permit), else Postfix does not start',
  smtpd_recipient_restrictions: 'at RCPT and VRFY, after smtpd_relay_restrictions from 3.6.0, before them on 3.5 (smtpd_check_rcpt())',
  smtpd_data_restrictions: 'at DATA and the first BDAT (smtpd_check_data(): "Data command", <DATA>; no default access table)',
  smtpd_end_of_data_restrictions: 'at the end of the message (smtpd_check_eod(): "End-of-data", <END-OF-MESSAGE>)',
  smtpd_etrn_restrictions: 'at ETRN (smtpd_check_etrn(): "Etrn command", <domain>)',
};

const RESTRICTION_NAMES = 'a class of postfix.smtpd_restriction_classes, permit, reject, defer, defer_if_permit, defer_if_reject, warn_if_reject, reject_unauth_pipelining, reject_plaintext_session, permit_mynetworks, permit_sasl_authenticated, permit_auth_destination, reject_unauth_destination, defer_unauth_destination, reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname, reject_non_fqdn_sender, reject_non_fqdn_recipient, reject_unlisted_sender, reject_unlisted_recipient, reject_authenticated_sender_login_mismatch, reject_known_sender_login_mismatch, reject_unauthenticated_sender_login_mismatch, reject_sender_login_mismatch, check_client_access, check_helo_access, check_sender_access, check_recipient_access, check_sasl_access, check_etrn_access with an inline:{ key=action, ... } table';

/** What a list key allows, in words. */
export const RESTRICTION_LIST_ALLOWED = `restrictions separated by commas or spaces (${RESTRICTION_NAMES}); empty: none`;

const listKey = (list: RestrictionList): KeySpec => ({
  name: `postfix.${list}`,
  type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: RESTRICTION_LIST_ALLOWED, problem: (text) => restrictionListProblem(list, text) },
  default: (v) => presetOf(v)[list].join(', '),
  description: `smtpd's ${list}, first decision wins (smtpd_check.c generic_checks()), ${LIST_ROLES[list]}. A reject is logged "NOQUEUE: reject: <command> from <client>: <reply>; from=<..> to=<..> proto=.. helo=<..>" (log_whatsup()); a name smtpd does not know is a warning and 451 4.3.5 Server configuration error at run time; restrictions that need DNS or a policy service are refused. Postfix's default ${list === 'smtpd_relay_restrictions' ? "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination (mail_params.h DEF_RELAY_CHECKS at compatibility_level >= 1); the layouts': permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" : 'empty (mail_params.h)'}`,
});

const CODE_ROLES: Readonly<Record<ReplyCodeParameter, string>> = {
  reject_code: 'reject',
  defer_code: 'defer',
  access_map_reject_code: 'an access table REJECT',
  access_map_defer_code: 'an access table DEFER, DEFER_IF_PERMIT or DEFER_IF_REJECT',
  relay_domains_reject_code: 'reject_unauth_destination (defer_unauth_destination: this less 100)',
  non_fqdn_reject_code: 'reject_non_fqdn_helo_hostname, reject_non_fqdn_sender and reject_non_fqdn_recipient',
  invalid_hostname_reject_code: 'reject_invalid_helo_hostname',
  plaintext_reject_code: 'reject_plaintext_session',
};

const codeKey = (code: ReplyCodeParameter): KeySpec => ({
  name: `postfix.${code}`,
  type: { kind: 'integer', min: 0, max: 999 },
  default: REPLY_CODE_DEFAULTS[code],
  description: `the reply code of ${CODE_ROLES[code]}; one outside 400-599 is warned about and answered 450 4.7.1 Service unavailable (smtpd_check.c smtpd_check_reject()). Postfix's default ${REPLY_CODE_DEFAULTS[code]} (mail_params.h)`,
});

export const RESTRICTION_KEYS: readonly KeySpec[] = [
  ...RESTRICTION_LISTS.map(listKey),
  {
    name: 'postfix.smtpd_delay_reject',
    type: yesNo,
    default: (v) => shownYesNo(presetOf(v).smtpd_delay_reject),
    description: "yes: the client, HELO and sender restrictions wait for RCPT (and VRFY, ETRN), so their rejects come there with the recipient logged; no: they answer connect, HELO/EHLO and MAIL (smtpd.c smtpd_proto(), helo_cmd(), mail_cmd(); smtpd_check.c smtpd_check_rcpt()). Postfix's default yes (DEF_SMTPD_DELAY_REJECT), Mailu's main.cf too",
  },
  {
    name: 'postfix.soft_bounce',
    type: yesNo,
    default: (v) => shownYesNo(presetOf(v).soft_bounce),
    description: 'yes: every 5xx reply is sent (and a restriction reject logged) as 4xx, its DSN 5.x.x as 4.x.x (smtpd_check.c smtpd_check_reject(), smtpd_chat.c smtpd_chat_reply()). Postfix\'s default no (DEF_SOFT_BOUNCE)',
  },
  {
    name: 'postfix.smtpd_reject_unlisted_sender',
    type: yesNo,
    default: (v) => shownYesNo(presetOf(v).smtpd_reject_unlisted_sender),
    description: "yes: after smtpd_sender_restrictions, a sender the recipient tables would refuse is refused (smtpd_check.c smtpd_check_mail() check_sender_rcpt_maps(): 550 5.1.0 <sender>: Sender address rejected: User unknown in ... table, or the error transport's text). Postfix's default no (DEF_SMTPD_REJ_UNL_FROM); reject_unlisted_sender in a list does the same",
  },
  {
    name: 'postfix.smtpd_sender_login_maps',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'empty, or inline:{ address=login[,login...], ... } ({address = a, b} for several owners)', problem: senderLoginMapsProblem },
    default: '',
    description: "the owners of each sender address, for reject_*_sender_login_mismatch: a logged-in client (AUTH, or the front's XCLIENT LOGIN=) must own its sender (553 5.7.1 <sender>: Sender address rejected: not owned by user <login>), an owned sender needs a login (... not logged in); looked up as mail_addr_find() does (address, address without extension, @domain). Postfix's default empty (DEF_SMTPD_SND_AUTH_MAPS); Mailu's socketmap is outside the lab",
  },
  {
    name: 'postfix.smtpd_restriction_classes',
    type: { kind: 'text', pattern: /^[^=]*$/, allowed: 'names separated by commas or spaces, each defined in postfix.restriction_class_definitions; empty: none' },
    default: '',
    description: "the names of restriction classes (smtpd_check.c smtpd_check_init()): each is a restriction list of its own, usable as a restriction in any list and as an access table's value (generic_checks() looks the name up, as written, after every built-in name). A name with no definition stops Postfix (\"restriction class `x' needs a definition\"); a definition not listed here is no class, and naming it is \"unknown smtpd restriction\" and 451 4.3.5. Postfix's default empty (DEF_REST_CLASSES)",
  },
  {
    name: 'postfix.restriction_class_definitions',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'one main.cf line per class, "name = restrictions" (empty: none)', problem: (text) => problemOf(() => classDefinitions(text)) },
    default: '',
    description: "the restriction list of each class named in postfix.smtpd_restriction_classes, as main.cf writes it (a parameter named after the class), one per line: e.g. \"from_freemail = check_sender_access inline:{ gmail.com=REJECT }\"; parsed as the lists are",
  },
  ...REPLY_CODE_PARAMETERS.map(codeKey),
];

/** The error `run` throws, or null. */
function problemOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** postfix.restriction_class_definitions: "name = restrictions" per line, each list parsed as the lists are. */
function classDefinitions(text: string): ReadonlyMap<string, string> {
  const definitions = new Map<string, string>();
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    const match = /^\s*([^\s=]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match === null) throw new Error(`postfix.restriction_class_definitions: "${line.trim()}": need name = restrictions`);
    if (definitions.has(match[1]!)) throw new Error(`postfix.restriction_class_definitions: ${match[1]} is defined twice`);
    parseRestrictionList(match[1]!, match[2]!);
    definitions.set(match[1]!, match[2]!);
  }
  return definitions;
}

/** The classes of postfix.smtpd_restriction_classes with their definitions; a definition not listed is refused, as it would be no class. */
function restrictionClassesOf(names: string, definitionsText: string): RestrictionConfig['smtpd_restriction_classes'] {
  const definitions = classDefinitions(definitionsText);
  const classes = parseRestrictionClasses(names, (name) => definitions.get(name));
  const unlisted = [...definitions.keys()].filter((name) => !Object.hasOwn(classes, name));
  if (unlisted.length > 0) throw new Error(`postfix.restriction_class_definitions: ${unlisted.join(', ')} not listed in postfix.smtpd_restriction_classes: smtpd_check_init() reads only the listed classes, so a list that names ${unlisted.length > 1 ? 'them' : 'it'} gets "unknown smtpd restriction" and 451 4.3.5; list ${unlisted.length > 1 ? 'them' : 'it'} or remove the definition`);
  return classes;
}

/** The model's restriction settings from the resolved keys; the RCPT lists must hold a working reject (smtpd_check_init()). */
export function restrictionConfigOf(get: <K extends keyof RestrictionKeyValues>(key: K) => RestrictionKeyValues[K]): RestrictionConfig {
  const lists = Object.fromEntries(RESTRICTION_LISTS.map((list) => [list, parseRestrictionList(list, get(`postfix.${list}`))])) as Record<RestrictionList, string[]>;
  const classes = restrictionClassesOf(get('postfix.smtpd_restriction_classes'), get('postfix.restriction_class_definitions'));
  const required = requiredRejectProblem(lists.smtpd_relay_restrictions, lists.smtpd_recipient_restrictions, classes);
  if (required !== null) throw new Error(`postfix.smtpd_relay_restrictions, postfix.smtpd_recipient_restrictions: ${required}`);
  const codes = Object.fromEntries(REPLY_CODE_PARAMETERS.map((code) => [code, parseReplyCode(code, String(get(`postfix.${code}`)))])) as Record<ReplyCodeParameter, number>;
  return {
    ...lists,
    ...codes,
    smtpd_delay_reject: get('postfix.smtpd_delay_reject') === 'yes',
    soft_bounce: get('postfix.soft_bounce') === 'yes',
    smtpd_reject_unlisted_sender: get('postfix.smtpd_reject_unlisted_sender') === 'yes',
    smtpd_sender_login_maps: parseSenderLoginMaps(get('postfix.smtpd_sender_login_maps')),
    smtpd_restriction_classes: classes,
  } satisfies Partial<PostfixConfig>;
}
