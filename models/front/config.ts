/* front/config - settings of the front proxy models, named as the real daemons name them
 *
 * Dovecot settings keep Dovecot's names (doveconf): hostname, login_greeting, auth_mechanisms,
 * login_proxy_max_reconnects, login_proxy_timeout (ms, as doveconf prints `30 secs`),
 * auth_failure_delay (s), submission_backend_capabilities, submission_max_mail_size,
 * submission_client_workarounds, log_debug (scenarios/keys.ts: the front.* keys of each, docs/front-settings.md).
 * The passdb lookup is Mailu's core/nginx/dovecot/login.lua: an HTTP GET through Dovecot's
 * lib-http client with `timeout = 2000; max_attempts = 3`, so those two keep the Lua names.
 * Processing times are not settings of the real daemons: they are measured reaction times of
 * Dovecot 2.3.19.1 on loopback (conformance/records, A1 unless noted) and end in `Us`.
 */
import type { KeepAlive, Micros, SocketAddress } from '../contract.ts';
import { DEFAULT_MAILU_RELEASE } from '../auth/releases.ts';
import type { WallClock } from './wall-clock.ts';
import { CLIENT_BUFFER_SIZE } from './nginx-client-buffer.ts';

/** Every front the lab models; models/front/registry.ts and scenarios/fronts.ts each have one row per kind. */
export const FRONT_KINDS = ['dovecot-2.3', 'dovecot-2.4', 'lockstep', 'nginx', 'haproxy'] as const;
export type FrontKind = (typeof FRONT_KINDS)[number];

/** Measured Dovecot reaction times (µs). */
export interface DovecotTimings {
  /** accept -> `220` banner written (A1 segments: SYN-ACK 0.000010 -> banner 0.013331; login process start-up). */
  readonly greetingDelayUs: Micros;
  /** a client command line read -> its reply written (A1: EHLO 0.013531 -> reply 0.013678). */
  readonly commandReplyDelayUs: Micros;
  /** AUTH credentials complete -> HTTP request to the auth service written (auth-client -> auth process -> Lua). */
  readonly authRequestDelayUs: Micros;
  /** backend banner read -> `EHLO` written (A1 rawlog: .921309 in -> .921368 out). */
  readonly bannerReactionUs: Micros;
  /** backend EHLO reply read -> first XCLIENT write (A1 rawlog: .924634 -> .924680). */
  readonly ehloReactionUs: Micros;
  /** the XCLIENT write -> the pipelined `EHLO` write, same turn of the event loop (A1 rawlog: .924680 -> .924685; E1: 3 µs). */
  readonly xclientEhloGapUs: Micros;
  /** an XCLIENT reply read -> next command written (lock-step only; same code path as the EHLO reaction). */
  readonly xclientReactionUs: Micros;
  /** final EHLO reply read -> `235` written to the client (A1 segments: 0.033832 -> 0.034069). */
  readonly loginReplyDelayUs: Micros;
  /** proxy failure -> `454` to the client (E1 segments: FIN 3.831782 -> 454 3.831958). */
  readonly failureReplyDelayUs: Micros;
  /** `235` written -> relaying starts (login_proxy_detach; A1: MAIL read 0.034603 but relayed 0.035983). */
  readonly detachDelayUs: Micros;
  /** bytes read on one side -> written to the other while relaying (A1: 20-60 µs). */
  readonly relayDelayUs: Micros;
}

export interface AuthHttpSettings {
  /** Mailu: http://{{ ADMIN_ADDRESS }}:8080/internal/auth/email */
  readonly address: SocketAddress;
  readonly hostHeader: string;
  /** lib-http request timeout per attempt (login.lua: 2000 ms). */
  readonly timeout: number;
  /** lib-http max_attempts (login.lua: 3). */
  readonly max_attempts: number;
  /** The Mailu release whose login.lua this is (auth.mailu_version): how it encodes the credentials (models/auth/releases.ts). */
  readonly mailuVersion: string;
}

