/* restriction-config - the smtpd restriction lists and the parameters their replies read, as main.cf gives them
 *
 * smtpd/smtpd_check.c smtpd_check_init() and smtpd_check_parse() (v3.7.11; the same at v3.5.0, v3.9.0 and
 * v3.10.13): each list is split as argv_splitq() / mystrtokq() split it (commas and white space; a {...}
 * stretch, an inline:{ ... } table's, stays one word), and smtpd starts only when smtpd_relay_restrictions
 * or smtpd_recipient_restrictions has a working reject (has_required(), fail_required(): "in parameter
 * smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of:
 * ..."; a permit before it ends the search). The defaults are mail_params.h's (DEF_CLIENT_CHECKS ..
 * DEF_EOD_CHECKS and DEF_ETRN_CHECKS empty; DEF_RELAY_CHECKS permit_mynetworks, permit_sasl_authenticated,
 * defer_unauth_destination at compatibility_level >= 1; the reply codes DEF_REJECT_CODE 554,
 * DEF_DEFER_CODE 450, DEF_MAP_REJECT_CODE 554, DEF_MAP_DEFER_CODE 450, DEF_RELAY_CODE 554,
 * DEF_NON_FQDN_CODE 504, DEF_BAD_NAME_CODE 501, DEF_PLAINTEXT_CODE 450; DEF_SMTPD_DELAY_REJECT yes; DEF_SOFT_BOUNCE no;
 * DEF_SMTPD_REJ_UNL_FROM no; DEF_SMTPD_SND_AUTH_MAPS empty), the same at every modelled release.
 * A name smtpd does not know is not refused here: smtpd starts and refuses at run time, as the
 * real one does (restrictions.ts). Restrictions that ask DNS or a policy service the lab cannot
 * answer are refused by name (DNS_RESTRICTIONS).
 */
import { parseInlineTable, restrictionWords } from './inline-table.js';

/** The restriction lists, in the order smtpd_check.c's stages run them. */
export const RESTRICTION_LISTS = [
  'smtpd_client_restrictions',
  'smtpd_helo_restrictions',
  'smtpd_sender_restrictions',
  'smtpd_relay_restrictions',
  'smtpd_recipient_restrictions',
  'smtpd_data_restrictions',
  'smtpd_end_of_data_restrictions',
  'smtpd_etrn_restrictions',
] as const;
export type RestrictionList = (typeof RESTRICTION_LISTS)[number];

/** The reply codes the modelled restrictions read (mail_params.h VAR_* / DEF_*, v3.7.11). */
export const REPLY_CODE_DEFAULTS = {
  reject_code: 554,
  defer_code: 450,
  access_map_reject_code: 554,
  access_map_defer_code: 450,
  relay_domains_reject_code: 554,
  non_fqdn_reject_code: 504,
  invalid_hostname_reject_code: 501,
  plaintext_reject_code: 450,
} as const;
export type ReplyCodeParameter = keyof typeof REPLY_CODE_DEFAULTS;
export const REPLY_CODE_PARAMETERS = Object.keys(REPLY_CODE_DEFAULTS) as readonly ReplyCodeParameter[];

export type RestrictionConfig = { readonly [list in RestrictionList]: readonly string[] } & { readonly [code in ReplyCodeParameter]: number } & {
  /** yes: the client, HELO and sender restrictions wait for RCPT (and ETRN); no: they run at connect, HELO and MAIL. */
  readonly smtpd_delay_reject: boolean;
  /** 5xx replies become 4xx (smtpd_check_reject(), smtpd_chat.c vsmtpd_chat_reply()). */
  readonly soft_bounce: boolean;
  /** The implicit reject_unlisted_sender at the end of smtpd_check_mail(). */
  readonly smtpd_reject_unlisted_sender: boolean;
  /** The owners of each sender address (inline table: address=login[,login...], lower-case keys); null: none. */
  readonly smtpd_sender_login_maps: Readonly<Record<string, string>> | null;
  /** smtpd_restriction_classes: each listed class's name (as written: smtpd looks it up with case) and its restrictions. */
  readonly smtpd_restriction_classes: Readonly<Record<string, readonly string[]>>;
};

/** Postfix's defaults (postconf -d) at every modelled release, compatibility_level >= 1. */
export const RESTRICTION_DEFAULTS: RestrictionConfig = {
  smtpd_client_restrictions: [],
  smtpd_helo_restrictions: [],
  smtpd_sender_restrictions: [],
  smtpd_relay_restrictions: ['permit_mynetworks', 'permit_sasl_authenticated', 'defer_unauth_destination'],
  smtpd_recipient_restrictions: [],
  smtpd_data_restrictions: [],
  smtpd_end_of_data_restrictions: [],
  smtpd_etrn_restrictions: [],
  ...REPLY_CODE_DEFAULTS,
  smtpd_delay_reject: true,
  soft_bounce: false,
  smtpd_reject_unlisted_sender: false,
  smtpd_sender_login_maps: null,
  smtpd_restriction_classes: {},
};

