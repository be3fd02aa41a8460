/* keys - every scenario key in one table: name, type, allowed values, default, what it means
 *
 * A scenario is one flat key space with dotted keys: `<component>.<setting>`. Settings of
 * the real daemons keep their own names (Dovecot's login_proxy_max_reconnects, Postfix's
 * smtpd_forbid_unauth_pipelining, nginx's smtp_auth); lab timing knobs end in their unit.
 * Timing defaults are the measured real-stack values the model presets use
 * (models/postfix/config.ts measuredTimings, models/auth/config.ts, sim/tcp/profiles.ts),
 * so a scenario that sets nothing behaves like the recorded runs.
 *
 * A default is a value or a function of the keys above it (the table is resolved in order):
 * smtpd_forbid_unauth_pipelining follows mail_version as Postfix's own default does.
 * The table is read by validation (values.ts), `--set` parsing, the CLI help and the tests.
 */
import { SCRIPT_TEXT_ALLOWED, scriptTextProblem } from '../models/client/script-text.ts';
import { FRONT_KINDS, labDovecotConfig, LIB_SMTP_CAPABILITIES, mailuNginxConfig, recordedDovecotTimings, type FrontKind, type SendProxy } from '../models/front/config.ts';
import { nginxWords, nginxWordsText } from '../models/front/nginx-words.ts';
import { tcpkaProblem } from '../models/front/haproxy-tcpka.ts';
import { labMilliseconds } from '../models/front/nginx-parse-time.ts';
import { soKeepaliveProblem } from '../models/front/nginx-so-keepalive.ts';
import { smtpClientBufferProblem } from '../models/front/nginx-client-buffer.ts';
import { listPatternError } from '../models/postfix/address-list.ts';
import { inetInterfacesProblem, inlineTableProblem, inlineTableText, measuredTimings, parseList, versionDefaults, type PostfixConfig } from '../models/postfix/config.ts';
import { transportProblem } from '../models/postfix/transports.ts';
import { routingParameterProblem, VIRTUAL_ALIAS_DOMAINS_DEFAULT } from '../models/postfix/routing-config.ts';
import { FAIL_REPLY_PATTERN, FAIL_STEPS, type FailStep } from '../models/postfix/injected-failure.ts';
import { MILTER_DEFAULT_ACTIONS, milterReplyAllowed, milterReplyProblem, type MilterDefaultAction, type MilterStage } from '../models/postfix/milter.ts';
import { isModelledRelease, POSTFIX_RELEASES_TEXT } from '../models/postfix/releases.ts';
import { DEFAULT_MAILU_RELEASE, isMailuRelease, MAILU_RELEASES_TEXT } from '../models/auth/releases.ts';
import { defaultFrontRelease, FRONT_RELEASES_TEXT } from './front-releases.ts';
import { isRealStackValues, postfixPresetOf } from './layout.ts';
import { RESTRICTION_KEYS, type RestrictionKeyValues } from './restriction-keys.ts';
import { TCP_PROFILES, type TcpProfileName } from '../sim/tcp/profiles.ts';
import { QUANTILE_LIST_ALLOWED, QUANTILE_LIST_PATTERN, quantileListProblem } from './quantile-list.ts';

export type YesNo = 'yes' | 'no';
export type OnOff = 'on' | 'off';
export type FrontModel = FrontKind;
export type ClientAuth = 'PLAIN' | 'LOGIN' | 'none';
export type AuthFault = 'none' | 'timeout' | 'http500' | 'refused';
export type NginxSmtpAuth = 'none' | 'plain' | 'login' | 'login plain';
/** Dovecot auth_mechanisms the model runs, in the order the EHLO's AUTH line lists them (the setting's order). */
export type DovecotMechanisms = 'plain login' | 'login plain' | 'plain' | 'login';
export type UpstreamProxyProtocol = PostfixConfig['smtpd_upstream_proxy_protocol'];

/** The resolved values of a scenario, one property per key (the restriction keys: restriction-keys.ts). */
export interface ScenarioValues extends RestrictionKeyValues {
  'client.user': string;
  'client.password': string;
  'client.helo': string;
  'client.auth': ClientAuth;
  'client.auth_initial_response': YesNo;
  'client.pipelining': YesNo;
  'client.from': string;
  'client.to': string;
  'client.wait_for_greeting': YesNo;
  'client.think_time_us': number;
  'client.timeout_s': number;
  'client.quit_after': 'none' | 'AUTH';
  'client.script': string;
  'front.model': FrontModel;
  'front.port': number;
  'front.version': string;
  'front.login_proxy_max_reconnects': number;
  'front.login_proxy_timeout': number;
  'front.command_reply_delay_us': number;
  'front.banner_reaction_us': number;
  'front.ehlo_reaction_us': number;
  'front.hostname': string;
  'front.auth_mechanisms': DovecotMechanisms;
  'front.submission_backend_capabilities': string;
  'front.submission_max_mail_size': number;
  'front.submission_client_workarounds': '' | 'exotic-backend';
  'front.auth_failure_delay': number;
  'front.login_greeting': string;
  'front.smtp_auth': NginxSmtpAuth;
  'front.xclient': OnOff;
  'front.max_errors': number;
  'front.so_keepalive': string;
  'front.proxy_timeout': string;
  'front.server_name': string;
  'front.smtp_capabilities': string;
  'front.proxy_pass_error_message': OnOff;
  'front.timeout': string;
  'front.smtp_client_buffer': string;
  'front.send_proxy': SendProxy;
  'front.timeout_connect': number;
  'front.timeout_client': number;
  'front.timeout_server': number;
  'front.retries': number;
  'front.clitcpka': OnOff;
  'front.clitcpka_idle': string;
  'front.clitcpka_intvl': string;
  'front.clitcpka_cnt': string;
  'front.srvtcpka': OnOff;
  'front.srvtcpka_idle': string;
  'front.srvtcpka_intvl': string;
  'front.srvtcpka_cnt': string;
  'postfix.mail_version': string;
  'postfix.smtpd_forbid_unauth_pipelining': YesNo;
  'postfix.xclient_lookup_ms': number;
  'postfix.milter_ms': number;
  'postfix.milter_connect_reply': string;
  'postfix.milter_helo_reply': string;
  'postfix.milter_mail_reply': string;
  'postfix.milter_rcpt_reply': string;
  'postfix.milter_end_of_message_reply': string;
  'postfix.milter_default_action': MilterDefaultAction;
  'postfix.banner_delay_ms': number;
  'postfix.banner_reuse_delay_us': number;
  'postfix.ehlo_delay_us': number;
  'postfix.smtpd_authorized_xclient_hosts': string;
  'postfix.mynetworks': string;
  'postfix.mydestination': string;
  'postfix.virtual_mailbox_domains': string;
  'postfix.relay_domains': string;
  'postfix.smtpd_helo_required': YesNo;
  'postfix.smtpd_sasl_auth_enable': YesNo;
  'postfix.smtpd_soft_error_limit': number;
  'postfix.smtpd_hard_error_limit': number;
  'postfix.smtpd_error_sleep_time': number;
  'postfix.smtpd_junk_command_limit': number;
  'postfix.line_length_limit': number;
  'postfix.disable_vrfy_command': YesNo;
  'postfix.smtpd_reject_unlisted_recipient': YesNo;
  'postfix.virtual_mailbox_maps': string;
  'postfix.local_recipient_maps': string;
  'postfix.myorigin': string;
  'postfix.local_transport': string;
  'postfix.virtual_transport': string;
  'postfix.relay_transport': string;
  'postfix.default_transport': string;
  'postfix.inet_interfaces': string;
  'postfix.virtual_alias_domains': string;
  'postfix.virtual_alias_maps': string;
  'postfix.transport_maps': string;
  'postfix.relayhost': string;
  'postfix.proxy_interfaces': string;
  'postfix.recipient_delimiter': string;
  'postfix.smtpd_discard_ehlo_keywords': string;
  'postfix.message_size_limit': number;
  'postfix.fail_at': 'none' | FailStep;
  'postfix.fail_reply': string;
  'postfix.fail_sessions': number;
  'postfix.smtpd_client_connection_count_limit': number;
  'postfix.smtpd_timeout': number;
  'postfix.smtpd_process_reused': YesNo;
  'postfix.smtpd_upstream_proxy_protocol': UpstreamProxyProtocol;
  'postfix.smtpd_upstream_proxy_timeout': number;
  'auth.latency_ms': number;
  'auth.fault': AuthFault;
  'auth.mailu_version': string;
  'tcp.profile': TcpProfileName;
  'tcp.client_profile': TcpProfileName;
  'tcp.one_way_delay_us': number;
  'sim.scheduling_jitter_us': number;
  'sim.wakeup_preempt_per_mille': number;
  'sim.wakeup_latency_min_us': number;
  'sim.wakeup_latency_median_us': number;
  'sim.wakeup_latency_max_us': number;
  'sim.wakeup_busy_per_mille': number;
  'sim.wakeup_busy_preempt_per_mille': number;
  'sim.run_queue_wait_per_mille': number;
  'sim.run_queue_wait_quantiles_us': string;
  'sim.run_queue_idle_burst_per_mille': number;
  'sim.run_queue_busy_burst_per_mille': number;
  'sim.run_queue_burst_wait_per_mille': number;
}