export interface DovecotFrontConfig {
  readonly name: string;
  /** The Dovecot release imitated (front.version; what it changes: ./releases.ts DOVECOT_GATES). */
  readonly version: string;
  readonly hostname: string;
  /** Upstream default "Dovecot ready."; Debian's build prints "Dovecot (Debian) ready." (recorded banner). */
  readonly login_greeting: string;
  /**
   * The mechanisms offered and run: the model runs PLAIN and LOGIN, Mailu's `auth_mechanisms = plain login`
   * (core/nginx/dovecot/proxy.conf); Dovecot's others (CRAM-MD5, SCRAM-*, ...) are not modelled.
   */
  readonly auth_mechanisms: readonly ('plain' | 'login')[];
  /**
   * What submission-login assumes the backend offers (client.c client_parse_backend_capabilities(), 2.3.19.1):
   * lib-smtp's capability names, any case; unset, 8BITMIME alone; BINARYMIME brings CHUNKING with it.
   */
  readonly submission_backend_capabilities: readonly string[];
  /** Bytes, the EHLO's SIZE value; 0: SIZE without a value (2.3's default, and 2.4's for submission-login). */
  readonly submission_max_mail_size: number;
  /**
   * The workarounds submission-login acts on (submission-login-settings.c submission_login_client_workaround_list:
   * whitespace-before-path and mailbox-for-path are 0 there): exotic-backend advertises BURL, CHUNKING,
   * ENHANCEDSTATUSCODES, SIZE and PIPELINING only when submission_backend_capabilities has them
   * (client-authenticate.c cmd_helo_reply()). implicit-auth-external needs a TLS client certificate: not modelled.
   */
  readonly submission_client_workarounds: readonly 'exotic-backend'[];
  readonly login_proxy_max_reconnects: number;
  readonly login_proxy_timeout: number;
  readonly auth_failure_delay: number;
  /** `category=submission` in the lab: the proxy's Debug lines are logged. */
  readonly log_debug: boolean;
  /** `%c` of login_log_format_elements: "secured" (loopback/plaintext trusted) or "TLS". */
  readonly secured: 'secured' | 'TLS' | '';
  /** The machine's hostname (my_hostname), shown in "Temporary authentication failure. [host:time]". */
  readonly systemHostname: string;
  /** Wall-clock seconds at virtual time 0 (UTC): printed in that timestamp and the passdb request's Date header. */
  readonly clockEpochSeconds: number;
  /**
   * µs into the next wall-clock second at virtual time 0, 0..999999: decides whether a failed
   * login's 535 leaves 1.5 s or 2 s after it (auth-failure-queue.ts). The simulator draws it per
   * run (decision wallClockPhaseUs, scenarios/run.ts).
   */
  readonly clockPhaseUs: number;
  readonly authHttp: AuthHttpSettings;
  readonly timings: DovecotTimings;
}

export const recordedDovecotTimings: DovecotTimings = {
  greetingDelayUs: 13_320,
  commandReplyDelayUs: 147,
  authRequestDelayUs: 300,
  bannerReactionUs: 59,
  ehloReactionUs: 46,
  xclientEhloGapUs: 5,
  xclientReactionUs: 46,
  loginReplyDelayUs: 237,
  failureReplyDelayUs: 176,
  detachDelayUs: 1_350,
  relayDelayUs: 30,
};

/** lib-smtp's capability names (src/lib-smtp/smtp-common.c smtp_capability_names, 2.3.19.1 and 2.4.4), which submission_backend_capabilities may name. */
export const LIB_SMTP_CAPABILITIES = ['AUTH', 'STARTTLS', 'PIPELINING', 'SIZE', 'ENHANCEDSTATUSCODES', '8BITMIME', 'CHUNKING', 'BINARYMIME', 'BURL', 'DSN', 'VRFY', 'ETRN', 'XCLIENT'] as const;

