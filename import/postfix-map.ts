/* postfix-map - Postfix's settings onto the lab: the release and the smtpd parameters of the service the front relays to
 *
 * The effective settings are main.cf's (or `postconf -n`'s) with the `-o` overrides of the one
 * master.cf service the front connects to (Mailu: `10025 inet ... smtpd -o smtpd_sasl_auth_enable=yes
 * -o smtpd_discard_ehlo_keywords=pipelining,silent-discard ...`), as smtpd itself reads them.
 * Values are parsed by the Postfix model's own parser (models/postfix/config.ts parsePostfixConfig),
 * so a value Postfix would refuse is refused here, at its line. What the files do not state, that smtpd
 * runs with Postfix's default at the release: a key whose default is the lab's preset (Mailu's 10025
 * service: smtpd_sasl_auth_enable yes, PIPELINING discarded, HELO required...) is set to it, and a
 * parameter no key sets is listed as unsupported where the lab's value behaves otherwise.
 * Then each parameter is:
 *   - an address list whose role the lab's layout plays (the front inside, the client outside):
 *     its addresses are the deployment's own, so they are checked, not copied;
 *   - a scenario key, when the key table has `postfix.<parameter>` (scenarios/keys.ts);
 *   - another parameter the model reads: compared with the lab's own Postfix configuration;
 *   - an smtpd parameter the model does not read: unsupported; anything else: ignored.
 */
import { inlineTableProblem, knownKeys, parsePostfixConfig, postfixDefaults, type PostfixConfig } from '../models/postfix/config.ts';
import { modelledRelease, POSTFIX_RELEASES_TEXT } from '../models/postfix/releases.ts';
import { keySpec, type Scenario, type ScenarioKey } from '../scenarios/index.ts';
import { postfixConfigOf } from '../scenarios/topology.ts';
import { UsageError } from '../scenarios/errors.ts';
import { assign, parsedBy } from './assign.ts';
import { addressClasses, DOMAIN_CLASS_NAMES } from './postfix-address-classes.ts';
import { PostfixValues } from './postfix-expand.ts';
import { EXPANDED_RESTRICTION_PARAMETERS, restrictionClassNames, restrictionClassSettings, restrictionSetting } from './postfix-restrictions.ts';
import { routingParameterProblem, type RoutingConfig } from '../models/postfix/routing-config.ts';
import { emptyResult, ignored, unsupported, type AssumedEntry, type FixedComparison, type KeyAssignment, type ListedEntry, type MapperResult } from './entries.ts';
import type { PostfixParameters } from './postfix-main.ts';
import { servicePort, type MasterService } from './postfix-master.ts';
import { ConfigError, whereText, type Setting } from './source.ts';

export interface PostfixInput {
  /** main.cf-format files in the order given (a later one wins). */
  readonly main: readonly { readonly file: string; readonly parameters: PostfixParameters }[];
  readonly master: readonly { readonly file: string; readonly services: readonly MasterService[] }[];
}

/** Where the front sends its clients, and what in the input says so. */
export interface BackendPort {
  readonly port: number;
  readonly because: string;
}

/** The scenario key a Postfix parameter is, when the key table has `postfix.<parameter>`. */
function keyOf(name: string): ScenarioKey | null {
  const key = `postfix.${name}`;
  return keySpec(key) === undefined ? null : (key as ScenarioKey);
}

/** Address lists whose role the lab's layout plays; their addresses are the deployment's own. */
const LAYOUT = 'addresses: the lab puts the front (and the auth service) inside these networks and the client outside, as Mailu deploys them';
export const LAYOUT_PARAMETERS = ['smtpd_authorized_xclient_hosts', 'mynetworks', 'smtpd_client_event_limit_exceptions', 'smtpd_forbid_bare_newline_exclusions'];

/** Parameters the model reads that name things, not behaviour on this path. */
const NAMES: Readonly<Record<string, string>> = {
  myhostname: 'a name in the banner and log lines',
  smtpd_banner: "the greeting's text (the front checks only its 220)",
};

/** smtpd parameters not read by the model that are still not on this path. */
const IGNORED_SMTPD = /^smtpd_(tls_(?!security_level$|auth_only$)|sasl_(?!auth_enable$))/;

/** smtpd_forbid_bare_newline: "yes" is normalize from the releases with modes (models/postfix/releases.ts forbid_bare_newline_modes). */
function behaviourOf(name: string, value: unknown): string {
  if (name === 'smtpd_forbid_bare_newline' && value === 'yes') return JSON.stringify('normalize');
  return JSON.stringify(value);
}

