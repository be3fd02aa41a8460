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

/** Why haproxy -c refuses a line of a proxy section of kind `section` by its words (keyword first, after a no/default), or null when it knows it. */
export function proxyKeywordProblem(words: readonly string[], section: string): string | null {
  const keyword = words[0]!;
  if (keyword === 'option') return optionProblem(words[1] ?? '');
  if (!PROXY_KEYWORDS.has(keyword)) return `unknown keyword '${keyword}' in '${section}' section (haproxy -c refuses it at this line: src/cfgparse-listen.c cfg_parse_listen())`;
  if (REFUSED.has(keyword)) return `'${keyword}' is not supported anymore: HAProxy 3.5 knows the keyword only to refuse it (src/cfgparse-listen.c cfg_parse_listen(), src/proxy.c proxy_parse_timeout())`;
  return null;
}

/**
 * `option` names (src/proxy.c cfg_opts, cfg_opts2, cfg_opts3 with their build as Debian's: USE_LINUX_SPLICE;
 * then the names cfg_parse_listen() compares one by one), each either accepted or refused with
 * the alert HAProxy prints. Any other name: "unknown option '%s'." (ERR_FATAL), with a "did you
 * mean" when proxy_find_best_option() finds a near one (not reproduced here).
 */
const OPTION_TABLES = [
  // cfg_opts
  'abortonclose', 'allbackups', 'checkcache', 'clitcpka', 'contstats', 'dontlognull', 'http-buffer-request', 'http-drop-request-trailers',
  'http-drop-response-trailers', 'http-ignore-probes', 'idle-close-on-response', 'prefer-last-server', 'logasap', 'nolinger', 'persist', 'srvtcpka',
  // cfg_opts2
  'splice-request', 'splice-response', 'splice-auto', 'accept-unsafe-violations-in-http-request', 'accept-unsafe-violations-in-http-response',
  'dontlog-normal', 'log-separate-errors', 'log-health-checks', 'socket-stats', 'tcp-smart-accept', 'tcp-smart-connect', 'independent-streams',
  'http-use-proxy-header', 'http-pretend-keepalive', 'http-no-delay', 'h1-case-adjust-bogus-client', 'h1-case-adjust-bogus-server', 'disable-h2-upgrade',
  // cfg_opts3
  'assume-rfc6587-ntf', 'dont-parse-log',
];
const OPTIONS_COMPARED = [
  'httpclose', 'http-server-close', 'http-keep-alive', 'forwarded', 'redispatch', 'use-small-buffers', 'httplog', 'tcplog', 'httpslog', 'tcpka',
  'httpchk', 'ssl-hello-chk', 'smtpchk', 'pgsql-check', 'redis-check', 'mysql-check', 'ldap-check', 'spop-check', 'tcp-check', 'external-check',
  'forwardfor', 'originalto', 'http-restrict-req-hdr-names', 'accept-invalid-http-request', 'accept-invalid-http-response',
];
/** Options HAProxy 3.5 names only to refuse, with the reason its alert gives. */
const OPTIONS_REFUSED: Readonly<Record<string, string>> = {
  // cfg_opts' entry with no capability and the release in its value (cfg_parse_listen_match_option())
  transparent: 'support for option \'transparent\' was removed in version 3.5',
  forceclose: "option 'forceclose' is not supported any more since HAProxy 2.0",
  'http-tunnel': "option 'http-tunnel' is not supported any more since HAProxy 2.1",
  http_proxy: "option 'http_proxy' is not supported any more since HAProxy 2.5",
};
export const OPTION_NAMES: ReadonlySet<string> = new Set([...OPTION_TABLES, ...OPTIONS_COMPARED]);

/** Why haproxy -c refuses `option <name>` (src/cfgparse-listen.c cfg_parse_listen(), "option"), or null when it knows the option. */
function optionProblem(name: string): string | null {
  if (name === '') return "'option' expects an option name (haproxy -c refuses it at this line)";
  const refused = OPTIONS_REFUSED[name];
  if (refused !== undefined) return `${refused} (haproxy -c refuses it at this line)`;
  if (!OPTION_NAMES.has(name)) return `unknown option '${name}' (haproxy -c refuses it at this line: src/cfgparse-listen.c cfg_parse_listen())`;
  return null;
}