/** The lab preset: matches the recorded Debian 12 Dovecot 2.3.19.1 run (raw/doveconf-n.txt). */
export const labDovecotConfig: DovecotFrontConfig = {
  name: 'front',
  version: '2.3.19.1',
  hostname: 'front.example.test',
  login_greeting: 'Dovecot (Debian) ready.',
  auth_mechanisms: ['plain', 'login'],
  submission_backend_capabilities: ['8BITMIME', 'DSN', 'VRFY'],
  submission_max_mail_size: 0,
  submission_client_workarounds: [],
  login_proxy_max_reconnects: 3,
  login_proxy_timeout: 30_000,
  auth_failure_delay: 2,
  log_debug: true,
  secured: 'secured',
  systemHostname: 'vm',
  clockEpochSeconds: 1_795_799_900,
  clockPhaseUs: 0,
  authHttp: { address: { host: '127.0.0.1', port: 8080 }, hostHeader: 'admin:8080', timeout: 2000, max_attempts: 3, mailuVersion: DEFAULT_MAILU_RELEASE },
  timings: recordedDovecotTimings,
};

/** nginx mail proxy settings (ngx_mail_core/smtp/proxy/auth_http modules), Mailu's values. */
export interface NginxFrontConfig {
  readonly name: string;
  /** The nginx release imitated (front.version; what it changes: ./releases.ts NGINX_GATES). */
  readonly version: string;
  readonly server_name: string;
  /** `smtp_auth none` (Mailu's port 25) or the authenticated mechanisms. */
  readonly smtp_auth: readonly ('none' | 'plain' | 'login')[];
  /** smtp_capabilities: the EHLO lines between the server name and AUTH, as written (nginx's default: none). */
  readonly smtp_capabilities: readonly string[];
  readonly xclient: boolean;
  readonly proxy_pass_error_message: boolean;
  readonly auth_http: { readonly address: SocketAddress; readonly hostHeader: string; readonly uri: string; readonly timeoutMs: number };
  /** auth_http_header lines (Mailu: Auth-Port 25). Client-Port is added per connection as $remote_port. */
  readonly auth_http_header: ReadonlyArray<readonly [string, string]>;
  /**
   * `timeout` of the mail server block (ms): bounds every wait before proxying starts, the
   * client's commands (ngx_mail_smtp_init_session/auth_state: "client timed out") and the
   * handshake with the backend.
   */
  readonly timeout: number;
  /**
   * `max_errors` (ngx_mail_core_module, default 5, since 1.21.0): lines the SMTP parser refuses
   * before nginx closes the session.
   */
  readonly max_errors: number;
  /**
   * `smtp_client_buffer` (bytes; ngx_mail_smtp_merge_srv_conf(): one page, 4096): the client's command buffer
   * (./nginx-client-buffer.ts), so the longest command line, and what pipelined lines share.
   */
  readonly smtp_client_buffer: number;
  /**
   * The client listener's `listen ... so_keepalive=` (./nginx-so-keepalive.ts): SO_KEEPALIVE and its
   * tunables on the listening socket, which every accepted connection inherits; false without it.
   */
  readonly so_keepalive: KeepAlive;
  /**
   * `proxy_timeout` (ms, ngx_mail_proxy_module): once proxying, the client's read deadline, re-armed
   * by every event on the client's connection (ngx_mail_proxy_handler()); default 24 h
   * (ngx_mail_proxy_merge_conf(): 24 * 60 * 60000).
   */
  readonly proxy_timeout: number;
  /** s->host: the client's name from the resolver, "[UNAVAILABLE]" when it has none. */
  readonly clientHostName: string;
  readonly timings: { readonly reactionUs: Micros; readonly relayDelayUs: Micros };
}