export type ScenarioKey = keyof ScenarioValues;
export type ScenarioValue = ScenarioValues[ScenarioKey];

export type KeyType =
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  /** Whole numbers in [min, max]. */
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  /** Decimal numbers in [min, max] (milliseconds may be fractional). */
  | { readonly kind: 'number'; readonly min: number; readonly max: number }
  /**
   * Text matching `pattern` (a RegExp, or a release table's own test); `allowed` says so in words for error
   * messages. `problem`: text the pattern cannot judge (a small language) is checked by it, which says what is wrong and where.
   */
  | { readonly kind: 'text'; readonly pattern: { test(text: string): boolean }; readonly allowed: string; readonly problem?: (text: string) => string | null };

export interface KeySpec<K extends ScenarioKey = ScenarioKey> {
  readonly name: K;
  readonly type: KeyType;
  /** A value, or a function of the keys resolved before this one. */
  readonly default: ScenarioValues[K] | ((resolved: Readonly<Partial<ScenarioValues>>) => ScenarioValues[K]);
  readonly description: string;
}

const yesNo: KeyType = { kind: 'enum', values: ['yes', 'no'] };
const onOff: KeyType = { kind: 'enum', values: ['on', 'off'] };
const tcpProfiles: KeyType = { kind: 'enum', values: Object.keys(TCP_PROFILES) };
const anyText: KeyType = { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'any text (sent as UTF-8)' };
const address: KeyType = { kind: 'text', pattern: /^[^\s<>]*$/, allowed: 'an address without spaces or angle brackets (empty: the null sender)' };
const milliseconds = (max: number): KeyType => ({ kind: 'number', min: 0, max });
const milterReply = (stage: MilterStage): KeyType => ({ kind: 'text', pattern: /^[\s\S]*$/, allowed: milterReplyAllowed(stage), problem: (text) => milterReplyProblem(stage, text) });
/** The Postfix preset of the layout the keys resolved so far describe. */
const presetOf = (v: Readonly<Partial<ScenarioValues>>) => postfixPresetOf(v['postfix.mail_version'] ?? '3.9', v['front.port'] ?? 587);
/**
 * A Postfix match list the lab can hold as a key (mynetworks, mydestination, virtual_mailbox_domains,
 * relay_domains): patterns separated by commas or white space (parseList()), each with any '!'s.
 * util/match_list.c match_list_parse() (v3.7.11) reads a pattern after its '!'s as a file when it starts
 * with '/' and as a type:table when it has a ':' and does not start with '[' (MATCH_DICTIONARY(), so an
 * IPv6 network goes in [brackets]); the lab opens neither, so those are refused here. An item of only
 * '!'s stops Postfix (listPatternError()). Anything else the model matches as Postfix does, a malformed
 * network included (address-list.ts: a list error at match time, logged with the list's name).
 */
function matchListKey(parameter: keyof PostfixConfig, what: string): KeyType {
  return {
    kind: 'text',
    pattern: /^[\s\S]*$/,
    allowed: `${what}, separated by commas or spaces, each may start with '!' (no type:table or /file; IPv6 in [brackets]; empty: none)`,
    problem: (text) => {
      const list = parseList(text);
      const table = list.map((item) => item.replace(/^!+/, '')).find((item) => item.startsWith('/') || (!item.startsWith('[') && item.includes(':')));
      if (table !== undefined) {
        return `"${table}" is a ${table.startsWith('/') ? 'file' : 'type:table'} to Postfix (match_list.c match_list_parse()${table.startsWith('/') ? '' : ': a \':\' outside [brackets]'}), which the lab cannot open; list what it holds instead`;
      }
      return listPatternError(parameter, list);
    },
  };
}
/** Each class's transport: Postfix's default (mail_params.h) and the layouts'. */
const TRANSPORT_DEFAULTS: Readonly<Record<'local' | 'virtual' | 'relay' | 'default', string>> = {
  local: "Postfix's default local:$myhostname (DEF_LOCAL_TRANSPORT), the layouts' too",
  virtual: "Postfix's default virtual (DEF_VIRT_TRANSPORT), the real stack's too; Mailu's lmtp:inet:192.168.203.2:2525 (its main.cf)",
  relay: "Postfix's default relay (DEF_RELAY_TRANSPORT), Mailu's too; the real stack: error:5.7.1 no outbound delivery in this lab",
  default: "Postfix's default smtp (DEF_DEF_TRANSPORT), Mailu's too; the real stack: error:5.7.1 no outbound delivery in this lab",
};
/** Ten minutes: longer than any timer in the chain, short enough to keep runs bounded. */
const MAX_DELAY_MS = 600_000;
/**
 * An HAProxy timeout in ms, as haproxy.cfg may write it: 0 is none (TICK_ETERNITY), as HAProxy takes
 * `timeout client 0`; up to parse_time_err()'s limit, 2^31 - 1 ms (src/tools.c, 'timer overflow'),
 * so an imported `timeout client 1h` is kept (a silent peer then holds past the liveness bound, as
 * on the real host).
 */
const haproxyTimeout: KeyType = { kind: 'integer', min: 0, max: 2_147_483_647 };
/** An nginx msec directive's value, refused as `nginx -t` refuses it (ngx_conf_set_msec_slot(); models/front/nginx-parse-time.ts). */
const nginxMsec = (directive: string, allowed: string): KeyType => ({
  kind: 'text',
  pattern: /^[\s\S]*$/,
  allowed,
  problem: (text) => {
    const ms = labMilliseconds(directive, text);
    return typeof ms === 'string' ? ms : null;
  },
});
/** A processing time in whole µs, up to a second. */
const microseconds: KeyType = { kind: 'integer', min: 0, max: 1_000_000 };

/**
 * HAProxy's `option <side>tcpka` and its -idle, -intvl, -cnt (models/front/haproxy-tcpka.ts), each
 * refused with the message HAProxy's parser gives; `option tcpka` is both sides on.
 */
function tcpkaKeys(side: 'cli' | 'srv', what: string, source: string): KeySpec[] {
  const tunable = (name: 'idle' | 'intvl' | 'cnt', allowed: string, description: string): KeySpec => ({
    name: `front.${side}tcpka_${name}`,
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed, problem: (text) => tcpkaProblem(`${side}tcpka-${name}`, text) },
    default: '',
    description: `HAProxy ${side}tcpka-${name}: ${description} on the ${what} sockets with front.${side}tcpka=on (empty or 0: the kernel's sysctl)`,
  });
  const time = 'empty, or a time: digits with an optional unit us, ms, s, m, h, d (none: seconds), rounded up to whole seconds';
  return [
    { name: `front.${side}tcpka`, type: onOff, default: 'off', description: `HAProxy option ${side}tcpka (or option tcpka): SO_KEEPALIVE on the ${what} sockets (${source}); off: HAProxy's default` },
    tunable('idle', time, 'TCP_KEEPIDLE, the idle time before the first probe'),
    tunable('intvl', time, 'TCP_KEEPINTVL, the time between probes'),
    tunable('cnt', 'empty, or an integer as strtol(value, 0) reads it (decimal, 0x hex, 0 octal)', 'TCP_KEEPCNT, unanswered probes before the socket fails'),
  ];
}

