/* haproxy-rules - what each HAProxy keyword, option and server parameter the lab has no key for means for the SMTP path
 *
 * Ignored: it does not change what a mode tcp relay with one server does to an SMTP session
 * (names, logging, limits the lab's single sessions never reach, HTTP features a tcp proxy does not
 * run). Unsupported: it does, and the lab's HAProxy (models/front/haproxy-front.ts) does not follow
 * it: the answer does not cover it. The behaviour each reason names is doc/configuration.txt's
 * at haproxy/haproxy @50872daa6 (sections 4.2 and 5.2).
 */
import type { ListedEntry } from './entries.ts';

export interface Rule {
  readonly list: ListedEntry['list'];
  readonly reason: string;
}

const ignore = (reason: string): Rule => ({ list: 'ignored', reason });
const notModelled = (reason: string): Rule => ({ list: 'unsupported', reason });

const LOGGING = ignore('logging: what HAProxy writes about the session, not what it relays');
const NAMES = ignore('names and identifiers: only labels in logs and statistics');
const LIMITS = ignore("a connection or queue limit: the lab's one session at a time never reaches it");
const HTTP = ignore('an HTTP feature: a mode tcp proxy relays bytes and never runs it');
const ONE_SERVER = ignore('server choice and persistence: with one server every client goes to it');
const STATS = ignore('the statistics page or socket: not the session');
const HEALTH = notModelled("health checks: HAProxy opens its own connections to Postfix (an smtpchk sends HELO/EHLO) and takes the server out when they fail; the lab's HAProxy sends no checks and its server is always up");

/** Keywords by their first word. */
export const HAPROXY_RULES: Readonly<Record<string, Rule>> = {
  log: LOGGING, 'log-format': LOGGING, 'log-format-sd': LOGGING, 'log-tag': LOGGING, 'log-steps': LOGGING, 'error-log-format': LOGGING, 'email-alert': LOGGING,
  description: NAMES, id: NAMES, guid: NAMES, 'unique-id-format': NAMES, 'unique-id-header': NAMES,
  maxconn: LIMITS, backlog: LIMITS, fullconn: LIMITS, 'max-keep-alive-queue': LIMITS, 'max-session-srv-conns': LIMITS,
  stats: STATS, 'monitor-uri': STATS,
  errorfile: HTTP, errorfiles: HTTP, errorloc: HTTP, errorloc302: HTTP, errorloc303: HTTP, 'http-error': HTTP, 'http-request': HTTP, 'http-response': HTTP,
  'http-after-response': HTTP, capture: HTTP, compression: HTTP, cookie: HTTP, 'http-reuse': HTTP, 'http-send-name-header': HTTP, 'use-fcgi-app': HTTP,
  'declare': HTTP, 'quic-initial': HTTP, 'monitor': HTTP,
  // doc 4.2 retry-on: "only valid when mode is set to http and is silently ignored otherwise"
  'retry-on': HTTP,
  balance: ONE_SERVER, 'hash-type': ONE_SERVER, 'hash-balance-factor': ONE_SERVER, 'hash-preserve-affinity': ONE_SERVER, persist: ONE_SERVER, stick: ONE_SERVER,
  'stick-table': ONE_SERVER, 'force-persist': ONE_SERVER, 'ignore-persist': ONE_SERVER, 'use-server': ONE_SERVER, 'server-state-file-name': ONE_SERVER,
  'load-server-state-from-file': ONE_SERVER, 'be-unpublished': ONE_SERVER,
  acl: ignore('a named condition: it does something only in a rule that uses it (each rule is listed)'),
  enabled: ignore('the proxy is enabled, as the lab\'s'),
  'use_backend': notModelled('content switching: a rule may send the client to another backend; the lab follows default_backend'),
  'force-be-switch': notModelled('content switching: a rule may send the client to another backend; the lab follows default_backend'),
  'tcp-request': notModelled("a rule on the client's connection or its first bytes (accept, reject, wait for data with inspect-delay, track, route): the lab's HAProxy applies none"),
  'tcp-response': notModelled("a rule on Postfix's bytes (inspect, reject, close): the lab's HAProxy applies none"),
  'tcp-check': HEALTH, 'http-check': HEALTH, 'external-check': HEALTH,
  'rate-limit': notModelled('a limit on new sessions per second: HAProxy delays accepting beyond it; the lab accepts at once'),
  source: notModelled("the address HAProxy connects to Postfix from (with usesrc, the client's own): the lab's HAProxy connects from its own address, and Postfix sees the client only in the PROXY header"),
  disabled: notModelled('the proxy is disabled: HAProxy does not listen on it'),
  filter: notModelled('a stream filter (bandwidth limits, traces, compression): the lab relays the bytes unfiltered'),
  'filter-sequence': notModelled('a stream filter (bandwidth limits, traces, compression): the lab relays the bytes unfiltered'),
  'server-template': notModelled("several servers: HAProxy balances clients over them, the lab has one Postfix"),
};

