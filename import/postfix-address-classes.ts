/* postfix-address-classes - mydestination, virtual_mailbox_domains, relay_domains and an unstated mynetworks: as Postfix evaluates them, onto the lab's keys
 *
 * The lab's Postfix decides a recipient's class and whether it is an authorized destination from
 * mydestination, virtual_alias_domains, virtual_mailbox_domains and relay_domains (models/postfix/address-class.ts:
 * trivial-rewrite resolve.c resolve_class(); smtpd_check.c permit_auth_destination(), v3.7.11), and whom it
 * trusts from mynetworks; the scenario keys postfix.mydestination, .virtual_alias_domains,
 * .virtual_mailbox_domains, .relay_domains and .mynetworks set them (the layout's preset: no local domain,
 * no virtual alias domain, the virtual domain example.test, no relay domain, its front inside mynetworks). A domain class, stated or not, is evaluated as Postfix evaluates it (postfix-expand.ts:
 * $parameters expanded; unstated, its default from global/mail_params.h, the same at v3.5.0, v3.7.11,
 * v3.8.6, v3.9.0 and v3.10.13; `postconf -d` of Debian's 3.7.11 prints them):
 *   mydestination            DEF_MYDEST "$myhostname, localhost.$mydomain, localhost"
 *   virtual_alias_domains    DEF_VIRT_ALIAS_DOMS "$virtual_alias_maps" (DEF_VIRT_ALIAS_MAPS "$virtual_maps", empty)
 *   virtual_mailbox_domains  DEF_VIRT_MAILBOX_DOMS "$virtual_mailbox_maps" (DEF_VIRT_MAILBOX_MAPS empty)
 *   relay_domains            DEF_RELAY_DOMAINS: $mydestination below compatibility_level 2, else empty
 * and set as its key when every pattern is one the key holds; a table or file the input does not
 * show, or a part the expansion cannot evaluate (the machine's host name), is listed as unsupported
 * against the lab's value, never silently left at it. mynetworks unstated is Postfix's own interfaces
 * (mynetworks.c mynetworks_core() in mynetworks_style, DEF_MYNETWORKS_STYLE: subnet below
 * compatibility_level 2, else host), whose addresses the input does not give: judged for the front as
 * the lab's layout places it and listed as assumed; a stated mynetworks is the deployment's own
 * addresses (postfix-map.ts mapLayoutList()).
 */
import { inlineTableProblem, parseInlineTableKeys, type PostfixConfig } from '../models/postfix/config.ts';
import { matchParentStyle, namadrListMatch } from '../models/postfix/address-list.ts';
import { VIRTUAL_ALIAS_DOMAINS_DEFAULT } from '../models/postfix/routing-config.ts';
import type { Scenario } from '../scenarios/index.ts';
import { hostsOf, postfixConfigOf } from '../scenarios/topology.ts';
import { assign } from './assign.ts';
import type { AssumedEntry, FixedComparison, KeyAssignment } from './entries.ts';
import type { Evaluated, PostfixValues } from './postfix-expand.ts';
import { ConfigError, type Setting } from './source.ts';

type DomainClass = 'mydestination' | 'virtual_alias_domains' | 'virtual_mailbox_domains' | 'relay_domains';

