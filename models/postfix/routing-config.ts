/* routing-config - the parameters that decide where a recipient goes besides its class's own: virtual aliases, transport_maps, relayhost, proxy_interfaces
 *
 * As main.cf gives them (v3.7.11; the same defaults at v3.5.0, v3.9.0 and v3.10.13, mail_params.h):
 *   virtual_alias_domains  DEF_VIRT_ALIAS_DOMS "$virtual_alias_maps": a string_list; its default asks the
 *                          table itself, a domain that is one of its keys (address-class.ts)
 *   virtual_alias_maps     DEF_VIRT_ALIAS_MAPS "$virtual_maps", empty: an address found there is known to
 *                          check_rcpt_maps() whatever its class (rcpt-maps.ts)
 *   transport_maps         DEF_TRANSPORT_MAPS empty (resolve-transport.ts)
 *   relayhost              DEF_RELAYHOST empty (resolve-transport.ts)
 *   proxy_interfaces       DEF_PROXY_INTERFACES empty (address-class.ts; own_inet_addr.c proxy_inet_addr_init():
 *                          each host must resolve, msg_fatal "config variable proxy_interfaces: host not found")
 * The tables the lab reads are inline:{...} ones (inline-table.ts); another type holds what it cannot see
 * and is refused. A $parameter the lab would have to expand is refused, with what to write instead.
 */
import { isIP } from 'node:net';
import { listPatternError } from './address-list.js';
import { parseInlineTable } from './inline-table.js';
import { splitTransport } from './resolve-transport.js';
import { dsnWithoutText } from './transports.js';

export interface RoutingConfig {
  /** virtual_alias_domains' patterns; null: its default, $virtual_alias_maps (a domain that is a key of that table). */
  readonly virtual_alias_domains: readonly string[] | null;
  /** virtual_alias_maps' entries by lower-case key, an inline table (smtpd reads only whether an address is found); null: the parameter is empty. */
  readonly virtual_alias_maps: Readonly<Record<string, string>> | null;
  /** transport_maps' entries by lower-case key, an inline table; null: the parameter is empty. */
  readonly transport_maps: Readonly<Record<string, string>> | null;
  /** The relay and default classes' nexthop; empty: the recipient's domain. */
  readonly relayhost: string;
  /** Addresses smtpd counts as its own besides inet_interfaces (an [address] literal of one is the local class). */
  readonly proxy_interfaces: readonly string[];
}

export const ROUTING_DEFAULTS: RoutingConfig = { virtual_alias_domains: null, virtual_alias_maps: null, transport_maps: null, relayhost: '', proxy_interfaces: [] };

export const ROUTING_PARAMETERS = Object.keys(ROUTING_DEFAULTS) as (keyof RoutingConfig)[];

/** virtual_alias_domains' default as main.cf writes it. */
export const VIRTUAL_ALIAS_DOMAINS_DEFAULT = '$virtual_alias_maps';

/** A routing parameter's value as the config holds it; throws what is wrong with `raw`. */
export function parseRoutingParameter(parameter: keyof RoutingConfig, raw: string): RoutingConfig[keyof RoutingConfig] {
  const problem = routingParameterProblem(parameter, raw);
  if (problem !== null) throw new Error(problem);
  const value = raw.trim();
  if (parameter === 'relayhost') return value;
  if (parameter === 'virtual_alias_domains') return isAliasMapsDefault(value) ? null : words(value);
  if (parameter === 'proxy_interfaces') return words(value);
  return value === '' ? null : (parseInlineTable(value) as Readonly<Record<string, string>>);
}

/** A list's items (config.ts parseList(), which imports this file). */
const words = (value: string) => value.split(/[\s,]+/).filter(Boolean);

const isAliasMapsDefault = (value: string) => value === VIRTUAL_ALIAS_DOMAINS_DEFAULT || value === '${virtual_alias_maps}';

/** What is wrong with `raw` for `parameter`, or null. */
export function routingParameterProblem(parameter: keyof RoutingConfig, raw: string): string | null {
  const value = raw.trim();
  if (parameter === 'virtual_alias_domains') {
    if (isAliasMapsDefault(value)) return null;
    if (value.includes('$')) return `virtual_alias_domains: "${raw}": the lab expands no $parameter here but its default ${VIRTUAL_ALIAS_DOMAINS_DEFAULT} alone; write the domains (postconf -hx virtual_alias_domains prints them)`;
    return listPatternError(parameter, words(value));
  }
  if (parameter === 'relayhost') return value.includes('$') ? `relayhost: "${raw}": the lab expands no $parameter here; write the host (postconf -hx relayhost prints it)` : null;
  if (parameter === 'proxy_interfaces') {
    const name = words(value).find((host) => isIP(host) === 0);
    return name === undefined ? null : `proxy_interfaces: "${name}" is not an IPv4 or IPv6 address: the lab resolves no host names (own_inet_addr.c proxy_inet_addr_init(): "host not found" for a name that does not resolve)`;
  }
  if (value === '') return null;
  if (!value.startsWith('inline:')) return `${parameter}: "${raw}": the lab reads one inline:{ key=value, ... } table only; other table types hold entries it cannot see`;
  const table = parseInlineTable(value);
  if (typeof table === 'string') return `${parameter}: ${table}`;
  if (parameter !== 'transport_maps') return null;
  // transport.c update_entry(): an error or retry nexthop is dsn_split()'s text; a status alone leaves none, and dsn_split() reads past it.
  const bare = Object.entries(table).find(([, entry]) => {
    const { transport, nexthop } = splitTransport(entry);
    return (transport === 'error' || transport === 'retry') && nexthop !== null && dsnWithoutText(nexthop);
  });
  return bare === undefined ? null : `transport_maps: "${bare[0]} = ${bare[1]}": a DSN with no text after it, which dsn_split() reads past; add the text`;
}
