/* mail-addr-find - mail_addr_find_strategy(): the keys an address is looked up as in an access or login table
 *
 * global/mail_addr_find.c mail_addr_find_opt() (v3.7.11, the same at v3.5.0 and v3.10.13), over an inline
 * table (inline-table.ts, lower-case keys): "user+ext@domain", then "user@domain" without the extension
 * (MA_FIND_NOEXT: strip_addr_internal() with recipient_delimiter, bareLocalpart()); with
 * MA_FIND_LOCALPART_IF_LOCAL, when the domain is $myorigin or the mail system's own, "user+ext" and
 * "user" (find_local()); with MA_FIND_AT_DOMAIN "@domain"; with MA_FIND_DOMAIN the domain and, in the
 * parent style (MA_FIND_PDMS) its parents "example.test" for "mx.example.test", else (MA_FIND_PDDMDS)
 * ".example.test"; with MA_FIND_LOCALPART_AT "user+ext@" and "user@".
 * MA_FIND_DEFAULT (smtpd_sender_login_maps) is FULL | NOEXT | LOCALPART_IF_LOCAL | AT_DOMAIN; check_mail_access()
 * (smtpd_check.c) asks FULL | NOEXT | DOMAIN | LOCALPART_AT | PDMS or PDDMDS (smtpd_access_maps in
 * parent_domain_matches_subdomains, DEF_PAR_DOM_MATCH).
 */
export interface FindStrategy {
  readonly localpartIfLocal?: boolean;
  readonly atDomain?: boolean;
  /** MA_FIND_DOMAIN, with its parents in the one style or the other. */
  readonly domain?: 'pdms' | 'pddmds';
  readonly localpartAt?: boolean;
}

/** The value `local`@`domain` finds in `table`, or undefined; `isLocal`: the domain is $myorigin or the mail system's own. */
export function mailAddrFind(table: Readonly<Record<string, string>>, local: string, domain: string, delimiter: string, strategy: FindStrategy, isLocal: boolean): string | undefined {
  const find = (key: string) => (Object.hasOwn(table, key.toLowerCase()) ? table[key.toLowerCase()] : undefined);
  const bare = bareLocalpart(local, delimiter);
  const tries: string[] = [`${local}@${domain}`, ...(bare === null ? [] : [`${bare}@${domain}`])];
  if (strategy.localpartIfLocal && isLocal) tries.push(local, ...(bare === null ? [] : [bare]));
  if (strategy.atDomain) tries.push(`@${domain}`);
  if (strategy.domain !== undefined) tries.push(...domainAndParents(domain, strategy.domain));
  if (strategy.localpartAt) tries.push(`${local}@`, ...(bare === null ? [] : [`${bare}@`]));
  for (const key of tries) {
    const value = find(key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The domain, then each parent ("a.b.c": "b.c", "c"; or ".b.c", ".c" in the dot style). */
export function domainAndParents(domain: string, style: 'pdms' | 'pddmds'): string[] {
  const names = [domain];
  for (let dot = domain.indexOf('.', 1); dot >= 0; dot = domain.indexOf('.', dot + 1)) names.push(style === 'pdms' ? domain.slice(dot + 1) : domain.slice(dot));
  return names.filter((name) => name !== '' && name !== '.');
}

/**
 * split_addr_internal() (global/split_addr.c): the local part before its first delimiter character,
 * or null where it is not split: no delimiter in it (or none set), one at the start, postmaster,
 * MAILER-DAEMON, double-bounce (DEF_DOUBLE_BOUNCE), and with '-' a delimiter owner-* and *-request
 * (owner_request_special, default yes).
 */
export function bareLocalpart(localpart: string, delimiters: string): string | null {
  const lower = localpart.toLowerCase();
  if (lower === 'postmaster' || lower === 'mailer-daemon' || lower === 'double-bounce') return null;
  // split_addr_internal() wants more than "-request" itself; that one starts with the delimiter, which is no split either.
  if (delimiters.includes('-') && (lower.startsWith('owner-') || lower.endsWith('-request'))) return null;
  const cut = [...localpart].findIndex((ch) => delimiters.includes(ch));
  // No delimiter (or none set): no split. One first would leave an empty local part, which is not
  // split either (its key, "@domain", mail_addr_find() tries next anyway).
  return cut <= 0 ? null : [...localpart].slice(0, cut).join('');
}