/** Each class's default as mail_params.h writes it, and what the class does in the lab's smtpd. */
const DOMAIN_CLASSES: Readonly<Record<DomainClass, { readonly macro: string; readonly role: string }>> = {
  mydestination: {
    macro: 'DEF_MYDEST "$myhostname, localhost.$mydomain, localhost"',
    role: 'the local domains: a recipient there passes reject_unauth_destination/defer_unauth_destination and is the local class, not looked up in virtual_mailbox_maps',
  },
  virtual_alias_domains: {
    macro: 'DEF_VIRT_ALIAS_DOMS "$virtual_alias_maps"',
    role: 'the virtual alias domains: a recipient there passes reject_unauth_destination/defer_unauth_destination and, with smtpd_reject_unlisted_recipient, must be in virtual_alias_maps (550 5.1.1 User unknown in virtual alias table); a domain also in a later class list is this class',
  },
  virtual_mailbox_domains: {
    macro: 'DEF_VIRT_MAILBOX_DOMS "$virtual_mailbox_maps"',
    role: 'the virtual mailbox domains: a recipient there passes reject_unauth_destination/defer_unauth_destination and, with smtpd_reject_unlisted_recipient, must be in virtual_mailbox_maps; elsewhere it is relaying',
  },
  relay_domains: {
    macro: 'DEF_RELAY_DOMAINS "${{$compatibility_level} <level {2} ? {$mydestination} : {}}"',
    role: 'the relay domains: a recipient there passes reject_unauth_destination/defer_unauth_destination',
  },
};

export const DOMAIN_CLASS_NAMES = Object.keys(DOMAIN_CLASSES) as DomainClass[];

/** A list's patterns as the lab's key holds them, as far as the import can tell, and what in it it cannot read. */
interface Domains {
  readonly domains: readonly string[];
  readonly unreadable: readonly string[];
}