/** Every key, in resolution order (a derived default may read only keys above it). */
/**
 * The min, median and max (µs) of a two-piece uniform draw (sim/decider twoPiece), each defaulting
 * to the one before, so setting only the minimum gives a constant; calibrate fits all three.
 */
function twoPieceMicros(prefix: 'sim.wakeup_latency', what: string): KeySpec[] {
  const micros: KeyType = { kind: 'integer', min: 0, max: 1_000_000 };
  const min = `${prefix}_min_us` as const;
  const median = `${prefix}_median_us` as const;
  const max = `${prefix}_max_us` as const;
  return [
    { name: min, type: micros, default: 0, description: `${what}: minimum (calibrate fits it)` },
    { name: median, type: micros, default: (v) => v[min] ?? 0, description: `${what}: median (two-piece uniform through min, median, max)` },
    { name: max, type: micros, default: (v) => v[median] ?? 0, description: `${what}: maximum` },
  ];
}

export const SCENARIO_KEYS: readonly KeySpec[] = [
  { name: 'client.user', type: anyText, default: 'alice@example.test', description: 'SASL user the client logs in as; the auth service accepts any user with password "secret"' },
  { name: 'client.password', type: anyText, default: 'secret', description: 'SASL password; anything but "secret" is a wrong password' },
  { name: 'client.helo', type: { kind: 'text', pattern: /^\S+$/, allowed: 'a name without spaces' }, default: 'client.example.test', description: 'EHLO argument' },
  { name: 'client.auth', type: { kind: 'enum', values: ['PLAIN', 'LOGIN', 'none'] }, default: 'PLAIN', description: 'SASL mechanism; none: no AUTH (port-25 delivery)' },
  {
    name: 'client.auth_initial_response',
    type: yesNo,
    default: (v) => (v['client.auth'] === 'LOGIN' ? 'no' : 'yes'),
    description: 'PLAIN: credentials on the AUTH line (yes, swaks) or after an empty 334 (no); LOGIN: user on the AUTH line (yes) or as a continuation (no, swaks)',
  },
  { name: 'client.pipelining', type: yesNo, default: 'no', description: 'send MAIL, RCPT and DATA as one group after login (swaks --pipeline)' },
  { name: 'client.from', type: address, default: (v) => v['client.user'] ?? '', description: 'MAIL FROM address (default: client.user, as swaks did)' },
  { name: 'client.to', type: address, default: 'bob@example.test', description: 'RCPT TO address' },
  { name: 'client.wait_for_greeting', type: yesNo, default: 'yes', description: 'no: talk before the 220 greeting (illegal, RFC 5321 §3.1)' },
  { name: 'client.think_time_us', type: { kind: 'integer', min: 0, max: 10_000_000 }, default: 150, description: 'client reaction time after each reply (swaks: 98-200 µs in raw/A1 segments)' },
  { name: 'client.timeout_s', type: { kind: 'number', min: 0.001, max: 86_400 }, default: 30, description: 'seconds the client waits for a reply before it gives up and closes (swaks --timeout, default 30s)' },
  { name: 'client.quit_after', type: { kind: 'enum', values: ['none', 'AUTH'] }, default: 'none', description: "swaks --quit-after: AUTH sends QUIT once AUTH is done, no message (the recorded trials); none: the whole dialogue" },
  {
    name: 'client.script',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: SCRIPT_TEXT_ALLOWED, problem: scriptTextProblem },
    default: '',
    description: "what the client sends instead of swaks' dialogue (empty: swaks with the client.* keys): commands separated by ';' (wait for the replies) or '|' (pipelined in one write), each sent with CRLF; escapes \\r \\n \\t \\0 \\xHH \\\\ \\; \\|, and \\c at the end for no CRLF (models/client/script-text.ts). Played by run; check, explore and repro generate their own clients, as they do for client.user",
  },
  { name: 'front.model', type: { kind: 'enum', values: FRONT_KINDS }, default: 'dovecot-2.3', description: 'front proxy: Dovecot submission-login 2.3/2.4 (pipelines EHLO after XCLIENT), the fixed lock-step proxy, nginx mail, or HAProxy mode tcp (PROXY protocol instead of XCLIENT)' },
  { name: 'front.port', type: { kind: 'integer', min: 1, max: 65535 }, default: 587, description: 'port the front listens on and the client connects to' },
  {
    name: 'front.version',
    type: { kind: 'text', pattern: /^(\d+(\.\d+){1,3}(\+[a-z0-9]+)?)?$/, allowed: FRONT_RELEASES_TEXT },
    default: (v) => defaultFrontRelease(v['front.model'] ?? 'dovecot-2.3'),
    description: "release of the front proxy: a Dovecot release (or a distribution's build of one, e.g. Debian 12's 2.3.19.1+deb12u7) for the Dovecot fronts, an nginx release for nginx (docs/versions.md: what each changes); the lock-step proxy and HAProxy have none",
  },
  { name: 'front.login_proxy_max_reconnects', type: { kind: 'integer', min: 0, max: 100 }, default: 3, description: 'Dovecot login_proxy_max_reconnects: backend reconnects after a remote failure (default 3)' },
  { name: 'front.login_proxy_timeout', type: { kind: 'integer', min: 1, max: MAX_DELAY_MS }, default: 30_000, description: 'Dovecot login_proxy_timeout in ms (default 30 secs)' },
  // Dovecot's processing times (models/front/config.ts recordedDovecotTimings), fitted per calibration batch (calibration/step-timings.ts).
  {
    name: 'front.command_reply_delay_us',
    type: microseconds,
    default: recordedDovecotTimings.commandReplyDelayUs,
    description: "Dovecot submission-login: a client's command line read -> its reply written (EHLO -> 250, and the AUTH line before its passdb request), µs (default: the A1 record's EHLO 0.013531 -> reply 0.013678; calibrate fits it from the capture's EHLO->250 to the client)",
  },
  {
    name: 'front.banner_reaction_us',
    type: microseconds,
    default: recordedDovecotTimings.bannerReactionUs,
    description: "Dovecot's submission proxy: the backend's 220 banner read -> EHLO written, µs (default: the A1 rawlog's .921309 -> .921368; calibrate fits it from the capture's 220->EHLO)",
  },
  {
    name: 'front.ehlo_reaction_us',
    type: microseconds,
    default: recordedDovecotTimings.ehloReactionUs,
    description: "Dovecot's submission proxy: the backend's EHLO reply read -> XCLIENT written, µs (default: the A1 rawlog's .924634 -> .924680; calibrate fits it from the capture's 250->XCLIENT)",
  },
  // Dovecot's settings a deployment states (docs/front-settings.md: what each changes, from which source).
  {
    name: 'front.hostname',
    type: { kind: 'text', pattern: /^[\x21-\x7e]+$/, allowed: 'a name: printable ASCII without blanks (Dovecot\'s empty default is the machine\'s name, which the lab does not have)' },
    default: labDovecotConfig.hostname,
    description: "Dovecot hostname: the name in submission-login's 220 greeting, its EHLO and HELO replies and 421 texts, and the EHLO the proxy sends the backend (client.c submission_client_create() smtp_set.hostname, submission-proxy.c). Dovecot's default: the machine's name (submission_login_settings_check(): my_hostdomain()); the lab's layouts: front.example.test",
  },
  {
    name: 'front.auth_mechanisms',
    type: { kind: 'enum', values: ['plain login', 'login plain', 'plain', 'login'] },
    default: 'plain login',
    description: "Dovecot auth_mechanisms: the EHLO's AUTH line in this order (measured on Debian's 2.3.19.1: 'login plain' is AUTH LOGIN PLAIN) and the mechanisms AUTH accepts (another: 504 5.5.4 Unsupported authentication mechanism.); the model runs PLAIN and LOGIN only. Dovecot's default plain (auth-settings.c); Mailu's and the recorded stack's plain login",
  },
  {
    name: 'front.submission_backend_capabilities',
    type: {
      kind: 'text',
      pattern: /^[\s,A-Za-z0-9]*$/,
      allowed: `lib-smtp capability names separated by blanks or commas, any case (${LIB_SMTP_CAPABILITIES.join(', ')}); empty: none`,
      problem: (text) => {
        const unknown = text.split(/[\s,]+/).filter((name) => name !== '' && !(LIB_SMTP_CAPABILITIES as readonly string[]).includes(name.toUpperCase()));
        return unknown.length === 0 ? null : `${unknown.join(', ')}: not a capability lib-smtp knows (Dovecot warns "Unknown SMTP capability in submission_backend_capabilities" and skips it: leave it out)`;
      },
    },
    default: labDovecotConfig.submission_backend_capabilities.join(' '),
    description: "Dovecot submission_backend_capabilities: what submission-login tells the client before login that the backend offers: 8BITMIME, BINARYMIME (with CHUNKING, which it brings), DSN and VRFY in the EHLO (client.c client_parse_backend_capabilities(), client-authenticate.c cmd_helo_reply()). Dovecot's default, unset: 8BITMIME alone; Mailu's and the recorded stack's 8BITMIME DSN VRFY",
  },
  {
    name: 'front.submission_max_mail_size',
    type: { kind: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER },
    default: labDovecotConfig.submission_max_mail_size,
    description: "Dovecot submission_max_mail_size in bytes: the EHLO's SIZE value before login (cmd_helo_reply()); 0: SIZE without a value. Dovecot's default 0 (2.3; 2.4 sets unlimited for submission-login); Mailu's 50000000, which the built-in Mailu scenarios leave at 0",
  },
  {
    name: 'front.submission_client_workarounds',
    type: { kind: 'enum', values: ['', 'exotic-backend'] },
    default: '',
    description: "Dovecot submission_client_workarounds as submission-login reads it (submission-login-settings.c: whitespace-before-path and mailbox-for-path are 0 there; implicit-auth-external needs a TLS client certificate): exotic-backend leaves BURL, CHUNKING, ENHANCEDSTATUSCODES, SIZE and PIPELINING out of the EHLO unless submission_backend_capabilities names them (cmd_helo_reply()). Default empty",
  },
  {
    name: 'front.auth_failure_delay',
    type: { kind: 'integer', min: 0, max: 86_400 },
    default: labDovecotConfig.auth_failure_delay,
    description: "Dovecot auth_failure_delay in seconds: a failed login waits in the auth process's queue until a 500 ms check finds it this many whole seconds old (auth-request-handler.c auth_request_handler_flush_failures(), models/front/auth-failure-queue.ts): the 535 comes 0.5 s earlier or later; 0 in 2.3: at the first check (measured on Debian's 2.3.19.1: 0.5 s). Default 2 secs (auth-settings.c)",
  },
  { name: 'front.smtp_auth', type: { kind: 'enum', values: ['none', 'plain', 'login', 'login plain'] }, default: 'login plain', description: 'nginx smtp_auth (Mailu port 25: none)' },
  { name: 'front.xclient', type: onOff, default: 'on', description: 'nginx xclient (default on)' },
  { name: 'front.max_errors', type: { kind: 'integer', min: 1, max: 1000 }, default: 5, description: 'nginx max_errors: lines its SMTP parser refuses before it closes the session (default 5)' },
  {
    name: 'front.so_keepalive',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'empty (no so_keepalive on the listen line), on, off, or [keepidle]:[keepintvl]:[keepcnt] (nginx times in seconds, a count)', problem: soKeepaliveProblem },
    default: '',
    description: "nginx listen ... so_keepalive=: SO_KEEPALIVE on the client listener, inherited by every connection it accepts (ngx_configure_listening_sockets()), with TCP_KEEPIDLE:TCP_KEEPINTVL:TCP_KEEPCNT where given; empty: nginx's default, none",
  },
  {
    name: 'front.proxy_timeout',
    type: nginxMsec('proxy_timeout', 'an nginx time in milliseconds (ngx_conf_set_msec_slot()): digits with units w d h m s ms in that order, a unitless number is seconds (e.g. 10s, 1m30s, 500ms, 24h)'),
    default: '24h',
    description: "nginx proxy_timeout: once nginx relays, the client's read deadline, re-armed by each event on the client's connection, never by the upstream's; when it strikes nginx logs \"client timed out ... while proxying\" and closes both connections (ngx_mail_proxy_handler()). Default 24h (ngx_mail_proxy_merge_conf())",
  },
  {
    name: 'front.server_name',
    type: { kind: 'text', pattern: /^[\x21-\x7e]+$/, allowed: 'a name: printable ASCII without blanks' },
    default: mailuNginxConfig.server_name,
    description: "nginx server_name (mail): the name in the 220 <name> ESMTP ready greeting, the HELO and EHLO replies and the EHLO or HELO nginx sends the backend (ngx_mail_smtp_merge_srv_conf(), ngx_mail_proxy_smtp_handler()). nginx's default: the machine's name (ngx_mail_core_merge_srv_conf(): gethostname()); Mailu's mail.example.test (its first HOSTNAMES)",
  },
  {
    name: 'front.smtp_capabilities',
    type: {
      kind: 'text',
      pattern: /^[^\r\n]*$/,
      allowed: 'capabilities as nginx.conf writes smtp_capabilities\' arguments: blank-separated, one with blanks in "double quotes" (e.g. PIPELINING "SIZE 10240000" 8BITMIME); empty: none',
      problem: (text) => { const words = nginxWords(text); return typeof words === 'string' ? words : null; },
    },
    default: nginxWordsText(mailuNginxConfig.smtp_capabilities),
    description: "nginx smtp_capabilities: the EHLO lines nginx answers before login, between the server name and AUTH, as written (ngx_mail_smtp_merge_srv_conf()). nginx's default none; Mailu's PIPELINING \"SIZE <MESSAGE_SIZE_LIMIT>\" ETRN ENHANCEDSTATUSCODES 8BITMIME DSN",
  },
  {
    name: 'front.proxy_pass_error_message',
    type: onOff,
    default: mailuNginxConfig.proxy_pass_error_message ? 'on' : 'off',
    description: "nginx proxy_pass_error_message: on, a reply of the backend that ends the handshake goes to the client as it is (logged at info); off, the client gets 451 4.3.2 Internal server error (logged at error; ngx_mail_proxy_read_response(), ngx_mail_proxy_internal_server_error()). nginx's default off; Mailu's on",
  },
  {
    name: 'front.timeout',
    type: nginxMsec('timeout', 'an nginx time in milliseconds as for front.proxy_timeout (e.g. 60s, 5m, 500ms)'),
    default: '60s',
    description: "nginx timeout (mail): how long nginx waits for the client's next command before login (\"client timed out\", ngx_mail_smtp_auth_state()) and for each backend reply of the handshake (ngx_mail_proxy_smtp_handler(): \"upstream timed out\"). Default 60s (ngx_mail_core_merge_srv_conf()), Mailu's too",
  },
  {
    name: 'front.smtp_client_buffer',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'an nginx size: digits, optionally k or m (1024 or 1024 * 1024), not 0 (e.g. 4k, 8192)', problem: smtpClientBufferProblem },
    default: '4k',
    description: "nginx smtp_client_buffer: the client's command buffer; a command line whose end does not fit in what is left of it is \"too long\" (500 and close), and pipelined lines share it (ngx_mail_smtp_create_buffer(), ngx_mail_read_command()). Default one page, 4k (ngx_mail_smtp_merge_srv_conf()), Mailu's too",
  },
  { name: 'front.send_proxy', type: { kind: 'enum', values: ['none', 'v1', 'v2'] }, default: 'none', description: "HAProxy server line: send-proxy (v1), send-proxy-v2 (v2) or neither (none, HAProxy's default)" },
  // 0 is no timeout: proxy_parse_timeout() stores MS_TO_TICKS(0) = TICK_ETERNITY (src/proxy.c,
  // include/haproxy/ticks.h @50872daa6), as an unset one; haproxy -c warns that they should be non-zero
  { name: 'front.timeout_connect', type: haproxyTimeout, default: 10_000, description: 'HAProxy timeout connect in ms, per attempt; 0: none (examples/basic-config-edge.cfg: 10s)' },
  { name: 'front.timeout_client', type: haproxyTimeout, default: 60_000, description: 'HAProxy timeout client in ms: client-side inactivity; 0: none (examples/basic-config-edge.cfg: 1m)' },
  { name: 'front.timeout_server', type: haproxyTimeout, default: 60_000, description: 'HAProxy timeout server in ms: server-side inactivity; 0: none (examples/basic-config-edge.cfg: 1m)' },
  { name: 'front.retries', type: { kind: 'integer', min: 0, max: 100 }, default: 3, description: 'HAProxy retries: connection attempts after a failed one (default 3)' },
  ...tcpkaKeys('cli', 'client', 'session.c session_accept_fd()'),
  ...tcpkaKeys('srv', 'server', 'proto_tcp.c tcp_connect_server()'),
  {
    name: 'postfix.mail_version',
    type: { kind: 'text', pattern: { test: isModelledRelease }, allowed: `a modelled Postfix release: ${POSTFIX_RELEASES_TEXT}` },
    default: '3.9',
    description: 'Postfix release whose defaults and behaviour apply (docs/versions.md: what each release changes)',
  },
  // Below postfix.mail_version: its default follows the layout, which front.port and postfix.mail_version decide.
  {
    name: 'front.login_greeting',
    type: { kind: 'text', pattern: /^[^\r\n]*$/, allowed: 'one line of text' },
    default: (v) => (isRealStackValues(v['postfix.mail_version'] ?? '', v['front.port'] ?? 0) ? labDovecotConfig.login_greeting : 'Dovecot ready.'),
    description: "Dovecot login_greeting: the text after the hostname in submission-login's 220 greeting (client.c smtp_set.login_greeting). Dovecot's default PACKAGE_NAME \" ready.\", Dovecot ready. (login-settings.c), as Mailu's Alpine image has it; Debian's build: Dovecot (Debian) ready. (doveconf -d on Debian 12's 2.3.19.1), the recorded stack's",
  },
  {
    name: 'postfix.smtpd_forbid_unauth_pipelining',
    type: yesNo,
    default: (v) => (versionDefaults(v['postfix.mail_version'] ?? '3.9').smtpd_forbid_unauth_pipelining ? 'yes' : 'no'),
    description: 'reject improper pipelining before authentication with 554 (default: yes from Postfix 3.9, no before)',
  },
  { name: 'postfix.xclient_lookup_ms', type: milliseconds(MAX_DELAY_MS), default: 0, description: 'time of the smtpd_authorized_xclient_hosts lookup inside xclient_cmd() (slowxclient runs: 100)' },
  { name: 'postfix.milter_ms', type: milliseconds(MAX_DELAY_MS), default: 0, description: 'time a connect-stage milter takes before the 220 (0 and both milter replies continue: no milter)' },
  // The lab's model milter (models/postfix/milter.ts): its answer per stage, by the milter protocol's names.
  {
    name: 'postfix.milter_connect_reply',
    type: milterReply('connect'),
    default: 'continue',
    description: "what the milter answers at connect (SMFIR_*): a 5xx makes smtpd greet with 554 <host> ESMTP not accepting connections, a 421 or shutdown with 421 <host> Service unavailable - try again later; any refusal then persists to MAIL, VRFY, ETRN, AUTH and STARTTLS (smtpd.c, milter8.c); discard only logs milter8's warning (not allowed at connect or helo); quarantine logs milter-hold and holds every message of the connection (def_reply H); unavailable: smtpd cannot reach it and milter_default_action answers every event",
  },
  {
    name: 'postfix.milter_helo_reply',
    type: milterReply('helo'),
    default: 'continue',
    description: 'what the milter answers at HELO/EHLO: a 421 or shutdown is the reply and smtpd hangs up; any other refusal gets 250 (EHLO offering ENHANCEDSTATUSCODES only after a 5xx) and persists to MAIL and the commands after it; discard and quarantine as at connect',
  },
  {
    name: 'postfix.milter_mail_reply',
    type: milterReply('mail'),
    default: 'continue',
    description: 'what the milter answers at MAIL FROM: a refusal is the reply to that MAIL only (logged milter-reject with from=); shutdown answers 421 and hangs up; discard logs milter-discard, accepts and drops the message; accept asks nothing more about the message; quarantine logs milter-hold and holds this message and every later one of the connection',
  },
  {
    name: 'postfix.milter_rcpt_reply',
    type: milterReply('rcpt'),
    default: 'continue',
    description: 'what the milter answers at RCPT TO for a recipient smtpd accepted: a refusal is the reply to that RCPT only (milter-reject with from= and to=); shutdown, discard, accept and quarantine as at MAIL',
  },
  {
    name: 'postfix.milter_end_of_message_reply',
    type: milterReply('endOfMessage'),
    default: 'continue',
    description: "what the milter answers at the end of the message, in cleanup: a refusal is the reply to the final '.' and nothing is queued (cleanup logs milter-reject: END-OF-MESSAGE); discard answers 250 and drops the message; quarantine answers 250 and puts it on hold (milter-hold)",
  },
  {
    name: 'postfix.milter_default_action',
    type: { kind: 'enum', values: MILTER_DEFAULT_ACTIONS },
    default: (v) => versionDefaults(v['postfix.mail_version'] ?? '3.9').milter_default_action,
    description: 'Postfix milter_default_action: what every event gets from a milter smtpd cannot reach (milter_connect_reply=unavailable): tempfail 451 4.7.1, reject 550 5.5.0 Service unavailable, accept nothing (no milter), quarantine hold every message, shutdown 421 and hang up (from 3.7.20, 3.8.15, 3.9.9, 3.10.8, where it is the default; tempfail before)',
  },
  { name: 'postfix.banner_delay_ms', type: milliseconds(MAX_DELAY_MS), default: 13, description: 'smtpd start-up: accept to 220 banner (real stack: 11-15 ms)' },
  // smtpd's processing times (models/postfix/config.ts measuredTimings), fitted per calibration batch (calibration/step-timings.ts).
  {
    name: 'postfix.banner_reuse_delay_us',
    type: microseconds,
    default: measuredTimings.bannerReuseDelayUs,
    description: "a reused smtpd process (postfix.smtpd_process_reused, Dovecot's reconnects): accept -> 220 banner, µs (default: the A2 record's reconnects, 0.22-0.32 ms; calibrate fits it from the capture's SYN->220)",
  },
  {
    name: 'postfix.ehlo_delay_us',
    type: microseconds,
    default: measuredTimings.ehloDelayUs,
    description: "smtpd: an EHLO or HELO read -> its reply written, after the process's first EHLO, µs (default: 20-60 µs in the records; calibrate fits it from the capture's EHLO->250)",
  },
  // Settings whose values differ between the two layouts start from that layout's preset (layout.ts);
  // the others from Postfix's own defaults (postconf -d, mail_params.h), which both presets keep.
  {
    name: 'postfix.smtpd_authorized_xclient_hosts',
    type: { kind: 'text', pattern: /^(\s*(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?\s*(,|\s|$))*$/, allowed: 'IPv4 addresses or CIDR blocks, separated by commas or spaces (empty: no host may send XCLIENT)' },
    default: (v) => presetOf(v).smtpd_authorized_xclient_hosts.join(', '),
    description: "clients allowed to send XCLIENT; a front outside it is not offered XCLIENT in the EHLO reply (smtpd.c ehlo_cmd) and its XCLIENT gets 550 5.7.0 (xclient_cmd). Default: the layout's (Mailu: its subnet; real stack: 127.0.0.0/8)",
  },
  {
    name: 'postfix.mynetworks',
    type: matchListKey('mynetworks', 'IPv4 addresses or networks (a.b.c.d/n), [IPv6] networks, or host names'),
    default: (v) => presetOf(v).mynetworks.join(', '),
    description: "clients smtpd trusts as its own: permit_mynetworks in smtpd_relay_restrictions lets them relay without logging in (smtpd_check.c permit_mynetworks(), namadr_list_match() with the parent style of parent_domain_matches_subdomains), and they are the default smtpd_client_event_limit_exceptions and smtpd_forbid_bare_newline_exclusions ($mynetworks). A malformed network is Postfix's list error at match time: 'warning: mynetworks: ...' and the RCPT deferred (reject_dict_retry()). Default: the layout's (Mailu: 127.0.0.1/32, [::1]/128 and its subnet, the front inside, the client outside; real stack: 127.0.0.0/8)",
  },
  {
    name: 'postfix.mydestination',
    type: matchListKey('mydestination', 'domain names'),
    default: (v) => presetOf(v).mydestination.join(', '),
    description: "the local domains (string_list, the whole domain without case): a recipient there is the local class (trivial-rewrite resolve.c resolve_addr(): resolve_local()), an authorized destination for reject_unauth_destination and defer_unauth_destination (smtpd_check.c permit_auth_destination(): RESOLVE_CLASS_FINAL) and looked up in its own table, local_recipient_maps, not in virtual_mailbox_maps. Postfix's default $myhostname, localhost.$mydomain, localhost (mail_params.h DEF_MYDEST); the layouts' (Mailu's main.cf and the real stack): empty",
  },
  {
    name: 'postfix.virtual_mailbox_domains',
    type: matchListKey('virtual_mailbox_domains', 'domain names'),
    default: (v) => presetOf(v).virtual_mailbox_domains.join(', '),
    description: "the virtual mailbox domains (string_list): a recipient there is the virtual class (resolve.c resolve_addr()), an authorized destination (smtpd_check.c permit_auth_destination(): RESOLVE_CLASS_FINAL), and with smtpd_reject_unlisted_recipient must be in virtual_mailbox_maps (check_rcpt_maps()). Postfix's default $virtual_mailbox_maps, empty (mail_params.h DEF_VIRT_MAILBOX_DOMS); the layouts': example.test (Mailu's socketmap, the real stack's main.cf)",
  },
  {
    name: 'postfix.relay_domains',
    type: matchListKey('relay_domains', 'domain names'),
    default: (v) => presetOf(v).relay_domains.join(', '),
    description: "the relay domains (domain_list, subdomains too while parent_domain_matches_subdomains names relay_domains): a recipient there is the relay class (resolve.c resolve_addr()) and an authorized destination (smtpd_check.c permit_auth_destination(): RESOLVE_CLASS_RELAY); a recipient in no class is refused to an unauthenticated client outside mynetworks with 554 5.7.1 <rcpt>: Relay access denied (reject_unauth_destination; 454 4.7.1 with defer_unauth_destination). Postfix's default empty from compatibility_level 2, $mydestination below (mail_params.h DEF_RELAY_DOMAINS); the layouts': empty",
  },
  { name: 'postfix.smtpd_helo_required', type: yesNo, default: (v) => (presetOf(v).smtpd_helo_required ? 'yes' : 'no'), description: "MAIL before HELO/EHLO gets 503 5.5.1 Error: send HELO/EHLO first (default no; Mailu's main.cf and the real stack: yes)" },
  {
    name: 'postfix.smtpd_sasl_auth_enable',
    type: yesNo,
    default: (v) => (presetOf(v).smtpd_sasl_auth_enable ? 'yes' : 'no'),
    description: "smtpd's own SASL: AUTH in the EHLO reply and AUTH accepted (smtpd.c ehlo_cmd, smtpd_sasl_is_active()); off, AUTH gets 503 5.5.1 Error: authentication not enabled. XCLIENT LOGIN works either way (xclient_cmd). Default no (mail_params.h DEF_SMTPD_SASL_ENABLE); Mailu's 10025 service and the real stack: yes (master.cf -o)",
  },
  // The minimums are smtpd's own (config.ts PARAMETER_BOUNDS): below them Postfix does not start.
  { name: 'postfix.smtpd_soft_error_limit', type: { kind: 'integer', min: 1, max: 10_000 }, default: 10, description: 'errors after which smtpd sleeps smtpd_error_sleep_time before each reply (default 10)' },
  { name: 'postfix.smtpd_hard_error_limit', type: { kind: 'integer', min: 1, max: 10_000 }, default: 20, description: 'errors after which smtpd answers 421 4.7.0 Error: too many errors and disconnects (default 20)' },
  { name: 'postfix.smtpd_error_sleep_time', type: { kind: 'integer', min: 0, max: 3_600 }, default: 1, description: 'seconds smtpd sleeps before each reply once smtpd_soft_error_limit is reached (default 1s)' },
  { name: 'postfix.smtpd_junk_command_limit', type: { kind: 'integer', min: 1, max: 10_000 }, default: 100, description: 'HELO, EHLO, NOOP, VRFY, ETRN and RSET commands (smtpd_cmd_table SMTPD_CMD_FLAG_LIMIT) before each further one counts as an error (default 100)' },
  { name: 'postfix.line_length_limit', type: { kind: 'integer', min: 512, max: 1_048_576 }, default: 2048, description: 'bytes of one command line smtpd reads; the rest of a longer line is skipped (default 2048)' },
  { name: 'postfix.disable_vrfy_command', type: yesNo, default: 'no', description: 'yes: every VRFY gets 502 5.5.1 VRFY command is disabled (smtpd.c vrfy_cmd; default no)' },
  {
    name: 'postfix.smtpd_reject_unlisted_recipient',
    type: yesNo,
    default: (v) => (presetOf(v).smtpd_reject_unlisted_recipient ? 'yes' : 'no'),
    description: "yes: RCPT and VRFY of an address whose class's transport is error or retry are refused with its text (postfix.default_transport), and one in a virtual mailbox domain that virtual_mailbox_maps does not list gets 550 5.1.1 <address>: Recipient address rejected: User unknown in virtual mailbox table, in a local domain that local_recipient_maps does not list ... User unknown in local recipient table (smtpd_check.c check_rcpt_maps; Postfix's default yes, Mailu's 10025 service no, the real stack yes)",
  },
  ...RESTRICTION_KEYS,
  {
    name: 'postfix.virtual_mailbox_maps',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'empty (no table), or inline:{ address=value, ... }', problem: (text) => inlineTableProblem('virtual_mailbox_maps', text) },
    default: '',
    description: "the recipients of the virtual mailbox domains (Mailu's: its example.test) as an inline table: address=anything, or @domain=anything for all of a domain; empty: none is looked up (Postfix's default; Mailu's socketmap and the real stack's static: table are outside the lab)",
  },
  {
    name: 'postfix.myorigin',
    type: { kind: 'text', pattern: /^[^\s$]+$/, allowed: 'a domain name without white space or $ (not empty: Postfix does not start)' },
    default: (v) => presetOf(v).myorigin,
    description: "the domain smtpd appends to a recipient without one before it judges it (smtpd_resolve.c resolve_pagein(): the local rewrite, rewrite.c append_at_myorigin): RCPT TO:<bob> is bob@$myorigin for the relay restrictions and check_rcpt_maps(). Postfix's default $myhostname (mail_params.h DEF_MYORIGIN); the layouts' $mydomain, example.test (Mailu's main.cf, the real stack's)",
  },
  {
    name: 'postfix.local_recipient_maps',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'empty (no table), or inline:{ name=value, ... }', problem: (text) => inlineTableProblem('local_recipient_maps', text) },
    default: (v) => inlineTableText(presetOf(v).local_recipient_maps),
    description: "the local class's recipients (an [address] literal of smtpd's own address, or a mydestination domain) as an inline table: user=anything or user@domain=anything; with smtpd_reject_unlisted_recipient another gets 550 5.1.1 <address>: Recipient address rejected: User unknown in local recipient table (smtpd_check.c check_rcpt_maps(); postmaster, MAILER-DAEMON and double-bounce never); empty: none is looked up. Postfix's default proxy:unix:passwd.byname $alias_maps (mail_params.h DEF_LOCAL_RCPT_MAPS), the host's accounts, which the lab holds as a Debian 12 host's (models/postfix/debian-accounts.ts); the real stack's adds postfix, dovecot and dovenull (its alias_maps is empty)",
  },
  ...(['local', 'virtual', 'relay', 'default'] as const).map((addressClass) => ({
    name: `postfix.${addressClass}_transport` as const,
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'transport[:nexthop], e.g. smtp, lmtp:inet:host:port, error:5.7.1 text', problem: (text: string) => transportProblem(`${addressClass}_transport`, text) } satisfies KeyType,
    default: (v: Readonly<Partial<ScenarioValues>>) => presetOf(v)[`${addressClass}_transport`],
    description: `the delivery transport of the ${addressClass} class (trivial-rewrite resolve.c resolve_addr()); error:[dsn ]text or retry:[dsn ]text makes smtpd refuse such a recipient at RCPT and VRFY when smtpd_reject_unlisted_recipient = yes: 550 (retry: 450) <address>: Recipient address rejected: text (smtpd_check.c check_rcpt_maps(), before the class's table). ${TRANSPORT_DEFAULTS[addressClass]}`,
  })),
  {
    name: 'postfix.inet_interfaces',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'all, loopback-only, or IPv4/IPv6 addresses separated by commas or spaces', problem: inetInterfacesProblem },
    default: (v) => { const value = presetOf(v).inet_interfaces; return typeof value === 'string' ? value : value.join(', '); },
    description: "smtpd's own addresses: a recipient at an [address] literal of one is the local class (global/resolve_local.c resolve_local(), own_inet_addr.c): an authorized destination, looked up in local_recipient_maps. all: the host's interfaces (the lab: 127.0.0.1, ::1 with IPv6, and the address Postfix is reached on); loopback-only: the loopback ones. Postfix's default all (mail_params.h DEF_INET_INTERFACES), Mailu's too; the real stack: 127.0.0.1",
  },
  {
    name: 'postfix.virtual_alias_domains',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: `${VIRTUAL_ALIAS_DOMAINS_DEFAULT}, or domain names separated by commas or spaces, each may start with '!' (no type:table or /file; empty: none)`, problem: (text) => (text.trim() === VIRTUAL_ALIAS_DOMAINS_DEFAULT ? null : routingParameterProblem('virtual_alias_domains', text) ?? (matchListKey('virtual_alias_domains', 'domain names') as Extract<KeyType, { kind: 'text' }>).problem?.(text) ?? null) },
    default: (v) => presetOf(v).virtual_alias_domains?.join(', ') ?? VIRTUAL_ALIAS_DOMAINS_DEFAULT,
    description: "the virtual alias domains (string_list): a recipient there is the virtual alias class (trivial-rewrite resolve.c resolve_addr(), before virtual_mailbox_domains and relay_domains), an authorized destination (smtpd_check.c permit_auth_destination(): RESOLVE_CLASS_FINAL), and with smtpd_reject_unlisted_recipient one that virtual_alias_maps does not find gets 550 5.1.1 <address>: Recipient address rejected: User unknown in virtual alias table (its transport is error:5.1.1 User unknown in virtual alias table; check_rcpt_maps()). A domain in two class lists gets the first one's class, and trivial-rewrite logs 'warning: do not list domain D in BOTH ...'. Postfix's default $virtual_alias_maps, the domains that are keys of that table (mail_params.h DEF_VIRT_ALIAS_DOMS); Mailu's main.cf: empty",
  },
  {
    name: 'postfix.virtual_alias_maps',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'empty (no table), or inline:{ key=value, ... }', problem: (text) => routingParameterProblem('virtual_alias_maps', text) },
    default: '',
    description: "the virtual aliases as an inline table: address=anything, user=anything (found at $myorigin and the local domains), @domain=anything; smtpd reads only whether an address is found: with smtpd_reject_unlisted_recipient a found address is known whatever its class, before the error and retry transports refuse it (smtpd_check.c check_rcpt_maps(), mail_addr_find()). Postfix's default $virtual_maps, empty (mail_params.h DEF_VIRT_ALIAS_MAPS); Mailu's socketmap is outside the lab",
  },
  {
    name: 'postfix.transport_maps',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'empty (no table), or inline:{ key=transport[:nexthop], ... } ({key = error:5.7.1 text with spaces} in braces)', problem: (text) => routingParameterProblem('transport_maps', text) },
    default: '',
    description: "each recipient's transport before its class's (trivial-rewrite transport.c transport_lookup(): user+ext@domain, user@domain, domain, its parents (.parent, or parent with parent_domain_matches_subdomains naming transport_maps), then *; not for the virtual alias class): an error:[dsn ]text or retry:[dsn ]text entry makes smtpd refuse the recipient at RCPT and VRFY when smtpd_reject_unlisted_recipient = yes, 550 (retry: 450) <address>: Recipient address rejected: text; error or retry without a text: 'Address is undeliverable'; :nexthop keeps the transport. Postfix's default empty (mail_params.h DEF_TRANSPORT_MAPS); Mailu's lmdb and socketmap tables are outside the lab",
  },
  {
    name: 'postfix.relayhost',
    type: { kind: 'text', pattern: /^[^\s$]*$/, allowed: 'empty, or a host without white space or $ (e.g. [relay.example.test]:587)' },
    default: '',
    description: "the nexthop of the relay and default classes when their transport names none (resolve.c resolve_addr()): smtpd shows it as the text when that transport is error or retry ('550 5.1.1 <address>: Recipient address rejected: [relay.example.test]' for default_transport = error). Postfix's default empty (mail_params.h DEF_RELAYHOST), Mailu's with no RELAYHOST too",
  },
  {
    name: 'postfix.proxy_interfaces',
    type: { kind: 'text', pattern: /^[\s\S]*$/, allowed: 'IPv4/IPv6 addresses separated by commas or spaces (empty: none)', problem: (text) => routingParameterProblem('proxy_interfaces', text) },
    default: '',
    description: "addresses smtpd counts as its own besides inet_interfaces (a NAT or proxy in front of it): a recipient at an [address] literal of one is the local class (global/resolve_local.c resolve_local(), own_inet_addr.c proxy_inet_addr()), an authorized destination looked up in local_recipient_maps. Postfix's default empty (mail_params.h DEF_PROXY_INTERFACES)",
  },
  {
    name: 'postfix.recipient_delimiter',
    type: { kind: 'text', pattern: /^\S*$/, allowed: 'characters without white space (empty: none)' },
    default: (v) => presetOf(v).recipient_delimiter,
    description: "characters that start an address extension: user+ext@domain is looked up in virtual_mailbox_maps as itself, then as user@domain (mail_addr_find(); Postfix's default empty, Mailu's +)",
  },
  {
    name: 'postfix.smtpd_discard_ehlo_keywords',
    type: { kind: 'text', pattern: /^[\s,A-Za-z0-9_-]*$/, allowed: 'EHLO keywords separated by commas or spaces (unknown ones are ignored, silent-discard stops the log line; empty: none)' },
    default: (v) => presetOf(v).smtpd_discard_ehlo_keywords.join(', '),
    description: "EHLO keywords smtpd leaves out of its reply and refuses as MAIL FROM options (ehlo_mask.c; smtpd.c ehlo_cmd). Postfix's default empty (mail_params.h DEF_SMTPD_EHLO_DIS_WORDS): PIPELINING is advertised; Mailu's 10025 service: pipelining, silent-discard (master.cf -o)",
  },
  {
    name: 'postfix.message_size_limit',
    // var_message_limit is a long (mail_params.h); the lab's numbers are exact up to 2^53 - 1.
    type: { kind: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER },
    default: (v) => presetOf(v).message_size_limit,
    description: "bytes: SIZE in the EHLO reply, MAIL FROM's SIZE= and the message itself over it get 552 5.3.4; 0: no limit. Postfix's default 10240000 (mail_params.h DEF_MESSAGE_LIMIT); Mailu's main.cf: 50000000",
  },
  // A deliberately broken backend, not a Postfix setting (models/postfix/injected-failure.ts).
  { name: 'postfix.fail_at', type: { kind: 'enum', values: ['none', ...FAIL_STEPS] }, default: 'none', description: 'lab fault: the handshake step at which smtpd fails (its first occurrence in a session), with postfix.fail_reply; none: smtpd behaves' },
  {
    name: 'postfix.fail_reply',
    type: { kind: 'text', pattern: FAIL_REPLY_PATTERN, allowed: "a one-line reply 'NNN text', disconnect (close without a word) or stall (answer nothing until the 18000 s watchdog)" },
    default: 'disconnect',
    description: 'lab fault: what smtpd does at postfix.fail_at instead of its own reply',
  },
  { name: 'postfix.fail_sessions', type: { kind: 'integer', min: 0, max: 1000 }, default: 0, description: "lab fault: the first N smtpd sessions fail at postfix.fail_at, later ones behave (a front's reconnect then succeeds); 0: every session" },
  {
    name: 'postfix.smtpd_client_connection_count_limit',
    type: { kind: 'integer', min: 0, max: 10_000 },
    default: 50,
    description: "connections one client address may hold at once (anvil), beyond which smtpd answers 421 4.7.0 Error: too many connections; 0: no limit; mynetworks is exempt (default 50)",
  },
  { name: 'postfix.smtpd_timeout', type: { kind: 'integer', min: 1, max: 86_400 }, default: 300, description: 'Postfix smtpd_timeout in seconds: how long smtpd waits for a silent client (default 300s)' },
  { name: 'postfix.smtpd_process_reused', type: yesNo, default: 'no', description: 'the smtpd process already served a session (as on consecutive real sessions): banner in 0.2 ms instead of postfix.banner_delay_ms, no first-EHLO cost' },
  {
    name: 'postfix.smtpd_upstream_proxy_protocol',
    type: { kind: 'text', pattern: /^(haproxy)?$/, allowed: 'empty (no upstream proxy, the default) or haproxy' },
    default: '',
    description: 'haproxy: smtpd reads a PROXY protocol header (v1 or v2) before the greeting and takes the client address from it',
  },
  { name: 'postfix.smtpd_upstream_proxy_timeout', type: { kind: 'integer', min: 1, max: 86_400 }, default: 5, description: 'Postfix smtpd_upstream_proxy_timeout in seconds: how long smtpd waits for the PROXY header (default 5s)' },
  { name: 'auth.latency_ms', type: milliseconds(MAX_DELAY_MS), default: 4.5, description: "time the Mailu auth service takes to answer (calibrate fits it from the capture's AUTH -> backend SYN less the lab's own part of that step)" },
  { name: 'auth.fault', type: { kind: 'enum', values: ['none', 'timeout', 'http500', 'refused'] }, default: 'none', description: 'auth service fault: never answers, HTTP 500, or no listener' },
  {
    name: 'auth.mailu_version',
    type: { kind: 'text', pattern: { test: isMailuRelease }, allowed: `a modelled Mailu release: ${MAILU_RELEASES_TEXT}` },
    default: DEFAULT_MAILU_RELEASE,
    description: "Mailu release of the auth path (its front's login.lua and admin's /internal/auth/email): from 2024.06.9 the credentials travel percent-encoded and are only unquoted (docs/versions.md)",
  },
  { name: 'tcp.profile', type: tcpProfiles, default: 'linux-default', description: 'TCP behaviour of the front -> Postfix link (the real-stack modes)' },
  { name: 'tcp.client_profile', type: tcpProfiles, default: 'linux-default', description: 'TCP behaviour of the client -> front link' },
  { name: 'tcp.one_way_delay_us', type: { kind: 'integer', min: 0, max: 10_000_000 }, default: 10, description: 'one-way delay of every link (loopback: ~10 µs)' },
  {
    name: 'sim.scheduling_jitter_us',
    type: { kind: 'integer', min: 0, max: 1_000_000 },
    default: 60,
    description: 'CPU scheduling noise of the front and Postfix: each of their timers fires up to this many µs late (seeded); 0 makes every race deterministic',
  },
  // sim/wakeup.ts: who runs first when the front's write wakes Postfix (or back). All 0: no such model.
  {
    name: 'sim.wakeup_preempt_per_mille',
    type: { kind: 'integer', min: 0, max: 1000 },
    default: 0,
    description: 'per mille of wake-ups in which the woken process (Postfix on XCLIENT) runs before the writer (Dovecot) writes again: the race is won (calibrate fits it)',
  },
  ...twoPieceMicros('sim.wakeup_latency', 'wake-up latency of a process woken on another CPU'),
  {
    name: 'sim.wakeup_busy_per_mille',
    type: { kind: 'integer', min: 0, max: 1000 },
    default: 0,
    description: 'per mille of sessions that run while the machine is busy (load comes in bursts longer than a session): drawn once per session (decision sessionUnderLoad); 0: every session alike (calibrate fits it)',
  },
  {
    name: 'sim.wakeup_busy_preempt_per_mille',
    type: { kind: 'integer', min: 0, max: 1000 },
    default: 0,
    description: 'sim.wakeup_preempt_per_mille of a session drawn busy (calibrate fits it)',
  },
  // sim/run-queue.ts: a woken process of any node (client and auth service too) waits for a CPU on a loaded machine. 0: never.
  {
    name: 'sim.run_queue_wait_per_mille',
    type: { kind: 'integer', min: 0, max: 1000 },
    default: 0,
    description: 'per mille of wake-ups (a process handed input while it sleeps) in which it waits in the run queue before it runs: the machine is loaded (calibrate fits it from the captures\' step gaps)',
  },
  {
    name: 'sim.run_queue_wait_quantiles_us',
    type: { kind: 'text', pattern: QUANTILE_LIST_PATTERN, allowed: QUANTILE_LIST_ALLOWED, problem: quantileListProblem },
    default: '0',
    description: 'run-queue wait of a woken process: its quantiles, drawn from the piecewise-linear inverse CDF through them (decision runQueueWaitUs; calibrate fits every 5th percentile of the captures\' waits)',
  },
  {
    name: 'sim.run_queue_idle_burst_per_mille',
    type: { kind: 'integer', min: 0, max: 1000 },
    default: 0,
    description: 'per mille of sessions not under load (the others of sim.wakeup_busy_per_mille, or every session without it) that run in a burst of load (waits cluster by session): drawn once per session (decision sessionInLoadBurst); 0: none (calibrate fits it)',
  },
  {
    name: 'sim.run_queue_busy_burst_per_mille',
    type: { kind: 'integer', min: 0, max: 1000 },
    default: 0,
    description: 'per mille of sessions under load (drawn by sim.wakeup_busy_per_mille) that run in a burst of load: the captures tie waits to lost races per batch (decision sessionInLoadBurst); 0: none (calibrate fits it)',
  },
  {
    name: 'sim.run_queue_burst_wait_per_mille',
    type: { kind: 'integer', min: 0, max: 1000 },
    default: 0,
    description: 'sim.run_queue_wait_per_mille of a session drawn in a burst (calibrate fits it)',
  },
];