/** The parameters this module parses (config.ts knownKeys). */
export const RESTRICTION_PARAMETERS: readonly string[] = [...RESTRICTION_LISTS, ...REPLY_CODE_PARAMETERS, 'smtpd_delay_reject', 'soft_bounce', 'smtpd_reject_unlisted_sender', 'smtpd_sender_login_maps', 'smtpd_restriction_classes'];

/**
 * Restrictions whose answer comes from DNS or a policy server, which the lab does not have (smtpd_check.c
 * reject_unknown_client(), reject_rbl_addr(), check_server_access(), reject_unverified_address() via
 * verify(8), check_policy_service() ...): refused by name instead of answered wrongly.
 */
export const DNS_RESTRICTIONS: readonly string[] = [
  'reject_unknown_client', 'reject_unknown_client_hostname', 'reject_unknown_reverse_client_hostname', 'reject_unknown_forward_client_hostname',
  'reject_unknown_helo_hostname', 'reject_unknown_hostname', 'reject_unknown_sender_domain', 'reject_unknown_recipient_domain', 'reject_unknown_address',
  'reject_rbl_client', 'reject_rbl', 'reject_rhsbl_client', 'reject_rhsbl_reverse_client', 'reject_rhsbl_helo', 'reject_rhsbl_sender', 'reject_rhsbl_recipient', 'reject_maps_rbl',
  'permit_dnswl_client', 'permit_rhswl_client', 'permit_mx_backup',
  'check_client_ns_access', 'check_client_mx_access', 'check_client_a_access', 'check_reverse_client_ns_access', 'check_reverse_client_mx_access', 'check_reverse_client_a_access',
  'check_helo_ns_access', 'check_helo_mx_access', 'check_helo_a_access', 'check_sender_ns_access', 'check_sender_mx_access', 'check_sender_a_access',
  'check_recipient_ns_access', 'check_recipient_mx_access', 'check_recipient_a_access',
  'reject_unverified_sender', 'reject_unverified_recipient', 'check_policy_service',
];

/**
 * Restrictions generic_checks() knows that the lab does not model, with what they would need: refused by
 * name, as the real smtpd would not call them unknown.
 */
export const UNMODELLED_RESTRICTIONS: Readonly<Record<string, string>> = {
  permit_inet_interfaces: "the client's address among the host's interfaces",
  check_reverse_client_access: "the client's reverse name before its forward check",
  check_ccert_access: 'TLS client certificates',
  permit_tls_clientcerts: 'TLS client certificates',
  permit_tls_all_clientcerts: 'TLS client certificates',
  check_relay_domains: 'the obsolete relay_domains check',
  reject_multi_recipient_bounce: 'the recipient count of a null-sender transaction',
  permit_naked_ip_address: 'the obsolete HELO address permit',
  sleep: 'a pause inside smtpd',
};

/** smtpd_check_init()'s rcpt_required[]: a working reject one of the two RCPT lists must have. */
const RCPT_REQUIRED = ['reject_unauth_destination', 'defer_unauth_destination', 'reject', 'defer', 'defer_if_permit', 'check_relay_domains'];

/** What makes `list` one the lab cannot run, or null: a DNS or policy restriction, or a table it cannot read. */
export function restrictionListProblem(parameter: string, value: string): string | null {
  const words = restrictionWords(value);
  const dns = words.filter((word) => DNS_RESTRICTIONS.includes(word.toLowerCase()));
  if (dns.length > 0) return `${parameter}: ${dns.join(', ')}: the lab has no DNS and no policy service to answer ${dns.length > 1 ? 'these' : 'this'}; remove ${dns.length > 1 ? 'them' : 'it'} or run the real Postfix`;
  const unmodelled = words.find((word) => Object.hasOwn(UNMODELLED_RESTRICTIONS, word.toLowerCase()));
  if (unmodelled !== undefined) return `${parameter}: ${unmodelled} is not modelled (it needs ${UNMODELLED_RESTRICTIONS[unmodelled.toLowerCase()]})`;
  for (const word of words) {
    if (!word.includes(':') && !word.startsWith('{')) continue;
    const problem = tableProblem(parameter, word);
    if (problem !== null) return problem;
  }
  return null;
}

/** An access table in a restriction list: inline:{ ... } only (access-map.ts); another type holds entries the lab cannot see. */
function tableProblem(parameter: string, word: string): string | null {
  if (!word.startsWith('inline:')) return `${parameter}: "${word}": the lab reads inline:{ key=value, ... } access tables only; other table types hold entries it cannot see`;
  const parsed = parseInlineTable(word);
  return typeof parsed === 'string' ? `${parameter}: ${parsed}` : null;
}

