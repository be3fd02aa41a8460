/* resolve-transport - the transport and nexthop trivial-rewrite resolves a recipient to: its class's, relayhost, transport_maps
 *
 * trivial-rewrite/resolve.c resolve_addr() (v3.7.11; the same at v3.5.0, v3.9.0 and v3.10.13 but for a
 * renamed UTF-8 test), after the class (address-class.ts):
 *   - the virtual alias class: transport "error", nexthop "5.1.1 User unknown in virtual alias table"
 *     (show_user_unknown_table_name, DEF_SHOW_UNK_RCPT_TABLE yes), which transport_maps never overrides
 *     ("XXX Don't override the virtual alias class (error:User unknown) result");
 *   - local and virtual mailbox: local_transport or virtual_transport, nexthop the recipient's domain;
 *   - relay and default: relay_transport or default_transport, nexthop relayhost when it is set
 *     (DEF_RELAYHOST empty; "the relayhost setting overrides the recipient domain name"), else the domain;
 *   - then "an explicit main.cf transport:nexthop setting overrides the nexthop" (split_at() the first ':');
 *   - then transport_maps (transport.c transport_lookup()): the recipient as mail_addr_find_strategy()
 *     looks it up with MA_FIND_FULL | MA_FIND_NOEXT | MA_FIND_DOMAIN and the parents in the style
 *     parent_domain_matches_subdomains gives transport_maps (not in DEF_PAR_DOM_MATCH: ".parent.domain"
 *     keys, MA_FIND_PDDMDS; listed: "parent.domain", MA_FIND_PDMS): "user+ext@domain", "user@domain",
 *     "domain", its parents; no "@domain" and no bare local part. Not found: the "*" entry. An entry is
 *     transport[:nexthop] (update_entry()): ":nexthop" keeps the transport and sets the nexthop, ":" alone
 *     changes nothing; a transport without a nexthop resets it to the recipient's domain, or for the
 *     error and retry transports to "Address is undeliverable".
 * Measured on the real 3.7.11 (helper-67, 2026-11-30, a lab of its own, RCPT and VRFY alike): with
 * default_transport = error and relayhost = [relay.example.test], RCPT TO:<z@nowhere.test> got "550 5.1.1
 * <z@nowhere.test>: Recipient address rejected: [relay.example.test]"; transport_maps entries
 * "plain.test = error" gave "... Address is undeliverable", "nh.test = :[mx.nh.test]" "... [mx.nh.test]",
 * ".sub.test = error:sub text" for x@a.sub.test and x@b.a.sub.test, "@at.test = error:..." and "carol =
 * error:..." nothing, "user@ext.test" for user+y@ext.test; with parent_domain_matches_subdomains =
 * transport_maps "sub.test" for x@b.a.sub.test; "* = retry:4.3.5 wild" every other address, the virtual
 * domain's too; the virtual alias class kept its "User unknown in virtual alias table".
 * Not modelled: sender_dependent_default_transport_maps and sender_dependent_relayhost_maps (empty by
 * default), relocated_maps (5.1.6 User has moved), a table lookup error (RESOLVE_FLAG_FAIL).
 */
import type { AddressClass } from './address-class.js';
import { matchParentStyle } from './address-list.js';
import type { PostfixConfig } from './config.js';
import { mailAddrFind } from './mail-addr-find.js';

/** The parameter that names each class's transport (resolve_addr()'s blame); the virtual alias class has none. */
export const TRANSPORT_PARAMETERS = { local: 'local_transport', virtual: 'virtual_transport', relay: 'relay_transport', default: 'default_transport' } as const satisfies Record<Exclude<AddressClass, 'alias'>, keyof PostfixConfig>;

/** What resolve_addr() hands smtpd: the delivery transport and its nexthop (free text for the error and retry transports). */
export interface ResolvedTransport {
  readonly transport: string;
  readonly nexthop: string;
}

/** split_at(channel, ':'): the transport and the nexthop after the first ':' (null: none, or empty). */
export function splitTransport(value: string): { readonly transport: string; readonly nexthop: string | null } {
  const colon = value.indexOf(':');
  if (colon < 0) return { transport: value, nexthop: null };
  return { transport: value.slice(0, colon), nexthop: value.slice(colon + 1) || null };
}

/** The transports whose nexthop is free text: transport.c update_entry() gives them "Address is undeliverable" for a domain. */
const FREE_TEXT_TRANSPORTS: readonly string[] = ['error', 'retry'];

/** resolve_addr()'s channel and nexthop for a resolved recipient `local`@`domain` of class `resolved`. */
export function resolveTransport(c: PostfixConfig, resolved: AddressClass, local: string, domain: string): ResolvedTransport {
  if (resolved === 'alias') return { transport: 'error', nexthop: '5.1.1 User unknown in virtual alias table' };
  const offHost = resolved === 'relay' || resolved === 'default';
  const { transport, nexthop } = splitTransport(c[TRANSPORT_PARAMETERS[resolved]].trim());
  const classHop = nexthop ?? (offHost && c.relayhost !== '' ? c.relayhost : domain);
  const entry = c.transport_maps === null ? undefined : transportLookup(c, c.transport_maps, local, domain);
  return entry === undefined ? { transport, nexthop: classHop } : updateEntry(entry, domain, { transport, nexthop: classHop });
}

/** transport_lookup(): the entry for the recipient, else the "*" wildcard's. */
function transportLookup(c: PostfixConfig, table: Readonly<Record<string, string>>, local: string, domain: string): string | undefined {
  const style = matchParentStyle(c.parent_domain_matches_subdomains, 'transport_maps') ? 'pdms' : 'pddmds';
  return mailAddrFind(table, local, domain, c.recipient_delimiter, { domain: style }, false) ?? (Object.hasOwn(table, '*') ? table['*'] : undefined);
}

/** update_entry() with parse_transport_entry()'s split_at(value, ':'). */
function updateEntry(entry: string, domain: string, current: ResolvedTransport): ResolvedTransport {
  const { transport, nexthop } = splitTransport(entry);
  if (transport === '') return { transport: current.transport, nexthop: nexthop ?? current.nexthop };
  if (nexthop !== null) return { transport, nexthop };
  return { transport, nexthop: FREE_TEXT_TRANSPORTS.includes(transport) ? 'Address is undeliverable' : domain };
}
