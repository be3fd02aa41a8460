/* smtpd-resolve - smtpd_resolve_addr(): what trivial-rewrite resolves an address to, asked once per process and address
 *
 * smtpd/smtpd_resolve.c (v3.7.11, the same at v3.5.0 and v3.10.13): permit_auth_destination() and
 * check_rcpt_maps() (smtpd_check.c) ask smtpd_resolve_addr(sender, addr), a read-through cache
 * (ctable_create(100, resolve_pagein, ...), smtpd_resolve_init(100) in smtpd_check_init(); "the cache
 * persists across SMTP sessions") keyed by the sender and the address. On a miss resolve_pagein() has
 * the address rewritten and resolved (resolve-addr.ts resolvedRecipient(), address-class.ts,
 * resolve-transport.ts), which is when trivial-rewrite's warnings about a domain in two class lists are
 * logged (address-class.ts classWarnings()): measured on the real 3.7.11, RCPT and VRFY of one address
 * in one session log it once, under postfix/trivial-rewrite, before smtpd's reject line. The model's
 * process is the model (SmtpdShared); the cache keeps its 100 most recently asked addresses (ctable
 * purges the oldest item when full).
 */
import { addressClass, classWarnings, type AddressClass } from './address-class.js';
import { resolvedRecipient } from './resolve-addr.js';
import { resolveTransport, type ResolvedTransport } from './resolve-transport.js';
import type { SmtpdSession, SmtpdShared } from './session.js';

/** RESOLVE_REPLY as smtpd reads it: the resolved recipient's parts, its class, transport and nexthop. */
export interface ResolveReply extends ResolvedTransport {
  readonly local: string;
  readonly domain: string;
  readonly addressClass: AddressClass;
}

/** smtpd_resolve_init(100). */
const CACHE_SIZE = 100;
const caches = new WeakMap<SmtpdShared, Map<string, ResolveReply>>();

/** smtpd_resolve_addr(): `address` as sent (`sender`: the transaction's, null without one: RESOLVE_NULL_FROM). */
export function smtpdResolveAddr(s: SmtpdSession, sender: string | null, address: string): ResolveReply {
  let cache = caches.get(s.shared);
  if (cache === undefined) caches.set(s.shared, (cache = new Map()));
  const key = `${sender ?? ''}\n${address}`;
  const cached = cache.get(key);
  if (cached !== undefined) {
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const c = s.config;
  const { local, domain } = resolvedRecipient(address, c);
  const resolved = addressClass(c, s.local.host, domain);
  for (const line of classWarnings(c, resolved, domain)) s.shared.out.push({ kind: 'log', program: 'postfix/trivial-rewrite', line, conn: s.conn });
  const reply = { local, domain, addressClass: resolved, ...resolveTransport(c, resolved, local, domain) };
  cache.set(key, reply);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return reply;
}