/**
 * has_required() over the two RCPT lists, into the restriction classes they name (looked up as written: "XXX
 * This lookup operation should not be case-sensitive"); the fatal's text when neither has a working reject.
 */
export function requiredRejectProblem(relay: readonly string[], recipient: readonly string[], classes: RestrictionConfig['smtpd_restriction_classes'] = {}): string | null {
  if (hasRequired(relay, classes) || hasRequired(recipient, classes)) return null;
  return `in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of: ${RCPT_REQUIRED.slice(0, -1).join(', ')} or ${RCPT_REQUIRED.at(-1)} (smtpd_check_init(): Postfix does not start)`;
}

function hasRequired(list: readonly string[], classes: RestrictionConfig['smtpd_restriction_classes']): boolean {
  for (let i = 0; i < list.length; i++) {
    const word = list[i]!.toLowerCase();
    if (word === 'warn_if_reject' && i + 1 < list.length) {
      i++;
      continue;
    }
    if (word === 'permit') return false;
    if (RCPT_REQUIRED.includes(word)) return true;
    const expansion = Object.hasOwn(classes, list[i]!) ? classes[list[i]!] : undefined;
    if (expansion !== undefined && hasRequired(expansion, classes)) return true;
  }
  return false;
}

/**
 * smtpd_restriction_classes as smtpd_check_init() reads it (v3.7.11; the same at v3.5.0 and v3.10.13): the
 * names split at commas and blanks (mystrtok(CHARS_COMMA_SP)), each one's own main.cf parameter its
 * restriction list, parsed as the lists are; a name with no value or an empty one is fatal ("restriction class
 * `x' needs a definition"). A parameter that is not listed is no class: smtpd never reads it, and a list that
 * names it meets "unknown smtpd restriction" and 451 4.3.5 at run time. `definition` gives a parameter's value
 * (undefined: not set). A class that reaches itself would recurse without end in has_required() and
 * generic_checks() (neither bounds it), so the lab refuses it.
 */
export function parseRestrictionClasses(names: string, definition: (name: string) => string | undefined): RestrictionConfig['smtpd_restriction_classes'] {
  const classes: Record<string, readonly string[]> = {};
  for (const name of restrictionWords(names)) {
    const value = definition(name);
    if (value === undefined || value.trim() === '') throw new Error(`smtpd_restriction_classes: restriction class \`${name}' needs a definition (smtpd_check_init(): Postfix does not start); define it as a parameter: ${name} = <restrictions>`);
    classes[name] = parseRestrictionList(name, value);
  }
  for (const name of Object.keys(classes)) {
    const loop = classLoop(classes, [name]);
    if (loop !== null) throw new Error(`smtpd_restriction_classes: restriction class \`${name}' reaches itself (${loop.join(' -> ')}): smtpd would recurse without end in has_required() and generic_checks()`);
  }
  return classes;
}

/** A path of class names from path[0] back to it, or null. */
function classLoop(classes: RestrictionConfig['smtpd_restriction_classes'], path: readonly string[]): string[] | null {
  for (const word of classes[path.at(-1)!] ?? []) {
    if (!Object.hasOwn(classes, word)) continue;
    if (word === path[0]) return [...path, word];
    if (path.includes(word)) continue;
    const loop = classLoop(classes, [...path, word]);
    if (loop !== null) return loop;
  }
  return null;
}

/** A restriction list as the config holds it (its words), or the error that refuses it. */
export function parseRestrictionList(parameter: string, value: string): string[] {
  const problem = restrictionListProblem(parameter, value);
  if (problem !== null) throw new Error(problem);
  return restrictionWords(value);
}

/** smtpd_sender_login_maps: empty, or one inline table of address=owner[,owner...]; the owners split as mystrtok(CHARS_COMMA_SP). */
export function senderLoginMapsProblem(value: string): string | null {
  if (value.trim() === '') return null;
  if (!value.trim().startsWith('inline:')) return `smtpd_sender_login_maps: "${value}": the lab reads an inline:{ address=login, ... } table only; other table types hold owners it cannot see`;
  const parsed = parseInlineTable(value.trim());
  return typeof parsed === 'string' ? `smtpd_sender_login_maps: ${parsed}` : null;
}

export function parseSenderLoginMaps(value: string): Readonly<Record<string, string>> | null {
  const problem = senderLoginMapsProblem(value);
  if (problem !== null) throw new Error(problem);
  if (value.trim() === '') return null;
  return parseInlineTable(value.trim()) as Readonly<Record<string, string>>;
}

/** A reply code parameter: an integer (CONFIG_INT_TABLE, no bounds); smtpd_check_reject() judges it at run time. */
export function parseReplyCode(parameter: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new Error(`${parameter}: "${value}" is not a number`);
  return Number(value.trim());
}