/** match_list_parse() (util/match_list.c): patterns split at commas and white space, a {...} kept whole (mystrtokq(..., CHARS_BRACE)). */
function patternsOf(text: string): string[] {
  return text.match(/(?:\{[^{}]*\}|<[^<>]*>|[^\s,{<])+/g) ?? [];
}

/**
 * The patterns of a string or domain list as the key holds them: a name is itself, with its '!'s
 * (match_list_parse(): a negated match answers no, which the model does too); an inline:{...} table
 * matches its keys (match_string()/match_hostname() look the domain up; a key with '@' is an address,
 * which no domain is); static: matches every domain; any other table or a /file holds what the input
 * does not show.
 */
function domainsOf(parameter: string, text: string): Domains {
  const domains: string[] = [];
  const unreadable: string[] = [];
  for (const pattern of patternsOf(text)) {
    // A part the expansion could not evaluate (<...>) is already named in its unknown list.
    if (pattern.includes('<')) continue;
    const negation = /^!*/.exec(pattern)![0];
    const body = pattern.slice(negation.length);
    if (body.startsWith('/')) unreadable.push(`${pattern}: a file the input does not hold`);
    else if (/^static:/i.test(body)) unreadable.push(`${pattern}: matches every domain, which the lab's list of names cannot`);
    else if (/^inline:/i.test(body) && inlineTableProblem(parameter, body) === null) domains.push(...parseInlineTableKeys(parameter, body)!.filter((key) => !key.includes('@')).map((key) => negation + key));
    else if (/^[\w-]+:/.test(body)) unreadable.push(`${pattern}: a table the import cannot read`);
    else domains.push(pattern.toLowerCase());
  }
  return { domains: [...new Set(domains)], unreadable };
}

function domainsText({ domains, unreadable }: Domains): string {
  const names = domains.length > 0 ? `domains ${domains.join(', ')}` : 'no domain';
  return unreadable.length > 0 ? `${names}; and ${unreadable.join('; ')}` : names;
}

/**
 * A domain class, stated (`setting` is its line) or not (Postfix's default): its key, when the evaluated
 * value holds only names the key takes; else listed as unsupported with the lab's value.
 */
function domainClass(name: DomainClass, values: PostfixValues, setting: Setting, unstated: boolean): { key: KeyAssignment } | { fixed: FixedComparison } {
  const evaluated: Evaluated = values.value(name);
  const postfix = domainsOf(name, evaluated.text);
  const unknown = [...evaluated.unknown, ...postfix.unreadable];
  const text = evaluated.text.trim() || '(empty)';
  const value = unstated ? `(not set: Postfix's default, mail_params.h ${DOMAIN_CLASSES[name].macro} = ${text}: ${domainsText({ domains: postfix.domains, unreadable: unknown })})` : setting.value;
  if (unknown.length === 0) {
    const expanded = unstated || evaluated.text.trim() === setting.value.trim() ? '' : `evaluated as Postfix does: ${text}; `;
    // Unstated, virtual_alias_domains is the key's own default: the model asks postfix.virtual_alias_maps as Postfix asks the table.
    const keyValue = unstated && name === 'virtual_alias_domains' ? VIRTUAL_ALIAS_DOMAINS_DEFAULT : postfix.domains.join(', ');
    return { key: assign(`postfix.${name}`, keyValue, { ...setting, value }, `${expanded}${DOMAIN_CLASSES[name].role}`) };
  }
  return {
    fixed: {
      setting: { ...setting, value },
      ...(unstated ? { unstated: true } : {}),
      whyItMatters: `${unstated ? '' : `${domainsText({ domains: postfix.domains, unreadable: unknown })}: `}${DOMAIN_CLASSES[name].role}; the import cannot tell its domains, so the lab keeps its own (postfix.${name} sets them)`,
      compare: (scenario: Scenario) => ({ labValue: postfixConfigOf(scenario)[name]?.join(', ') ?? VIRTUAL_ALIAS_DOMAINS_DEFAULT, same: false }),
    },
  };
}

/** mynetworks_core()'s styles (name_mask(): one word, case-insensitive; anything else is fatal). */
const MYNETWORKS_STYLES = ['class', 'subnet', 'host'] as const;
type MynetworksStyle = (typeof MYNETWORKS_STYLES)[number];

function mynetworksStyle(values: PostfixValues): MynetworksStyle {
  const stated = values.stated('mynetworks_style');
  const style = values.value('mynetworks_style').text.trim().toLowerCase();
  if (stated !== undefined && !(MYNETWORKS_STYLES as readonly string[]).includes(style)) {
    throw new ConfigError(stated.where, `mynetworks_style = ${stated.value}: Postfix stops: not exactly one of ${MYNETWORKS_STYLES.join(', ')} (global/mynetworks.c mynetworks_core(): "bad mynetworks_style value ... specify exactly one value", or name_mask(): "unknown mynetworks mask style value")`);
  }
  return style as MynetworksStyle;
}

/** What the import takes the front's and the client's addresses to be, which mynetworks_style=host turns on. */
const FRONT_ADDRESS_ASSUMED = "the front's and the client's addresses are not in the input: taken as the lab's layout has them, the front on a network of Postfix's own interfaces (Mailu's docker network: the front 192.168.203.2 on another host than Postfix's 192.168.203.4; the recorded stack, postfix.mail_version=3.7.11 with front.port=1587: the same host over 127.0.0.1), the client outside Postfix's networks but on its host in the recorded stack. So mynetworks_style = host (each of Postfix's own addresses /32) holds the front only where it runs on Postfix's host; subnet and class hold it";

const STYLE_TEXT: Readonly<Record<MynetworksStyle, string>> = {
  host: "127.0.0.1/32 and each of Postfix's own interface addresses alone (/32, IPv6 /128): the front inside only on Postfix's host",
  subnet: "the networks of Postfix's own interfaces (127.0.0.0/8 and each interface's subnet): the front on Postfix's network inside",
  class: "the class A, B or C networks of Postfix's own interfaces (IPv6: subnets): the front on Postfix's network inside",
};

/**
 * mynetworks not stated: Postfix's own interfaces in mynetworks_style (mail_params.c's function default
 * mynetworks(), called only when mynetworks is not set; mynetworks.c mynetworks_core()),
 * whose addresses the input does not give; judged for the front as the lab's layout places it
 * (FRONT_ADDRESS_ASSUMED), and listed as assumed.
 */
function mynetworksComparison(values: PostfixValues, unstated: Setting): { fixed: FixedComparison; assumed: AssumedEntry } {
  const style = mynetworksStyle(values);
  const styleSetting = values.stated('mynetworks_style');
  const from = styleSetting !== undefined ? 'mynetworks_style as stated' : `mynetworks_style's default at compatibility_level ${values.stated('compatibility_level') === undefined ? '0 (not set: DEF_COMPAT_LEVEL)' : values.value('compatibility_level').text.trim()} (mail_params.h DEF_MYNETWORKS_STYLE: subnet below 2, else host)`;
  const postfixText = `${style}, ${from}: ${STYLE_TEXT[style]}`;
  const fixed: FixedComparison = {
    setting: styleSetting !== undefined ? { ...styleSetting, value: `${styleSetting.value} (mynetworks not set: ${STYLE_TEXT[style]})` } : { ...unstated, value: `(not set: Postfix's default, ${postfixText})` },
    ...(styleSetting !== undefined ? {} : { unstated: true }),
    whyItMatters: "smtpd matches the front's own connection against mynetworks (permit_mynetworks in smtpd_relay_restrictions for what it sends as itself; smtpd_client_event_limit_exceptions and smtpd_forbid_bare_newline_exclusions, default $mynetworks); the lab keeps its layout's list, as the front's address is the layout's (postfix.mynetworks sets another: host style is 127.0.0.1/32 and Postfix's own address /32)",
    compare: (scenario: Scenario) => {
      const hosts = hostsOf(scenario);
      const lab = postfixConfigOf(scenario);
      const inside = (addr: string) => inLabMynetworks(lab, addr);
      // Postfix's own address is in every style; the front's network (FRONT_ADDRESS_ASSUMED) in subnet and class.
      const postfixHolds = (addr: string, isFront: boolean) => addr === hosts.postfix || (isFront && style !== 'host');
      return {
        labValue: `${lab.mynetworks.join(' ')}, which holds the front (${hosts.front}) ${inside(hosts.front) ? 'inside' : 'outside'} and the client (${hosts.client}) ${inside(hosts.client) ? 'inside' : 'outside'}`,
        same: inside(hosts.front) === postfixHolds(hosts.front, true) && inside(hosts.client) === postfixHolds(hosts.client, false),
      };
    },
  };
  return { fixed, assumed: { list: 'assumed', key: 'main.cf mynetworks', value: postfixText, reason: `not stated, so Postfix's own interfaces decide it, which the input does not give; ${FRONT_ADDRESS_ASSUMED}` } };
}

function inLabMynetworks(lab: PostfixConfig, addr: string): boolean {
  return namadrListMatch(lab.mynetworks, lab.reverseDns[addr] ?? 'unknown', addr, matchParentStyle(lab.parent_domain_matches_subdomains, 'mynetworks'));
}

/**
 * The address classes: each domain class stated or not (its key, or a comparison), and an unstated mynetworks'
 * comparison and assumption.
 */
export function addressClasses(values: PostfixValues, unstatedSetting: (name: string) => Setting): { keys: KeyAssignment[]; fixed: FixedComparison[]; assumed: AssumedEntry[] } {
  // mail_params.c mail_params_init() parses it at every start (msg_fatal on a malformed level), whether or not a default reads it.
  values.compatibilityLevel();
  const keys: KeyAssignment[] = [];
  const fixed: FixedComparison[] = [];
  const assumed: AssumedEntry[] = [];
  for (const name of DOMAIN_CLASS_NAMES) {
    const stated = values.stated(name);
    const mapped = domainClass(name, values, stated ?? unstatedSetting(name), stated === undefined);
    if ('key' in mapped) keys.push(mapped.key);
    else fixed.push(mapped.fixed);
  }
  if (values.stated('mynetworks') === undefined) {
    const mynetworks = mynetworksComparison(values, unstatedSetting('mynetworks'));
    fixed.push(mynetworks.fixed);
    assumed.push(mynetworks.assumed);
  }
  return { keys, fixed, assumed };
}