export const mailuNginxConfig: NginxFrontConfig = {
  name: 'front',
  // Mailu 2024.06's line (Alpine 3.20, FACTS §9: nginx 1.26), its newest patch release.
  version: '1.26.3',
  server_name: 'mail.example.test',
  smtp_auth: ['none'],
  smtp_capabilities: ['PIPELINING', 'SIZE 50000000', 'ETRN', 'ENHANCEDSTATUSCODES', '8BITMIME', 'DSN'],
  xclient: true,
  proxy_pass_error_message: true,
  // Mailu points auth_http at nginx's own http block (127.0.0.1:8000/auth/email), which proxies to
  // admin's /internal/auth/email; the lab talks to the auth model's endpoint directly.
  auth_http: { address: { host: '127.0.0.1', port: 8080 }, hostHeader: 'localhost', uri: '/internal/auth/email', timeoutMs: 60_000 },
  auth_http_header: [['Auth-Port', '25']],
  timeout: 60_000,
  max_errors: 5,
  // Mailu's nginx.conf sets no smtp_client_buffer: nginx's page
  smtp_client_buffer: CLIENT_BUFFER_SIZE,
  // Mailu's nginx.conf listen lines carry no so_keepalive
  so_keepalive: false,
  // nor a proxy_timeout: nginx's default
  proxy_timeout: 24 * 60 * 60_000,
  clientHostName: '[UNAVAILABLE]',
  timings: { reactionUs: 40, relayDelayUs: 30 },
};

/** The PROXY protocol header a `server` line sends: `send-proxy` (v1), `send-proxy-v2` (v2), or neither (HAProxy's default). */
export type SendProxy = 'v1' | 'v2' | 'none';

/**
 * HAProxy `mode tcp` with one `server` line, keywords as haproxy.cfg writes them
 * (doc/configuration.txt). Timeouts are in ms; null is a timeout the configuration leaves unset,
 * which HAProxy takes as infinite (it warns at start-up).
 */
export interface HaproxyFrontConfig {
  readonly name: string;
  /** `frontend`/`listen` and `backend` names, as the tcplog line prints them ("fnt bck/srv1"). */
  readonly frontend: string;
  readonly backend: string;
  /** `server <name> <address>`. */
  readonly serverName: string;
  readonly server: SocketAddress;
  readonly send_proxy: SendProxy;
  readonly timeout_connect: number | null;
  readonly timeout_client: number | null;
  readonly timeout_server: number | null;
  /** `retries`: connection attempts after the first (CONN_RETRIES, include/haproxy/defaults.h: 3). */
  readonly retries: number;
  /**
   * `option clitcpka` (or `option tcpka`) with clitcpka-idle/-intvl/-cnt: SO_KEEPALIVE on every client
   * socket accepted (./haproxy-tcpka.ts); false, HAProxy's default: none.
   */
  readonly clitcpka: KeepAlive;
  /** `option srvtcpka` (or `option tcpka`) with srvtcpka-idle/-intvl/-cnt: the same on every server connection. */
  readonly srvtcpka: KeepAlive;
  /** Wall-clock seconds at virtual time 0, only to print the tcplog accept date (UTC). */
  readonly clockEpochSeconds: number;
  /** Not settings of HAProxy: lab reaction times (unmeasured), as nginx's. */
  readonly timings: { readonly relayDelayUs: Micros };
}

/** examples/basic-config-edge.cfg's timeouts (connect 10s, client and server 1m), send-proxy to Postfix. */
export const edgeHaproxyConfig: HaproxyFrontConfig = {
  name: 'front',
  frontend: 'smtp',
  backend: 'postfix',
  serverName: 'smtpd',
  server: { host: '127.0.0.1', port: 10025 },
  send_proxy: 'v1',
  timeout_connect: 10_000,
  timeout_client: 60_000,
  timeout_server: 60_000,
  retries: 3,
  clitcpka: false,
  srvtcpka: false,
  clockEpochSeconds: 1_795_799_900,
  timings: { relayDelayUs: 30 },
};

/** The wall clock a Dovecot front reads (ioloop_time). */
export function dovecotWallClock(config: DovecotFrontConfig): WallClock {
  return { epochSeconds: config.clockEpochSeconds, phaseUs: config.clockPhaseUs };
}
