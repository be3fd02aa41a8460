/* postfix-address-classes - an unstated mydestination, virtual_mailbox_domains, relay_domains or mynetworks: Postfix's default at the release, against the lab's
 *
 * The lab's Postfix decides a recipient's class and whether it is an authorized destination from
 * mydestination, virtual_mailbox_domains and relay_domains (models/postfix/cmd-envelope.ts
 * relayRejection(), rcpt-maps.ts: trivial-rewrite resolve.c resolve_class()), and whom it trusts
 * from mynetworks; no scenario key sets them: the layout's preset has no local domain, the virtual
 * domain example.test, no relay domain, and its front inside mynetworks. When the files do not
 * state one, the real smtpd runs with its default (global/mail_params.h, the same at v3.5.0,
 * v3.7.11, v3.8.6, v3.9.0 and v3.10.13; `postconf -d` of Debian's 3.7.11 prints them):
 *   mydestination            DEF_MYDEST "$myhostname, localhost.$mydomain, localhost"
 *   virtual_mailbox_domains  DEF_VIRT_MAILBOX_DOMS "$virtual_mailbox_maps" (DEF_VIRT_MAILBOX_MAPS empty)
 *   relay_domains            DEF_RELAY_DOMAINS: $mydestination below compatibility_level 2, else empty
 *   mynetworks               mynetworks.c mynetworks_core() in mynetworks_style, DEF_MYNETWORKS_STYLE:
 *                            subnet below compatibility_level 2, else host
 * evaluated from what the files state (postfix-expand.ts). Each is compared with the lab's value and
 * listed as unsupported where it behaves otherwise, never silently left at the lab's.
 */
import { inlineTableProblem, parseInlineTableKeys, type PostfixConfig } from '../models/postfix/config.ts';
import { matchParentStyle, namadrListMatch } from '../models/postfix/address-list.ts';
import type { Scenario } from '../scenarios/index.ts';
import { hostsOf, postfixConfigOf } from '../scenarios/topology.ts';
import type { AssumedEntry, FixedComparison } from './entries.ts';
import type { Evaluated, PostfixValues } from './postfix-expand.ts';
import { ConfigError, type Setting } from './source.ts';

type DomainClass = 'mydestination' | 'virtual_mailbox_domains' | 'relay_domains';

/** Each class's default as mail_params.h writes it, and what the class does in the lab's smtpd. */
const DOMAIN_CLASSES: Readonly<Record<DomainClass, { readonly macro: string; readonly role: string }>> = {
  mydestination: {
    macro: 'DEF_MYDEST "$myhostname, localhost.$mydomain, localhost"',
    role: 'the local domains: a recipient there passes reject_unauth_destination/defer_unauth_destination and is the local class, not looked up in virtual_mailbox_maps',
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

export const ADDRESS_CLASS_PARAMETERS: readonly string[] = [...Object.keys(DOMAIN_CLASSES), 'mynetworks'];

/** The domains a list matches, as far as the import can tell, and what in it it cannot read. */
interface Domains {
  readonly domains: readonly string[];
  readonly unreadable: readonly string[];
}

/** match_list_parse() (util/match_list.c): patterns split at commas and white space, a {...} kept whole (mystrtokq(..., CHARS_BRACE)). */
function patternsOf(text: string): string[] {
  return text.match(/(?:\{[^{}]*\}|<[^<>]*>|[^\s,{<])+/g) ?? [];
}

/**
 * The domains a string or domain list of these patterns matches: a name is itself; an inline:{...}
 * table matches its keys (match_string()/match_hostname() look the domain up; a key with '@' is an
 * address, which no domain is); static: matches every domain; any other table or a /file holds
 * what the input does not show.
 */
function domainsOf(parameter: string, text: string): Domains {
  const domains: string[] = [];
  const unreadable: string[] = [];
  for (const pattern of patternsOf(text)) {
    // A part the expansion could not evaluate (<...>) is already named in its unknown list.
    if (pattern.includes('<')) continue;
    if (pattern.startsWith('!')) unreadable.push(`${pattern}: a negation the import does not evaluate`);
    else if (pattern.startsWith('/')) unreadable.push(`${pattern}: a file the input does not hold`);
    else if (/^static:/i.test(pattern)) unreadable.push(`${pattern}: matches every domain, which the lab's list of names cannot`);
    else if (/^inline:/i.test(pattern) && inlineTableProblem(parameter, pattern) === null) domains.push(...parseInlineTableKeys(parameter, pattern)!.filter((key) => !key.includes('@')));
    else if (/^[\w-]+:/.test(pattern)) unreadable.push(`${pattern}: a table the import cannot read`);
    else domains.push(pattern.toLowerCase());
  }
  return { domains: [...new Set(domains)], unreadable };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item) => b.includes(item));

function domainsText({ domains, unreadable }: Domains): string {
  const names = domains.length > 0 ? `domains ${domains.join(', ')}` : 'no domain';
  return unreadable.length > 0 ? `${names}; and ${unreadable.join('; ')}` : names;
}

function domainClassComparison(name: DomainClass, values: PostfixValues, setting: Setting): FixedComparison {
  const evaluated: Evaluated = values.value(name);
  const postfix = domainsOf(name, evaluated.text);
  const unknown = [...evaluated.unknown, ...postfix.unreadable];
  return {
    setting: { ...setting, value: `(not set: Postfix's default, mail_params.h ${DOMAIN_CLASSES[name].macro} = ${evaluated.text.trim() || '(empty)'}: ${domainsText({ domains: postfix.domains, unreadable: unknown })})` },
    unstated: true,
    whyItMatters: `${DOMAIN_CLASSES[name].role}; the lab's Postfix runs with its own list and no scenario key changes it`,
    compare: (scenario: Scenario) => {
      const lab = (postfixConfigOf(scenario)[name] as readonly string[]).map((domain) => domain.toLowerCase());
      return { labValue: lab.join(', '), same: unknown.length === 0 && sameSet(lab, postfix.domains) };
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
    whyItMatters: "smtpd matches the front's own connection against mynetworks (permit_mynetworks in smtpd_relay_restrictions for what it sends as itself; smtpd_client_event_limit_exceptions and smtpd_forbid_bare_newline_exclusions, default $mynetworks); the lab's layout has its own list and no scenario key changes it",
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

/** The comparisons (and the mynetworks assumption) for the address-class parameters the files do not state. */
export function unstatedAddressClasses(values: PostfixValues, unstatedSetting: (name: string) => Setting): { fixed: FixedComparison[]; assumed: AssumedEntry[] } {
  // mail_params.c mail_params_init() parses it at every start (msg_fatal on a malformed level), whether or not a default reads it.
  values.compatibilityLevel();
  const fixed: FixedComparison[] = [];
  const assumed: AssumedEntry[] = [];
  for (const name of Object.keys(DOMAIN_CLASSES) as DomainClass[]) {
    if (values.stated(name) === undefined) fixed.push(domainClassComparison(name, values, unstatedSetting(name)));
  }
  if (values.stated('mynetworks') === undefined) {
    const mynetworks = mynetworksComparison(values, unstatedSetting('mynetworks'));
    fixed.push(mynetworks.fixed);
    assumed.push(mynetworks.assumed);
  }
  return { fixed, assumed };
}
