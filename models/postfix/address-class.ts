/* address-class - the class of a recipient's domain: local, virtual, relay or default (trivial-rewrite resolve_class())
 *
 * trivial-rewrite/resolve.c (v3.7.11; resolve_addr() and resolve_class() the same at v3.5.0, v3.9.0
 * and v3.10.13 but for a renamed UTF-8 test) decides an address's class in this order: the local
 * class when global/resolve_local.c resolve_local() says the domain is the mail system's own, then
 * virtual_alias_domains (not modelled: the lab has none), virtual_mailbox_domains (string_list),
 * relay_domains (domain_list in its parent style, resolve_init()), else the default class.
 * resolve_local() strips one trailing dot (resolvedRecipient() already has) and answers yes for a
 * domain mydestination matches, or for an [address] literal (valid_mailhost_addr(): IPv4, or
 * "IPv6:" and an IPv6 address) of one of smtpd's own addresses: own_inet_addr() over
 * inet_interfaces (global/own_inet_addr.c own_inet_addr_init(): "all" asks the system for every
 * interface, "loopback-only" keeps the loopback ones, else the listed hosts), or proxy_interfaces
 * (not modelled: empty by default, DEF_PROXY_INTERFACES). The lab's host has the loopback interface
 * (127.0.0.1, and ::1 where inet_protocols has IPv6) and the address its client reached it on.
 * Not modelled: a literal whose IPv4 bytes carry leading zeros (getaddrinfo() reads them as octal),
 * host names in inet_interfaces (the lab resolves no names: config.ts refuses them).
 */
import { domainListMatch, matchParentStyle, sameAddress, stringListMatch } from './address-list.js';
import type { PostfixConfig } from './config.js';
import { validMailhostLiteral } from './resolve-addr.js';

export type AddressClass = 'local' | 'virtual' | 'relay' | 'default';

/** resolve_class(): the class of `domain` (a resolved recipient's), for an smtpd reached at `localHost`. */
export function addressClass(c: PostfixConfig, localHost: string, domain: string): AddressClass {
  if (resolveLocal(c, localHost, domain)) return 'local';
  if (stringListMatch(c.virtual_mailbox_domains, domain)) return 'virtual';
  if (domainListMatch(c.relay_domains, domain, matchParentStyle(c.parent_domain_matches_subdomains, 'relay_domains'))) return 'relay';
  return 'default';
}

/** resolve_local(): mydestination, or an [address] literal of one of smtpd's own addresses. */
function resolveLocal(c: PostfixConfig, localHost: string, domain: string): boolean {
  if (stringListMatch(c.mydestination, domain)) return true;
  if (!validMailhostLiteral(domain)) return false;
  const literal = domain.slice(1, -1).replace(/^ipv6:/i, '');
  return ownAddresses(c, localHost).some((own) => sameAddress(own, literal));
}

/** own_inet_addr_init(): the addresses inet_interfaces names, of the families inet_protocols enables. */
function ownAddresses(c: PostfixConfig, localHost: string): readonly string[] {
  if (typeof c.inet_interfaces !== 'string') return c.inet_interfaces;
  const loopback = [c.inet_protocols !== 'ipv6' ? '127.0.0.1' : null, c.inet_protocols !== 'ipv4' ? '::1' : null].filter((addr) => addr !== null);
  return c.inet_interfaces === 'all' ? [...loopback, localHost] : loopback;
}