function shown(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** The release a scenario key may name: "3.9.0" is written "3.9", the key's spelling of a line's .0 release. */
function releaseKeyText(setting: Setting): string {
  const release = modelledRelease(setting.value);
  if (release === null) throw new ConfigError(setting.where, `mail_version = ${setting.value} is not a Postfix release the lab models; modelled: ${POSTFIX_RELEASES_TEXT}`);
  return release[2] === 0 ? `${release[0]}.${release[1]}` : release.join('.');
}

function targetService(input: PostfixInput, backend: BackendPort): { service: MasterService; others: MasterService[] } | null {
  const all = input.master.flatMap((file) => file.services);
  if (all.length === 0) return null;
  const service = all.find((candidate) => servicePort(candidate) === backend.port);
  if (service === undefined) {
    const listening = all.filter((s) => s.type === 'inet').map((s) => `${s.service} (${s.command})`).join(', ');
    throw new UsageError(`${input.master.map((f) => f.file).join(', ')}: no inet service listens on port ${backend.port}, where ${backend.because}; the inet services are ${listening || 'none'} (--backend-port N names another)`);
  }
  return { service, others: all.filter((s) => s !== service) };
}

/**
 * The parameters whose scenario key starts from the lab's layout preset (Mailu's 10025 service, or the
 * recorded stack) rather than from Postfix's own default (scenarios/keys.ts), each with the macro of
 * its default: when the input has Postfix files and neither main.cf nor the service's -o sets one, the
 * smtpd runs with Postfix's default, so the key is set to it (postfixDefaults(), the model's table of
 * mail_params.h DEF_* at the release; these are the same at v3.7.11, v3.9.0 and v3.10.13).
 */
export const PRESET_KEYED_PARAMETERS: Readonly<Record<string, string>> = {
  smtpd_sasl_auth_enable: 'DEF_SMTPD_SASL_ENABLE',
  smtpd_helo_required: 'DEF_HELO_REQUIRED',
  smtpd_reject_unlisted_recipient: 'DEF_SMTPD_REJ_UNL_RCPT',
  recipient_delimiter: 'DEF_RCPT_DELIM',
  smtpd_discard_ehlo_keywords: 'DEF_SMTPD_EHLO_DIS_WORDS',
  message_size_limit: 'DEF_MESSAGE_LIMIT',
  smtpd_authorized_xclient_hosts: 'DEF_XCLIENT_HOSTS',
  // The transports and the interfaces decide a recipient's class and whether check_rcpt_maps() refuses it
  // (models/postfix/transports.ts, address-class.ts): Mailu's virtual_transport and the recorded stack's others
  // differ from Postfix's (local_transport is Postfix's in both layouts: its key needs no rule).
  virtual_transport: 'DEF_VIRT_TRANSPORT',
  relay_transport: 'DEF_RELAY_TRANSPORT',
  default_transport: 'DEF_DEF_TRANSPORT',
  inet_interfaces: 'DEF_INET_INTERFACES',
};

/**
 * Where an unstated parameter would be: the service's master.cf line, or (no master.cf) main.cf, without a
 * line. Without a service the release came from main.cf (mapPostfix reads defaults only once it has one).
 */
function unstatedSetting(name: string, input: PostfixInput, service: MasterService | null): Setting {
  return { name, value: '(not set)', where: service?.where ?? { file: input.main.at(-1)!.file, line: 0 } };
}

/**
 * A preset-keyed parameter neither main.cf nor the service's -o sets: Postfix's default. With master.cf
 * that is what the input says (main.cf and the service's line are all smtpd reads), mapped at the
 * service's line; without it the service's -o are not in the input, so the value is listed as assumed.
 */
function unstatedDefault(name: string, input: PostfixInput, backend: BackendPort, service: MasterService | null, version: string): KeyAssignment {
  const value = shown(postfixDefaults(version)[name as keyof PostfixConfig]);
  const because = `Postfix's default, ${value === '' ? '(empty)' : value} (mail_params.h ${PRESET_KEYED_PARAMETERS[name]})`;
  const assignment = assign(keyOf(name)!, value, unstatedSetting(name, input, service), service === null ? '' : `neither main.cf nor -o on service ${service.service} sets it: ${because}`);
  if (service !== null) return assignment;
  return { ...assignment, assumed: `no master.cf in the input: the service on port ${backend.port} (${backend.because}) is taken as smtpd with main.cf's settings, and main.cf does not set it: ${because}; a -o ${name}=... on that service (postconf -M prints it) changes it` };
}

function modelValue(setting: Setting, version: string | undefined): unknown {
  const settings: Record<string, string> = { [setting.name]: setting.value, ...(version === undefined ? {} : { mail_version: version }) };
  return parsedBy(setting, () => parsePostfixConfig(settings))[setting.name as keyof PostfixConfig];
}

/**
 * virtual_mailbox_maps that is not an inline:{...} table (that one is the scenario key as written): a
 * static: table finds every address, as the lab without a table refuses none; any other holds
 * addresses the lab cannot see (models/postfix/rcpt-maps.ts).
 */
function tableOutsideTheLab(setting: Setting): ListedEntry {
  if (/^static:/.test(setting.value.trim())) return ignored(setting, 'static: finds every address, so smtpd_reject_unlisted_recipient refuses no recipient: as the lab without a table');
  return unsupported(setting, "a table the lab cannot read: smtpd looks a recipient of virtual_mailbox_domains up in it when smtpd_reject_unlisted_recipient = yes (550 5.1.1 User unknown in virtual mailbox table), and a sender for reject_unlisted_sender; postfix.virtual_mailbox_maps=inline:{ address=x, ... } gives the lab its addresses");
}

/**
 * local_recipient_maps that is not an inline:{...} table or empty (those are the scenario key as written): a
 * table the lab cannot read, passwd.byname (Postfix's default) included; the lab keeps its layout's stand-in
 * (models/postfix/debian-accounts.ts).
 */
function localTableOutsideTheLab(setting: Setting): ListedEntry {
  return unsupported(setting, `${LOCAL_TABLE_ROLE}; a table the lab cannot read, so it keeps its own (postfix.local_recipient_maps=inline:{ user=x, ... } gives it the users)`);
}

const LOCAL_TABLE_ROLE = "smtpd looks a recipient of the local class (mydestination, or an [address] literal of inet_interfaces) up in it when smtpd_reject_unlisted_recipient = yes (550 5.1.1 User unknown in local recipient table)";

/** local_recipient_maps not stated: Postfix's default, the host's passwd table and $alias_maps, which the input does not hold. */
function unstatedLocalTable(aliasMaps: Setting | undefined): AssumedEntry {
  const aliases = aliasMaps === undefined ? "alias_maps not set either (DEF_ALIAS_MAPS, the host's aliases file)" : `alias_maps = ${aliasMaps.value.trim() || '(empty)'}`;
  return {
    list: 'assumed',
    key: 'postfix.local_recipient_maps',
    value: `(not set: Postfix's default, mail_params.h DEF_LOCAL_RCPT_MAPS "proxy:unix:passwd.byname $alias_maps"; ${aliases})`,
    reason: `${LOCAL_TABLE_ROLE}; the host's accounts (passwd.byname) and aliases are not in the input: the lab takes a Debian 12 host's accounts (models/postfix/debian-accounts.ts; the recorded stack's adds postfix, dovecot, dovenull)`,
  };
}

/**
 * myorigin, stated or not (DEF_MYORIGIN "$myhostname"), as Postfix evaluates it (postfix-expand.ts: Mailu's and
 * Debian's $mydomain): its key, or unsupported where the input does not give what it expands to (an unstated myhostname).
 */
function myoriginKey(values: PostfixValues, setting: Setting, unstated: boolean): { key: KeyAssignment } | { entry: ListedEntry } {
  const evaluated = values.value('myorigin');
  const role = 'the domain smtpd appends to a recipient without one before the relay restrictions and check_rcpt_maps() judge it (rewrite.c append_at_myorigin)';
  const shownSetting = unstated ? { ...setting, value: `(not set: Postfix's default, mail_params.h DEF_MYORIGIN "$myhostname" = ${evaluated.text.trim() || '(unknown)'})` } : setting;
  if (evaluated.unknown.length > 0) return { entry: unsupported(shownSetting, `${role}; ${evaluated.unknown.join('; ')}, so the lab keeps its own (postfix.myorigin sets it)`) };
  const expanded = unstated || evaluated.text.trim() === setting.value.trim() ? '' : `evaluated as Postfix does: ${evaluated.text.trim()}; `;
  return { key: assign('postfix.myorigin', evaluated.text.trim(), shownSetting, `${expanded}${role}`) };
}

/**
 * The recipient tables the lab reads as inline:{...} tables (models/postfix/routing-config.ts): the table as
 * written is the key; another type holds what the input does not show, unsupported with what it does.
 */
const ROUTING_TABLES: Readonly<Record<string, string>> = {
  transport_maps: "a table the lab cannot read: it may send a recipient to the error: or retry: transport, which smtpd then refuses at RCPT and VRFY when smtpd_reject_unlisted_recipient = yes (trivial-rewrite transport.c, smtpd_check.c check_rcpt_maps()); the lab takes each class's transport (postfix.transport_maps=inline:{ {domain = error:5.7.1 text}, ... } gives it the entries)",
  virtual_alias_maps: "a table the lab cannot read: with smtpd_reject_unlisted_recipient = yes an address found there is accepted whatever its class, before the error transports (smtpd_check.c check_rcpt_maps()), and one of a virtual alias domain must be found there (550 5.1.1 User unknown in virtual alias table); the lab finds no address (postfix.virtual_alias_maps=inline:{ address=x, ... } gives it the addresses)",
};

function compareWithLab(setting: Setting, version: string | undefined): FixedComparison {
  const yours = behaviourOf(setting.name, modelValue(setting, version));
  return {
    setting,
    whyItMatters: "the lab's Postfix runs with its own value of this parameter; no scenario key changes it",
    compare: (scenario: Scenario) => {
      const lab = postfixConfigOf(scenario)[setting.name as keyof PostfixConfig];
      return { labValue: shown(lab), same: behaviourOf(setting.name, lab) === yours };
    },
  };
}

/** The parameters the model reads that no key sets and the input's own value is compared for (the last branch of mapPostfix's list). */
const FIXED_PARAMETERS: readonly string[] = knownKeys.filter((name) => keyOf(name) === null && name !== 'mail_version' && name !== 'smtpd_milters' && !LAYOUT_PARAMETERS.includes(name) && !(name in NAMES));

/** Keyed parameters whose key keeps the layout's value when the input does not state them, compared as a fixed one is. */
const UNSTATED_COMPARED: readonly string[] = ['smtpd_relay_restrictions'];

/**
 * A fixed parameter the input does not set runs with Postfix's default at the release: where the lab's
 * preset has another value (smtpd_relay_restrictions, a key that keeps the layout's list: Mailu's and the
 * recorded stack's reject_unauth_destination, Postfix's defer_unauth_destination), it is unsupported; where
 * they behave the same there is nothing to list.
 */
function unstatedComparison(setting: Setting, version: string): FixedComparison {
  const postfix = postfixDefaults(version)[setting.name as keyof PostfixConfig];
  return {
    setting: { ...setting, value: `(not set: Postfix's default, ${shown(postfix) || '(empty)'})` },
    unstated: true,
    whyItMatters: "the input does not set it, so its smtpd runs with Postfix's default; the lab's Postfix runs with its own value and no scenario key changes it",
    compare: (scenario: Scenario) => {
      const lab = postfixConfigOf(scenario)[setting.name as keyof PostfixConfig];
      return { labValue: shown(lab), same: behaviourOf(setting.name, lab) === behaviourOf(setting.name, postfix) };
    },
  };
}

/**
 * A pattern of a layout list (smtpd_authorized_xclient_hosts, mynetworks) that names hosts by address: an IPv4 address or network,
 * or one in "[...]" (util/match_ops.c match_hostaddr()). Anything else (a negation, a host name matched
 * by the front's reverse lookup, a type:table or /file whose contents match_list_parse() reads) names
 * hosts the input does not show.
 */
const ADDRESS_PATTERN = /^(\[[0-9a-f.:]+(\/\d+)?\](\/\d+)?|[0-9.]+(\/\d+)?)$/i;

/** What an empty list means for a layout list the key can take empty, and which networks hold the front. */
const EMPTY_LAYOUT_LISTS: Readonly<Record<string, { readonly key: ScenarioKey; readonly empty: string; readonly question: string; readonly lab: string }>> = {
  // postconf(5): default empty; smtpd.c xclient_cmd(): namadr_list_match() over an empty list is no match.
  smtpd_authorized_xclient_hosts: {
    key: 'postfix.smtpd_authorized_xclient_hosts',
    empty: "empty, as Postfix's default (mail_params.h DEF_XCLIENT_HOSTS): smtpd offers no XCLIENT and refuses the front's with 550 5.7.0 Error: insufficient authorization",
    question: 'authorizes the front',
    lab: 'the lab authorizes its front',
  },
  // Stated empty, mynetworks() (the function default, mail_params.c) is not called: the list matches no client.
  mynetworks: {
    key: 'postfix.mynetworks',
    empty: 'empty: no client is in mynetworks, so permit_mynetworks permits none (smtpd_check.c permit_mynetworks()), the front included',
    question: 'holds the front',
    lab: "the lab's holds its front",
  },
};

/**
 * smtpd_authorized_xclient_hosts or mynetworks as stated. Empty is a key value (EMPTY_LAYOUT_LISTS). A
 * list of addresses and networks is the deployment's own (the front's address is not in the input): taken
 * to hold the front, as the layout's list holds the lab's front. A list the lab cannot judge keeps the
 * layout's value, unsupported.
 */
function mapLayoutList(setting: Setting, list: readonly string[], result: MapperResult): void {
  const { key, empty, question, lab } = EMPTY_LAYOUT_LISTS[setting.name]!;
  if (list.length === 0) {
    result.keys.push(assign(key, '', setting, empty));
    return;
  }
  const unjudged = list.filter((pattern) => !ADDRESS_PATTERN.test(pattern));
  if (unjudged.length === 0) result.entries.push({ list: 'mapped', setting, key: null, value: list.join(', '), note: LAYOUT });
  else result.entries.push(unsupported(setting, `${unjudged.join(', ')}: not an address or network (a negation, a host name, a table or a file the input does not hold), so whether the list ${question} cannot be told from the input; ${lab} (the layout's value)`));
}

export function mapPostfix(input: PostfixInput, backend: BackendPort): MapperResult {
  const result = emptyResult();
  const effective = new Map<string, Setting>();
  for (const { parameters } of input.main) for (const [name, setting] of parameters) effective.set(name, setting);
  const target = targetService(input, backend);
  if (target !== null) {
    const { service, others } = target;
    const serviceSetting = { name: `master.cf service ${service.service}`, value: `${service.type} ${service.command}`, where: service.where };
    if (service.command !== 'smtpd') result.entries.push(unsupported(serviceSetting, `the front relays here (${backend.because}), but the service runs ${service.command}, not smtpd; the lab's backend is smtpd`));
    else result.entries.push({ list: 'mapped', setting: serviceSetting, key: null, value: 'smtpd', note: `the service the front relays to (${backend.because}); its -o overrides apply` });
    for (const [name, setting] of service.overrides) {
      const fromMain = effective.get(name);
      if (fromMain) result.entries.push(ignored(fromMain, `overridden for this service by -o at ${whereText(setting.where)}`));
      effective.set(name, setting);
    }
    for (const other of others) result.entries.push(ignored({ name: `master.cf service ${other.service}`, value: `${other.type} ${other.command}`, where: other.where }, `not the service the front relays to (port ${backend.port})`));
  }
  const versionSetting = effective.get('mail_version');
  if (effective.size > 0 && versionSetting === undefined) {
    const files = [...input.main, ...input.master].map((f) => f.file).join(', ');
    throw new UsageError(`${files}: the Postfix files do not say which release runs; add the output of \`postconf mail_version\` (a line 'mail_version = 3.9.0'): smtpd_forbid_unauth_pipelining's default and the parameters that exist depend on it`);
  }
  const version = versionSetting?.value;
  const classNames = restrictionClassNames(effective.get('smtpd_restriction_classes'));
  for (const [name, setting] of effective) {
    if (name === 'mail_version') result.keys.push(assign('postfix.mail_version', releaseKeyText(setting), setting));
    else if (name in EMPTY_LAYOUT_LISTS) mapLayoutList(setting, modelValue(setting, version) as string[], result);
    else if ((DOMAIN_CLASS_NAMES as readonly string[]).includes(name)) continue; // evaluated with the others below (addressClasses())
    else if (name === 'virtual_mailbox_maps' && inlineTableProblem(name, setting.value) !== null) result.entries.push(tableOutsideTheLab(setting));
    else if (name === 'virtual_mailbox_maps') result.keys.push(assign('postfix.virtual_mailbox_maps', setting.value.trim(), setting));
    else if (name === 'myorigin') continue; // evaluated below with $mydomain (myoriginKey())
    else if (EXPANDED_RESTRICTION_PARAMETERS.includes(name)) continue; // evaluated below with their $names (restrictionSetting())
    else if (name === 'smtpd_restriction_classes' || classNames.includes(name)) continue; // evaluated below (restrictionClassSettings())
    else if (name === 'local_recipient_maps' && inlineTableProblem(name, setting.value) !== null) result.entries.push(localTableOutsideTheLab(setting));
    else if (name === 'local_recipient_maps') result.keys.push(assign('postfix.local_recipient_maps', setting.value.trim(), setting));
    else if (name in ROUTING_TABLES && routingParameterProblem(name as keyof RoutingConfig, setting.value) !== null) result.entries.push(unsupported(setting, ROUTING_TABLES[name]!));
    else if (name in ROUTING_TABLES) result.keys.push(assign(keyOf(name)!, setting.value.trim(), setting));
    else if (LAYOUT_PARAMETERS.includes(name)) result.entries.push({ list: 'mapped', setting, key: null, value: shown(modelValue(setting, version)), note: LAYOUT });
    else if (keyOf(name) !== null) result.keys.push(assign(keyOf(name)!, shown(modelValue(setting, version)), setting));
    else if (name === 'smtpd_milters') {
      const milters = modelValue(setting, version) as string[];
      result.entries.push({ list: 'mapped', setting, key: null, value: milters.join(', ') || '(none)', note: milters.length > 0 ? "a milter at connect: how long it takes and what it answers are not in the configuration; postfix.milter_ms sets the time (audit's traces draw 0-60 ms), postfix.milter_connect_reply, _helo_reply, _mail_reply, _rcpt_reply and _end_of_message_reply its answers (default continue)" : 'no milter' });
    } else if (name in NAMES) result.entries.push(ignored(setting, NAMES[name]!));
    else if (name === 'mynetworks_style' && !effective.has('mynetworks')) continue; // the unstated mynetworks' comparison lists it (postfix-address-classes.ts)
    else if (name === 'mynetworks_style') result.entries.push(ignored(setting, 'mynetworks is stated: Postfix derives mynetworks from its style only when mynetworks is not set (mail_params.c: mynetworks() is the function default of mynetworks)'));
    else if (name === 'compatibility_level') result.entries.push(ignored(setting, "decides defaults only (relay_domains, mynetworks_style and others not on this path): an unstated parameter's default is evaluated with it"));
    else if (knownKeys.includes(name)) result.fixed.push(compareWithLab(setting, version));
    else if (IGNORED_SMTPD.test(name)) result.entries.push(ignored(setting, 'TLS or SASL server material: the front talks plain SMTP to this service and passes the login with XCLIENT'));
    else if (name.startsWith('smtpd_')) result.entries.push(unsupported(setting, "an smtpd parameter the lab's Postfix model does not read"));
    else result.entries.push(ignored(setting, 'not read by smtpd on the front -> smtpd path (delivery, queue, outbound or other daemons)'));
  }
  // After the loop: mail_version's line has been checked (releaseKeyText) before its defaults are read.
  if (version !== undefined) {
    const service = target?.service ?? null;
    for (const name of Object.keys(PRESET_KEYED_PARAMETERS).filter((n) => !effective.has(n))) result.keys.push(unstatedDefault(name, input, backend, service, version));
    for (const name of [...FIXED_PARAMETERS, ...UNSTATED_COMPARED].filter((n) => !effective.has(n))) result.fixed.push(unstatedComparison(unstatedSetting(name, input, service), version));
    if (!effective.has('local_recipient_maps')) result.entries.push(unstatedLocalTable(effective.get('alias_maps')));
    const values = new PostfixValues(effective, version);
    const origin = myoriginKey(values, effective.get('myorigin') ?? unstatedSetting('myorigin', input, service), !effective.has('myorigin'));
    if ('key' in origin) result.keys.push(origin.key);
    else result.entries.push(origin.entry);
    const classesSetting = effective.get('smtpd_restriction_classes');
    const restrictionClasses = classesSetting === undefined ? null : restrictionClassSettings(values, classesSetting, (name) => effective.get(name));
    result.keys.push(...(restrictionClasses?.keys ?? []));
    result.entries.push(...(restrictionClasses?.entries ?? []));
    for (const name of EXPANDED_RESTRICTION_PARAMETERS.filter((n) => effective.has(n))) {
      const mapped = restrictionSetting(values, effective.get(name)!, restrictionClasses?.unusable);
      if ('key' in mapped) result.keys.push(mapped.key);
      else result.entries.push(mapped.entry);
    }
    const classes = addressClasses(values, (name) => unstatedSetting(name, input, service));
    result.keys.push(...classes.keys);
    result.fixed.push(...classes.fixed);
    result.entries.push(...classes.assumed);
  }
  return result;
}
