/* haproxy-keywords - every keyword HAProxy accepts in a proxy section (defaults, frontend, backend, listen)
 *
 * haproxy/haproxy @50872daa6 (3.5-dev5), read, not copied. src/cfgparse-listen.c cfg_parse_listen()
 * compares the line's first word with its own keywords (the `strcmp(args[0], "...")` chain), then
 * with every keyword registered for CFG_LISTEN (cfg_register_keywords() lists, all files below);
 * any other word is refused: ha_alert("parsing [%s:%d] : unknown keyword '%s' in '%s' section"),
 * the section being the word that opened it, with "; did you mean '%s' maybe ?" when
 * cfg_find_best_match() finds a near keyword. The lists below are those names, extracted from
 * the source at that commit (`git grep '{ *CFG_LISTEN, *"'` and the chain's strcmp()s); the
 * section keywords themselves (listen, frontend, backend, defaults) open a section instead.
 */

/** cfg_parse_listen()'s own keywords. */
const CFG_PARSE_LISTEN = [
  'acl', 'appsession', 'backlog', 'balance', 'bind', 'bind-process', 'block', 'capture', 'cliexp', 'cookie', 'default-server', 'default_backend',
  'description', 'disabled', 'dispatch', 'dynamic-cookie-key', 'email-alert', 'enabled', 'error-log-format', 'force-persist', 'fullconn', 'grace',
  'hash-balance-factor', 'hash-type', 'http-after-response', 'http-request', 'http-response', 'http-reuse', 'http-send-name-header', 'id',
  'ignore-persist', 'load-server-state-from-file', 'log', 'log-format', 'log-format-sd', 'log-tag', 'max-session-srv-conns', 'maxconn', 'mode',
  'monitor', 'monitor-net', 'monitor-uri', 'option', 'persist', 'redirect', 'redisp', 'redispatch', 'reqadd', 'reqallow', 'reqdel', 'reqdeny',
  'reqiallow', 'reqidel', 'reqideny', 'reqipass', 'reqirep', 'reqitarpit', 'reqpass', 'reqrep', 'reqtarpit', 'retries', 'rspadd', 'rspdel',
  'rspdeny', 'rspidel', 'rspideny', 'rspirep', 'rsprep', 'server', 'server-state-file-name', 'server-template', 'source', 'srvexp', 'stats',
  'stick', 'stick-table', 'transparent', 'unique-id-format', 'unique-id-header', 'use-server', 'use_backend', 'usesrc',
];

/** The CFG_LISTEN keywords other files register, by file. */
const REGISTERED = {
  'src/cfgparse-quic.c': ['quic-initial'],
  'src/cfgparse-ssl.c': ['ssl-f-use'],
  'src/extcheck.c': ['external-check'],
  'src/fcgi-app.c': ['use-fcgi-app'],
  'src/filters.c': ['filter', 'filter-sequence'],
  'src/flt_http_comp.c': ['compression'],
  'src/http_htx.c': ['errorloc', 'errorloc302', 'errorloc303', 'errorfile', 'errorfiles', 'http-error'],
  'src/log.c': ['log-steps'],
  // The tcpka-* three are under #ifdef TCP_KEEPCNT/KEEPIDLE/KEEPINTVL, which Linux defines.
  'src/proxy.c': [
    'timeout', 'clitimeout', 'contimeout', 'srvtimeout', 'rate-limit', 'max-keep-alive-queue', 'declare', 'retry-on', 'hash-preserve-affinity',
    'clitcpka-cnt', 'srvtcpka-cnt', 'clitcpka-idle', 'srvtcpka-idle', 'clitcpka-intvl', 'srvtcpka-intvl', 'be-unpublished', 'force-be-switch', 'guid',
  ],
  'src/tcp_rules.c': ['tcp-request', 'tcp-response'],
  'src/tcpcheck.c': ['http-check', 'tcp-check'],
};

/**
 * Keywords HAProxy still recognises only to refuse them whatever follows (cfg_parse_listen()'s "not
 * supported anymore" and "was removed" alerts; proxy_parse_timeout() for the three old timeouts;
 * `usesrc` is read only as a word of a `source` line).
 */
const REFUSED = new Set([
  'appsession', 'bind-process', 'block', 'cliexp', 'dispatch', 'grace', 'monitor-net', 'redisp', 'redispatch', 'transparent', 'usesrc',
  'reqadd', 'reqallow', 'reqdel', 'reqdeny', 'reqiallow', 'reqidel', 'reqideny', 'reqipass', 'reqirep', 'reqitarpit', 'reqpass', 'reqrep', 'reqtarpit',
  'rspadd', 'rspdel', 'rspdeny', 'rspidel', 'rspideny', 'rspirep', 'rsprep', 'srvexp', 'clitimeout', 'contimeout', 'srvtimeout',
]);

export const PROXY_KEYWORDS: ReadonlySet<string> = new Set([...CFG_PARSE_LISTEN, ...Object.values(REGISTERED).flat()]);

/** Why haproxy -c refuses `keyword` as the first word of a line in a proxy section of kind `section`, or null when it knows it. */
export function proxyKeywordProblem(keyword: string, section: string): string | null {
  if (!PROXY_KEYWORDS.has(keyword)) return `unknown keyword '${keyword}' in '${section}' section (haproxy -c refuses it at this line: src/cfgparse-listen.c cfg_parse_listen())`;
  if (REFUSED.has(keyword)) return `'${keyword}' is not supported anymore: HAProxy 3.5 knows the keyword only to refuse it (src/cfgparse-listen.c cfg_parse_listen(), src/proxy.c proxy_parse_timeout())`;
  return null;
}