const BY_NAME: ReadonlyMap<string, KeySpec> = new Map(SCENARIO_KEYS.map((spec) => [spec.name, spec]));

/** Keys that were replaced: a scenario giving one is refused with what to give instead. */
export const RETIRED_KEYS: ReadonlyMap<string, string> = new Map([
  ...['min', 'median', 'max'].map((q): [string, string] => [
    `sim.run_queue_wait_${q}_us`,
    'the run-queue wait is now drawn from its quantiles: give sim.run_queue_wait_quantiles_us instead (MIN,MEDIAN,MAX gives the same two-piece uniform; smtp-lab calibrate fits every 5th percentile)',
  ]),
  [
    'sim.run_queue_burst_per_mille',
    'the burst chance is now one per load state of the race: give sim.run_queue_idle_burst_per_mille and sim.run_queue_busy_burst_per_mille (both the same value gives the old draw; smtp-lab calibrate fits both)',
  ],
]);

export function keySpec(name: string): KeySpec | undefined {
  return BY_NAME.get(name);
}

/** The allowed values of a key in words, for error messages and help. */
export function allowedValues(type: KeyType): string {
  switch (type.kind) {
    case 'enum':
      return type.values.join(', ');
    case 'integer':
      return `an integer from ${type.min} to ${type.max}`;
    case 'number':
      return `a number from ${type.min} to ${type.max}`;
    case 'text':
      return type.allowed;
  }
}
