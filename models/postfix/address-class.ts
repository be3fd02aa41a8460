/* address-class - the class of a recipient's domain: local, virtual alias, virtual mailbox, relay or default (trivial-rewrite resolve_class())
 *
 * trivial-rewrite/resolve.c (v3.7.11; resolve_addr() and resolve_class() the same at v3.5.0, v3.9.0
 * and v3.10.13 but for a renamed UTF-8 test) decides an address's class in this order: the local
 * class when global/resolve_local.c resolve_local() says the domain is the mail system's own, then
 * virtual_alias_domains (string_list; DEF_VIRT_ALIAS_DOMS "$virtual_alias_maps": a domain that is a key
 * of that table), virtual_mailbox_domains (string_list), relay_domains (domain_list in its parent style,
 * resolve_init()), else the default class. The first match decides: a domain in two of them gets the
 * first one's class, and with helpful_warnings (DEF_HELPFUL_WARNINGS yes) trivial-rewrite says so
 * (classWarnings()). resolve_local() strips one trailing dot (resolvedRecipient() already has) and
 * answers yes for a domain mydestination matches, or for an [address] literal (valid_mailhost_addr():
 * IPv4, or "IPv6:" and an IPv6 address) of one of smtpd's own addresses: own_inet_addr() over
 * inet_interfaces (global/own_inet_addr.c own_inet_addr_init(): "all" asks the system for every
 * interface, "loopback-only" keeps the loopback ones, else the listed hosts), or proxy_inet_addr()
 * over proxy_interfaces (proxy_inet_addr_init(): the listed hosts; DEF_PROXY_INTERFACES empty). The
 * lab's host has the loopback interface (127.0.0.1, and ::1 where inet_protocols has IPv6) and the
 * address its client reached it on. Measured on the real 3.7.11: RCPT TO:<root@[192.0.2.7]> with
 * proxy_interfaces = 192.0.2.7 is the local class (looked up in local_recipient_maps).
 * Not modelled: a literal whose IPv4 bytes carry leading zeros (getaddrinfo() reads them as octal),
 * host names in inet_interfaces and proxy_interfaces (the lab resolves no names: config.ts refuses them).
 */
import { domainListMatch, matchParentStyle, sameAddress, stringListMatch } from './address-list.js';
import type { PostfixConfig } from './config.js';
import { validMailhostLiteral } from './resolve-addr.js';

export type AddressClass = 'local' | 'alias' | 'virtual' | 'relay' | 'default';

/** resolve_class(): the class of `domain` (a resolved recipient's), for an smtpd reached at `localHost`. */
export function addressClass(c: PostfixConfig, localHost: string, domain: string): AddressClass {
  if (resolveLocal(c, localHost, domain)) return 'local';
  if (virtualAliasDomain(c, domain)) return 'alias';
  if (stringListMatch(c.virtual_mailbox_domains, domain)) return 'virtual';
  if (relayDomain(c, domain)) return 'relay';
  return 'default';
}

/**
 * resolve_addr()'s "XXX Nag if the recipient domain is listed in multiple domain lists" (helpful_warnings):
 * what trivial-rewrite logs for a domain of class `resolved` that a later class's list holds too. Checked
 * on the real 3.7.11: "warning: do not list domain both.test in BOTH virtual_alias_domains and
 * virtual_mailbox_domains", with the domain as the recipient wrote it.
 */
export function classWarnings(c: PostfixConfig, resolved: AddressClass, domain: string): string[] {
  const both = (first: string, second: string) => `warning: do not list domain ${domain} in BOTH ${first} and ${second}`;
  const mailbox = stringListMatch(c.virtual_mailbox_domains, domain);
  if (resolved === 'local') {
    return [virtualAliasDomain(c, domain) ? both('mydestination', 'virtual_alias_domains') : null, mailbox ? both('mydestination', 'virtual_mailbox_domains') : null].filter((line) => line !== null);
  }
  if (resolved === 'alias') {
    return [mailbox ? both('virtual_alias_domains', 'virtual_mailbox_domains') : null, relayDomain(c, domain) ? both('virtual_alias_domains', 'relay_domains') : null].filter((line) => line !== null);
  }
  return resolved === 'virtual' && relayDomain(c, domain) ? [both('virtual_mailbox_domains', 'relay_domains')] : [];
}

/**
 * virtual_alias_domains: its list, or with null its default $virtual_alias_maps, which string_list_match()
 * asks as a table: the domain is one of its keys (match_string() looks the name up; DICT_FLAG_FOLD_FIX).
 */
function virtualAliasDomain(c: PostfixConfig, domain: string): boolean {
  if (c.virtual_alias_domains !== null) return stringListMatch(c.virtual_alias_domains, domain);
  return c.virtual_alias_maps !== null && Object.hasOwn(c.virtual_alias_maps, domain.toLowerCase());
}

function relayDomain(c: PostfixConfig, domain: string): boolean {
  return domainListMatch(c.relay_domains, domain, matchParentStyle(c.parent_domain_matches_subdomains, 'relay_domains'));
}

/** resolve_local(): mydestination, or an [address] literal of one of smtpd's own addresses. */
function resolveLocal(c: PostfixConfig, localHost: string, domain: string): boolean {
  if (stringListMatch(c.mydestination, domain)) return true;
  if (!validMailhostLiteral(domain)) return false;
  const literal = domain.slice(1, -1).replace(/^ipv6:/i, '');
  return [...ownAddresses(c, localHost), ...c.proxy_interfaces].some((own) => sameAddress(own, literal));
}

/** own_inet_addr_init(): the addresses inet_interfaces names, of the families inet_protocols enables. */
function ownAddresses(c: PostfixConfig, localHost: string): readonly string[] {
  if (typeof c.inet_interfaces !== 'string') return c.inet_interfaces;
  const loopback = [c.inet_protocols !== 'ipv6' ? '127.0.0.1' : null, c.inet_protocols !== 'ipv4' ? '::1' : null].filter((addr) => addr !== null);
  return c.inet_interfaces === 'all' ? [...loopback, localHost] : loopback;
}