/** `option <name>` (set; a negated or reset one is off, as the lab). */
const OPTIONS: Readonly<Record<string, Rule>> = {
  tcplog: LOGGING, httplog: LOGGING, httpslog: LOGGING, dontlognull: LOGGING, 'dontlog-normal': LOGGING, 'log-separate-errors': LOGGING, 'log-health-checks': LOGGING, logasap: LOGGING,
  contstats: STATS, 'socket-stats': STATS,
  'splice-auto': ignore('kernel splicing: the same bytes reach the other side'), 'splice-request': ignore('kernel splicing: the same bytes reach the other side'), 'splice-response': ignore('kernel splicing: the same bytes reach the other side'),
  redispatch: ONE_SERVER, allbackups: ONE_SERVER, persist: ONE_SERVER, 'prefer-last-server': ONE_SERVER,
  abortonclose: ignore('drops a client that leaves while queued: the lab\'s session is never queued'),
  httpclose: HTTP, 'http-server-close': HTTP, 'http-keep-alive': HTTP, forwardfor: HTTP, originalto: HTTP, forwarded: HTTP, checkcache: HTTP, 'http-buffer-request': HTTP,
  'http-ignore-probes': HTTP, 'http-no-delay': HTTP, 'http-pretend-keepalive': HTTP, 'http-use-proxy-header': HTTP, 'http-restrict-req-hdr-names': HTTP,
  'http-drop-request-trailers': HTTP, 'http-drop-response-trailers': HTTP, 'h1-case-adjust-bogus-client': HTTP, 'h1-case-adjust-bogus-server': HTTP,
  'disable-h2-upgrade': HTTP, 'idle-close-on-response': HTTP, 'use-small-buffers': HTTP,
  'accept-unsafe-violations-in-http-request': HTTP, 'accept-unsafe-violations-in-http-response': HTTP, 'accept-invalid-http-request': HTTP, 'accept-invalid-http-response': HTTP,
  'assume-rfc6587-ntf': ignore('a mode syslog option: a mode tcp proxy never parses syslog'), 'dont-parse-log': ignore('a mode syslog option: a mode tcp proxy never parses syslog'),
  'independent-streams': notModelled("timeouts refreshed only by reads on their side: the lab's HAProxy also refreshes a side's timeout when it writes to it (doc 4.2 'option independent-streams')"),
  nolinger: notModelled('closes with a reset (SO_LINGER 0) instead of a FIN: the lab closes both sides with a FIN'),
  'tcp-smart-accept': notModelled("delays the ACK of the client's first segment until data arrives: the lab's kernel acknowledges as Linux does without it"),
  'tcp-smart-connect': notModelled("sends the connection's first data with the handshake's last ACK: the lab connects to Postfix as Linux does without it"),
  smtpchk: HEALTH, httpchk: HEALTH, 'tcp-check': HEALTH, 'ssl-hello-chk': HEALTH, 'mysql-check': HEALTH, 'pgsql-check': HEALTH, 'redis-check': HEALTH,
  'ldap-check': HEALTH, 'spop-check': HEALTH, 'external-check': HEALTH,
};

/**
 * The rule for an option HAProxy knows (haproxy-cfg.ts has refused any other at its line); the
 * keepalive three (clitcpka, srvtcpka, tcpka) are keys, mapped before this is asked.
 */
export function optionRule(name: string): Rule {
  const rule = OPTIONS[name];
  if (rule === undefined) throw new Error(`the import has no rule for HAProxy's option '${name}'`);
  return rule;
}

/** Server parameters that change the path (the PROXY header words are the key front.send_proxy, read elsewhere). */
const SERVER_PARAMETERS: Readonly<Record<string, Rule>> = {
  ssl: notModelled("TLS to Postfix: the lab's HAProxy speaks plain TCP to it"),
  check: HEALTH,
  'send-proxy-v2-ssl': notModelled("a PROXY v2 header with TLS TLVs: the lab's HAProxy writes the header without TLVs"),
  'send-proxy-v2-ssl-cn': notModelled("a PROXY v2 header with TLS TLVs: the lab's HAProxy writes the header without TLVs"),
  'proxy-v2-options': notModelled("TLVs in the PROXY v2 header: the lab's HAProxy writes the header without TLVs"),
  'set-proxy-v2-tlv-fmt': notModelled("TLVs in the PROXY v2 header: the lab's HAProxy writes the header without TLVs"),
  tfo: notModelled("TCP Fast Open to Postfix: the lab's connections use the plain handshake"),
  source: notModelled("the address HAProxy connects to Postfix from: the lab's HAProxy connects from its own"),
  disabled: notModelled('the server starts in maintenance: HAProxy does not send clients to it'),
  backup: notModelled('a backup server: clients reach it only when the others are down; the lab has one Postfix'),
};

/** The rule for a server parameter word, or null when it does not change the path (or is the PROXY header, read as front.send_proxy). */
export function serverParameterRule(word: string): Rule | null {
  return SERVER_PARAMETERS[word] ?? null;
}
