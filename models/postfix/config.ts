/* config - smtpd settings under their main.cf / master.cf names, version defaults, presets
 *
 * Keys are Postfix's own parameter names (postconf(5)); the lab-only timing knobs
 * (camelCase, unit last) model how long the real smtpd spends on each step. Their
 * defaults were measured on the real stack (Postfix 3.7.11 on loopback,
 * conformance/records/*.segments.txt), not guessed.
 */

import { listPatternError } from './address-list.js';
import { inlineTableProblemText, readInlineTable } from './inline-table.js';
import { DEBIAN_ACCOUNTS } from './debian-accounts.js';
import { isIP } from 'node:net';
import { transportProblem } from './transports.js';
import { TRANSPORT_PARAMETERS } from './resolve-transport.js';
import { parseRoutingParameter, ROUTING_DEFAULTS, ROUTING_PARAMETERS, type RoutingConfig } from './routing-config.js';
import { hasGate, missingParameter, postfixRelease, type PostfixRelease } from './releases.js';
import type { InjectedFailure } from './injected-failure.js';
import { parseReplyCode, parseRestrictionClasses, parseRestrictionList, parseSenderLoginMaps, REPLY_CODE_PARAMETERS, requiredRejectProblem, RESTRICTION_DEFAULTS, RESTRICTION_LISTS, RESTRICTION_PARAMETERS, type RestrictionConfig } from './restriction-config.js';
import { MILTER_CONTINUES, MILTER_DEFAULT_ACTIONS, type MilterDefaultAction, type MilterReplies } from './milter.js';

export type BareNewlineMode = 'no' | 'normalize' | 'yes' | 'note' | 'reject';

export interface PostfixTimings {
  /** connect -> 220 banner for the process's first session, excluding table lookups (A1/B1/B3: 11-16 ms). */
  readonly bannerDelayUs: number;
  /** connect -> 220 for later sessions of the same smtpd process (A2 reconnects: 0.22-0.32 ms). */
  readonly bannerReuseDelayUs: number;
  /** One smtpd_authorized_xclient_hosts lookup: at connect and again inside xclient_cmd (E1/E2 tcp: table: 100 ms). */
  readonly xclientLookupDelayUs: number;
  /**
   * XCLIENT read -> the greeting stage's pipelining check, when the lookup is free. With
   * xclientReplyDelayUs it makes A1's 46 us XCLIENT -> 220. Split at 30 us because the quick-ACK
   * captures bound the check to 28-39 us: an EHLO that arrived 28 us after XCLIENT was found
   * unread (A2 attempt 1; 12-21 us in attempts 2-3), while a 220 left 39 us after XCLIENT with
   * the EHLO still to come (A2 attempt 4).
   */
  readonly xclientDelayUs: number;
  /** The pipelining check after XCLIENT -> its 220 (or 554) is written (A1: 46 - 30 us). */
  readonly xclientReplyDelayUs: number;
  /** Milter setup/connect event before the 220 (only with smtpd_milters); unmeasured, lab knob. */
  readonly milterSetupDelayUs: number;
  /** The first EHLO this smtpd process answers (A1: 3.2 ms, A2: 2.4 ms; 0.15-0.35 ms in B1/B3/E1/E2). */
  readonly ehloFirstDelayUs: number;
  /** Later EHLO/HELO replies (20-60 us). */
  readonly ehloDelayUs: number;
  /** MAIL FROM (A1: 4.6 ms: cleanup connection, queue file). */
  readonly mailDelayUs: number;
  /** RCPT TO (A1: 4.5 ms: address verification, trivial-rewrite). */
  readonly rcptDelayUs: number;
  /** DATA -> 354 (A1: 140 us). */
  readonly dataDelayUs: number;
  /** end-of-data -> "250 ... queued as" (A1: 500 us). */
  readonly queueDelayUs: number;
  /** QUIT -> 221 (A1: 50 us); also used for the other short commands. */
  readonly quickDelayUs: number;
  /** SASL AUTH step (not measured in the lab runs; Dovecot auth socket round trip). */
  readonly authDelayUs: number;
}

/** The restriction lists and what their replies read are restriction-config.ts's (RestrictionConfig). */
export interface PostfixConfig extends RestrictionConfig, RoutingConfig {
  /** Which release to imitate: decides version defaults (e.g. "3.7.11", "3.9"). */
  readonly mail_version: string;
  readonly myhostname: string;
  /**
   * The domain smtpd's address rewriting appends to a recipient without one (rewrite.c rewrite_tree(),
   * append_at_myorigin; resolve-addr.ts resolvedRecipient()). Already expanded: Postfix's default is
   * $myhostname (mail_params.h DEF_MYORIGIN).
   */
  readonly myorigin: string;
  /** Already expanded ($myhostname replaced). */
  readonly smtpd_banner: string;
  /** CIDR list (IPv4 a.b.c.d/n or exact addresses). */
  readonly smtpd_authorized_xclient_hosts: readonly string[];
  readonly mynetworks: readonly string[];
  /** Address families smtpd accepts, e.g. in XCLIENT ADDR= (the lab: ipv4). */
  readonly inet_protocols: 'ipv4' | 'ipv6' | 'all';
  readonly smtpd_forbid_unauth_pipelining: boolean;
  /** Lower-case EHLO keywords to leave out; "silent-discard" only suppresses logging. */
  readonly smtpd_discard_ehlo_keywords: readonly string[];
  readonly smtpd_sasl_auth_enable: boolean;
  readonly smtpd_forbid_bare_newline: BareNewlineMode;
  /** Parameters whose host-name patterns match names below them ("example.test" matches mx.example.test): address-list.ts matchParentStyle(). */
  readonly parent_domain_matches_subdomains: readonly string[];
  /** Clients exempt from bare-newline detection; null means the default, $mynetworks (DEF_SMTPD_FORBID_BARE_LF_EXCL). */
  readonly smtpd_forbid_bare_newline_exclusions: readonly string[] | null;
  readonly smtpd_forbid_bare_newline_reject_code: number;
  readonly line_length_limit: number;
  /** Seconds. */
  readonly smtpd_timeout: number;
  readonly smtpd_hard_error_limit: number;
  readonly smtpd_soft_error_limit: number;
  /** Seconds smtpd sleeps before each reply once smtpd_soft_error_limit is reached. */
  readonly smtpd_error_sleep_time: number;
  /** Destinations that count as authorized for *_unauth_destination (exact domain match). */
  readonly mydestination: readonly string[];
  readonly virtual_mailbox_domains: readonly string[];
  /**
   * The keys of virtual_mailbox_maps (lower case), read from an inline:{ key=value, ... } table;
   * null: the parameter is empty (DEF_VIRT_MAILBOX_MAPS), so no recipient is looked up (rcpt-maps.ts).
   */
  readonly virtual_mailbox_maps: readonly string[] | null;
  /** The characters that end a local part's address extension (user+ext); empty: none (DEF_RCPT_DELIM). */
  readonly recipient_delimiter: string;
  /** The implicit reject_unlisted_recipient at the end of the RCPT restrictions (rcpt-maps.ts; default yes). */
  readonly smtpd_reject_unlisted_recipient: boolean;
  readonly relay_domains: readonly string[];
  /**
   * The delivery transport of each address class, as main.cf writes it (transport[:nexthop]; trivial-rewrite
   * resolve.c resolve_addr()); smtpd refuses a recipient whose transport is error or retry (transports.ts).
   */
  readonly local_transport: string;
  readonly virtual_transport: string;
  readonly relay_transport: string;
  readonly default_transport: string;
  /**
   * The addresses smtpd counts as its own: an [address] literal of one of them is the local class
   * (global/resolve_local.c resolve_local(), own_inet_addr.c). "all": the host's interfaces (the lab: the
   * loopback addresses and the address the client reached); "loopback-only": the loopback ones; else addresses.
   */
  readonly inet_interfaces: 'all' | 'loopback-only' | readonly string[];
  /**
   * The keys (lower case) of local_recipient_maps, the local class's table (rcpt-maps.ts); null: the
   * parameter is empty, so no local recipient is looked up. The lab reads no passwd or aliases table:
   * Postfix's default (proxy:unix:passwd.byname $alias_maps) is held as the accounts of a Debian 12 host
   * (DEBIAN_ACCOUNTS).
   */
  readonly local_recipient_maps: readonly string[] | null;
  readonly smtpd_junk_command_limit: number;
  /**
   * Connections one client address may hold at once (anvil; 0 = no limit). Default
   * (default_process_limit + 1) / 2 = 50 (mail_params.h DEF_SMTPD_CCONN_LIMIT).
   */
  readonly smtpd_client_connection_count_limit: number;
  /** Clients anvil does not limit; null means the default, $mynetworks (DEF_SMTPD_HOGGERS). */
  readonly smtpd_client_event_limit_exceptions: readonly string[] | null;
  /** Bytes; 0 = no limit. */
  readonly message_size_limit: number;
  readonly smtpd_helo_required: boolean;
  readonly disable_vrfy_command: boolean;
  /** "none" (the lab: no STARTTLS), "may" or "encrypt"; STARTTLS is a state change only. */
  readonly smtpd_tls_security_level: 'none' | 'may' | 'encrypt';
  readonly smtpd_tls_auth_only: boolean;
  /**
   * "haproxy": smtpd_peer_init() reads a PROXY protocol header (v1, or v2 from Postfix 3.5)
   * before anything else and takes the client's address and port from it; empty: none.
   */
  readonly smtpd_upstream_proxy_protocol: '' | 'haproxy';
  /** Seconds smtpd waits for that header (smtpd_haproxy.c read_wait; default 5s). */
  readonly smtpd_upstream_proxy_timeout: number;
  /** Milter names (any non-empty list makes smtpd contact milters at connect). */
  readonly smtpd_milters: readonly string[];
  /** What the lab's model milter answers at each stage (milter.ts); asked only with smtpd_milters. */
  readonly milterReplies: MilterReplies;
  /** What smtpd does when it cannot reach the milter (tempfail, reject, accept, quarantine; default tempfail). */
  readonly milter_default_action: MilterDefaultAction;
  /** Mechanisms the SASL server (Dovecot) offers: lab knob, the AUTH line of EHLO. */
  readonly saslMechanisms: readonly string[];
  /** user -> password, the lab's stand-in for the Dovecot passdb. */
  readonly saslUsers: Readonly<Record<string, string>>;
  /** address -> reverse-DNS name; absent means "unknown" (smtpd_peer.c). */
  readonly reverseDns: Readonly<Record<string, string>>;
  readonly timings: PostfixTimings;
  /**
   * The smtpd process already served a session (master.cf max_use/max_idle keep it alive): no
   * start-up before the banner and no first-EHLO cost (records/calibration default-a: SYN→banner
   * 11.2 ms on a batch's first session, 0.33 ms median on the next ones).
   */
  readonly processReused: boolean;
  /** The lab's deliberately broken backend (injected-failure.ts); null: smtpd behaves. */
  readonly injectedFailure: InjectedFailure | null;
}

/** Measured on the real stack (conformance raw/*.segments.txt, Postfix 3.7.11 on loopback). */
export const measuredTimings: PostfixTimings = {
  bannerDelayUs: 11_000,
  bannerReuseDelayUs: 200,
  xclientLookupDelayUs: 0,
  xclientDelayUs: 30,
  xclientReplyDelayUs: 16,
  milterSetupDelayUs: 1_000,
  ehloFirstDelayUs: 3_200,
  ehloDelayUs: 40,
  mailDelayUs: 4_600,
  rcptDelayUs: 4_500,
  dataDelayUs: 140,
  queueDelayUs: 500,
  quickDelayUs: 50,
  authDelayUs: 500,
};

/** The release as numbers; throws naming the modelled releases when it is not one (releases.ts). */
export function parseVersion(version: string): PostfixRelease {
  return postfixRelease(version);
}

/** Defaults that differ between releases (mail_params.h of each tag; the gates in releases.ts). */
export function versionDefaults(version: string): Pick<PostfixConfig, 'smtpd_forbid_unauth_pipelining' | 'smtpd_forbid_bare_newline' | 'milter_default_action'> {
  const release = parseVersion(version);
  return {
    // DEF_SMTPD_FORBID_UNAUTH_PIPE: 1 from v3.9.0, 0 in the back-ports; a release without the parameter never rejects.
    smtpd_forbid_unauth_pipelining: hasGate(release, 'forbid_unauth_pipelining_default_yes'),
    // DEF_SMTPD_FORBID_BARE_LF: "normalize" from v3.9.0, "no" (or 0) in the back-ports; absent before them: no detection.
    smtpd_forbid_bare_newline: hasGate(release, 'forbid_bare_newline_default_normalize') ? 'normalize' : 'no',
    // DEF_MILT_DEF_ACTION: "shutdown" from v3.7.20, v3.8.15, v3.9.9, v3.10.8; "tempfail" before.
    milter_default_action: hasGate(release, 'milter_default_action_shutdown') ? 'shutdown' : 'tempfail',
  };
}

/** Postfix's built-in defaults for one release (postconf -d). */
export function postfixDefaults(version = '3.9'): PostfixConfig {
  return {
    mail_version: version,
    myhostname: 'localhost',
    myorigin: 'localhost',
    smtpd_banner: 'localhost ESMTP Postfix',
    smtpd_authorized_xclient_hosts: [],
    mynetworks: ['127.0.0.0/8'],
    inet_protocols: 'all',
    ...versionDefaults(version),
    smtpd_discard_ehlo_keywords: [],
    smtpd_sasl_auth_enable: false,
    // mail_params.h DEF_PAR_DOM_MATCH (v3.7.11, v3.9.0, v3.10.13): "Backwards compatibility".
    parent_domain_matches_subdomains: ['debug_peer_list', 'fast_flush_domains', 'mynetworks', 'permit_mx_backup_networks', 'qmqpd_authorized_clients', 'relay_domains', 'smtpd_access_maps'],
    smtpd_forbid_bare_newline_exclusions: null,
    smtpd_forbid_bare_newline_reject_code: 550,
    line_length_limit: 2048,
    smtpd_timeout: 300,
    smtpd_hard_error_limit: 20,
    smtpd_soft_error_limit: 10,
    smtpd_error_sleep_time: 1,
    ...RESTRICTION_DEFAULTS,
    mydestination: ['localhost'],
    virtual_mailbox_domains: [],
    virtual_mailbox_maps: null,
    recipient_delimiter: '',
    // mail_params.h DEF_SMTPD_REJ_UNL_RCPT.
    smtpd_reject_unlisted_recipient: true,
    relay_domains: [],
    // mail_params.h DEF_LOCAL_TRANSPORT ("local:$myhostname"), DEF_VIRT_TRANSPORT, DEF_RELAY_TRANSPORT, DEF_DEF_TRANSPORT.
    local_transport: 'local:$myhostname',
    virtual_transport: 'virtual',
    relay_transport: 'relay',
    default_transport: 'smtp',
    // DEF_INET_INTERFACES: INET_INTERFACES_ALL.
    inet_interfaces: 'all',
    // DEF_LOCAL_RCPT_MAPS "proxy:unix:passwd.byname $alias_maps": the host's accounts (DEBIAN_ACCOUNTS; aliases: none).
    local_recipient_maps: DEBIAN_ACCOUNTS,
    ...ROUTING_DEFAULTS,
    smtpd_junk_command_limit: 100,
    smtpd_client_connection_count_limit: 50,
    smtpd_client_event_limit_exceptions: null,
    message_size_limit: 10_240_000,
    smtpd_helo_required: false,
    disable_vrfy_command: false,
    smtpd_tls_security_level: 'none',
    smtpd_tls_auth_only: false,
    smtpd_upstream_proxy_protocol: '',
    smtpd_upstream_proxy_timeout: 5,
    smtpd_milters: [],
    milterReplies: MILTER_CONTINUES,
    saslMechanisms: ['PLAIN', 'LOGIN'],
    saslUsers: {},
    reverseDns: { '127.0.0.1': 'localhost' },
    timings: measuredTimings,
    processReused: false,
    injectedFailure: null,
  };
}

/** The recorded real stack: raw/postconf-n.txt plus master.cf `-o smtpd_sasl_auth_enable=yes`. */
export function labPreset(overrides: Partial<PostfixConfig> = {}): PostfixConfig {
  return {
    ...postfixDefaults('3.7.11'),
    myhostname: 'backend.example.test',
    // myorigin = $mydomain, mydomain = example.test (conformance/real-stack/config.ts).
    myorigin: 'example.test',
    smtpd_banner: 'backend.example.test ESMTP lab-postfix',
    smtpd_authorized_xclient_hosts: ['127.0.0.0/8'],
    mynetworks: ['127.0.0.0/8'],
    inet_protocols: 'ipv4',
    smtpd_forbid_unauth_pipelining: true,
    smtpd_sasl_auth_enable: true,
    smtpd_helo_required: true,
    saslUsers: { 'alice@example.test': 'secret' },
    smtpd_relay_restrictions: ['permit_mynetworks', 'permit_sasl_authenticated', 'reject_unauth_destination'],
    mydestination: [],
    virtual_mailbox_domains: ['example.test'],
    // conformance/real-stack/config.ts: nothing leaves the machine; smtpd listens on 127.0.0.1 only.
    default_transport: 'error:5.7.1 no outbound delivery in this lab',
    relay_transport: 'error:5.7.1 no outbound delivery in this lab',
    inet_interfaces: ['127.0.0.1'],
    // alias_maps is empty there: local_recipient_maps is passwd.byname alone, Debian's accounts and the daemons' own.
    local_recipient_maps: [...DEBIAN_ACCOUNTS, 'postfix', 'dovecot', 'dovenull'],
    ...overrides,
  };
}

/**
 * Mailu's port-10025 service on Postfix 3.9, before PR 3322: master.cf `-o` options
 * (FACTS §1: smtpd_sasl_auth_enable=yes, smtpd_discard_ehlo_keywords=pipelining,silent-discard)
 * over core/postfix/conf/main.cf (helo required, relay restrictions, no mydestination,
 * the rspamd milter, MESSAGE_SIZE_LIMIT's default 50000000, SUBNET 192.168.203.0/24).
 */
export function mailuPreset(overrides: Partial<PostfixConfig> = {}): PostfixConfig {
  const version = overrides.mail_version ?? '3.9';
  return {
    ...postfixDefaults(version),
    myhostname: 'mail.example.test',
    // main.cf myorigin = $mydomain, mydomain = {{ DOMAIN }} (import/fixtures/mailu-2024.06/main.cf:12-14).
    myorigin: 'example.test',
    smtpd_banner: 'mail.example.test ESMTP Postfix',
    smtpd_authorized_xclient_hosts: ['192.168.203.0/24'],
    mynetworks: ['127.0.0.1/32', '[::1]/128', '192.168.203.0/24'],
    smtpd_sasl_auth_enable: true,
    smtpd_discard_ehlo_keywords: ['pipelining', 'silent-discard'],
    smtpd_helo_required: true,
    smtpd_relay_restrictions: ['permit_mynetworks', 'permit_sasl_authenticated', 'reject_unauth_destination'],
    mydestination: [],
    // main.cf virtual_alias_domains = (empty: the aliases are looked up through virtual_alias_maps in the virtual mailbox domains).
    virtual_alias_domains: [],
    virtual_mailbox_domains: ['example.test'],
    smtpd_milters: ['inet:antispam:11332'],
    message_size_limit: 50_000_000,
    // master.cf 10025: -o smtpd_reject_unlisted_recipient={{ REJECT_UNLISTED_RECIPIENT or 'no' }} (2.0.43 and 2024.06).
    smtpd_reject_unlisted_recipient: false,
    // main.cf recipient_delimiter = {{ RECIPIENT_DELIMITER }}, "+" in the setup wizard's mailu.env.
    recipient_delimiter: '+',
    // main.cf: "Mails are transported if required, then forwarded to Dovecot for delivery" (import/fixtures/mailu-2024.06/main.cf:85).
    virtual_transport: 'lmtp:inet:192.168.203.2:2525',
    ...overrides,
  };
}

const booleans: Record<string, boolean> = { yes: true, no: false };
/** bare_lf_mask_table at the back-ports (3.5.24 .. 3.8.5 on); 3.9.0 adds "note" (releases.ts forbid_bare_newline_note). */
const bareNewlineModes: readonly BareNewlineMode[] = ['no', 'normalize', 'yes', 'reject'];

function parseBoolean(key: string, value: string): boolean {
  const parsed = booleans[value.trim().toLowerCase()];
  if (parsed === undefined) throw new Error(`${key}: "${value}" is not a boolean; allowed: yes, no`);
  return parsed;
}

/**
 * The bounds smtpd's CONFIG_INT_TABLE gives these parameters (smtpd.c and global/mail_params.c, the
 * same at v3.5.0, v3.9.0 and v3.10.13); 0 is no bound. Outside them Postfix does not start:
 * check_mail_conf_int() (global/mail_conf_int.c) exits "invalid <name> parameter value <n> < <min>".
 */
export const PARAMETER_BOUNDS: Readonly<Record<string, readonly [min: number, max: number]>> = {
  line_length_limit: [512, 0],
  smtpd_soft_error_limit: [1, 0],
  smtpd_hard_error_limit: [1, 0],
  smtpd_junk_command_limit: [1, 0],
  smtpd_forbid_bare_newline_reject_code: [500, 599],
};

function parseCount(key: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new Error(`${key}: "${value}" is not a non-negative integer`);
  const n = Number(value.trim());
  const [min, max] = PARAMETER_BOUNDS[key] ?? [0, 0];
  if (min !== 0 && n < min) throw new Error(`${key}: Postfix refuses ${n} (check_mail_conf_int(): "invalid ${key} parameter value ${n} < ${min}")`);
  if (max !== 0 && n > max) throw new Error(`${key}: Postfix refuses ${n} (check_mail_conf_int(): "invalid ${key} parameter value ${n} > ${max}")`);
  return n;
}

/** Time values as postconf(5) writes them: a number with an optional s/m/h/d/w unit (default s). */
function parseSeconds(key: string, value: string): number {
  const match = /^(\d+)([smhdw]?)$/.exec(value.trim());
  if (!match) throw new Error(`${key}: "${value}" is not a time value; allowed: <number>[s|m|h|d|w]`);
  const unit: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  return Number(match[1]) * (unit[match[2] ?? ''] ?? 1);
}

/**
 * smtpd_forbid_bare_newline as the release reads it. The first back-ports (3.5.23, 3.6.13, 3.7.9,
 * 3.8.4) made it a boolean whose "yes" replied 521 and disconnected on any bare <LF>
 * (smtpd.c SMTP_ERR_LF); the lab models the later modes only, so that "yes" is refused, not
 * silently read as the later "normalize".
 */
function parseBareNewlineMode(release: PostfixRelease, raw: string): BareNewlineMode {
  const key = 'smtpd_forbid_bare_newline';
  const mode = raw.trim().toLowerCase() as BareNewlineMode;
  if (!hasGate(release, 'forbid_bare_newline_modes')) {
    if (mode === 'no') return mode;
    throw new Error(`${key}: "${raw}" on Postfix ${release.join('.')} is the first back-port's boolean (yes: 521 and disconnect), which the lab does not model; allowed here: no`);
  }
  const allowed = hasGate(release, 'forbid_bare_newline_note') ? [...bareNewlineModes, 'note'] : bareNewlineModes;
  if (!allowed.includes(mode)) {
    const from = mode === 'note' ? ' on Postfix ' + release.join('.') + ' (note came with 3.9.0, not back-ported)' : '';
    throw new Error(`${key}: "${raw}" is not allowed${from}; allowed: ${allowed.join(', ')}`);
  }
  return mode;
}

/**
 * A table parameter the lab can look up: empty (no table), or one inline:{ name=value, ... } table read as
 * dict_inline.c reads it (inline-table.ts readInlineTable()), whose names are the keys, case-folded as a
 * fixed table's are. Other types (hash:, socketmap:, static:, ...) hold keys the lab cannot see. What is
 * wrong with `raw`, or null.
 */
export function inlineTableProblem(key: string, raw: string): string | null {
  const value = raw.trim();
  if (value === '') return null;
  if (!value.startsWith('inline:{')) return `${key}: "${raw}": the lab looks up one inline:{ key=value, ... } table only (its keys are the table); other table types hold keys it cannot see`;
  const read = readInlineTable(value);
  if ('entries' in read) return null;
  const problem = read.problem;
  if (problem.kind === 'empty') return `${key}: ${value}: an inline table needs at least one name=value (dict_inline.c: "empty table")`;
  if (problem.kind === 'item') return `${key}: "${problem.item}" in ${value}: need name=value (dict_inline.c: "${problem.error}")`;
  return `${key}: ${inlineTableProblemText(value, problem)}`;
}

/**
 * inet_interfaces as own_inet_addr_init() (global/own_inet_addr.c, v3.7.11) reads it: exactly "all" or
 * "loopback-only" (strcmp()), else hosts, each of which must resolve (msg_fatal "host not found"); the lab
 * takes addresses only, as it resolves no names. What is wrong with `raw`, or null.
 */
export function inetInterfacesProblem(raw: string): string | null {
  const value = raw.trim();
  if (value === 'all' || value === 'loopback-only') return null;
  const hosts = parseList(value);
  if (hosts.length === 0) return `inet_interfaces: empty: Postfix would listen on no address; write all, loopback-only or addresses`;
  const name = hosts.find((host) => isIP(host) === 0);
  return name === undefined ? null : `inet_interfaces: "${name}" is not an IPv4 or IPv6 address: the lab resolves no host names (own_inet_addr.c: "host not found" for a name that does not resolve); allowed: all, loopback-only, or addresses`;
}

/** inet_interfaces checked (inetInterfacesProblem()), as the config holds it. */
export function parseInetInterfaces(raw: string): PostfixConfig['inet_interfaces'] {
  const problem = inetInterfacesProblem(raw);
  if (problem !== null) throw new Error(problem);
  const value = raw.trim();
  return value === 'all' || value === 'loopback-only' ? value : parseList(value);
}

/** A table's keys as a parameter value: an inline table whose values are the lab's placeholder (the model reads only the keys); empty for null. */
export function inlineTableText(keys: readonly string[] | null): string {
  return keys === null ? '' : `inline:{ ${keys.map((key) => `${key}=x`).join(', ')} }`;
}

/** The keys of an inline table (inlineTableProblem() says when there is none to read); null for an empty parameter. */
export function parseInlineTableKeys(key: string, raw: string): string[] | null {
  const problem = inlineTableProblem(key, raw);
  if (problem !== null) throw new Error(problem);
  const read = raw.trim() === '' ? null : readInlineTable(raw.trim());
  return read !== null && 'entries' in read ? Object.keys(read.entries) : null;
}

/** myorigin as stated: $myhostname expanded; another $parameter (Mailu's and Debian's $mydomain) is refused, as the lab holds no other to expand. */
function expandMyorigin(raw: string, myhostname: string): string {
  const value = raw.trim().replace(/\$(myhostname\b|\{myhostname\})/g, myhostname);
  if (value.includes('$')) throw new Error(`myorigin: "${raw}": the lab expands only $myhostname here; write the domain (postconf -h myorigin prints it)`);
  // mail_params.c: VAR_MYORIGIN's minimum length 1 (the real 3.7.11's cleanup: "fatal: bad string length 0 < 1: myorigin = ").
  if (value === '') throw new Error('myorigin: empty: Postfix does not start ("bad string length 0 < 1: myorigin = ")');
  return value;
}

/** A main.cf list: items separated by commas or white space. */
export function parseList(value: string): string[] {
  return value.split(/[\s,]+/).filter((item) => item.length > 0);
}

const stringKeys = ['myhostname', 'smtpd_banner', 'mail_version', 'recipient_delimiter'] as const;
const booleanKeys = ['smtpd_forbid_unauth_pipelining', 'smtpd_sasl_auth_enable', 'smtpd_helo_required', 'disable_vrfy_command', 'smtpd_tls_auth_only', 'smtpd_reject_unlisted_recipient'] as const;
const tlsLevels = ['none', 'may', 'encrypt'] as const;
const inetProtocols = ['ipv4', 'ipv6', 'all'] as const;
/** smtpd_peer.c smtpd_endpt_lookup_info: the one upstream proxy protocol smtpd knows. */
const upstreamProxyProtocols = ['', 'haproxy'] as const;
const countKeys = ['line_length_limit', 'smtpd_hard_error_limit', 'smtpd_soft_error_limit', 'smtpd_junk_command_limit', 'smtpd_client_connection_count_limit', 'message_size_limit', 'smtpd_forbid_bare_newline_reject_code'] as const;
const listKeys = ['smtpd_authorized_xclient_hosts', 'mynetworks', 'smtpd_forbid_bare_newline_exclusions', 'smtpd_milters', 'mydestination', 'virtual_mailbox_domains', 'relay_domains', 'smtpd_client_event_limit_exceptions', 'parent_domain_matches_subdomains'] as const;
/** Every list but smtpd_milters is a match list (namadr_list, domain_list, string_list: match_list_init()). */
const matchListKeys: readonly string[] = listKeys.filter((key) => key !== 'smtpd_milters');

export const knownKeys: readonly string[] = [
  ...stringKeys, ...booleanKeys, ...countKeys, ...listKeys,
  'smtpd_timeout', 'smtpd_upstream_proxy_timeout', 'smtpd_upstream_proxy_protocol', 'smtpd_forbid_bare_newline', 'smtpd_discard_ehlo_keywords', 'smtpd_tls_security_level', 'inet_protocols', 'smtpd_error_sleep_time', 'milter_default_action', 'virtual_mailbox_maps',
  'local_recipient_maps', 'inet_interfaces', 'myorigin', ...Object.values(TRANSPORT_PARAMETERS), ...RESTRICTION_PARAMETERS, ...ROUTING_PARAMETERS,
];

/**
 * Apply main.cf-style `name = value` strings on top of a base config. Version defaults
 * follow mail_version unless the same settings set the key explicitly. $myhostname in
 * smtpd_banner is expanded, as postconf would.
 */
export function parsePostfixConfig(settings: Readonly<Record<string, string>>, base: PostfixConfig = postfixDefaults()): PostfixConfig {
  const out: Record<string, unknown> = { ...base };
  if (settings.mail_version !== undefined) Object.assign(out, versionDefaults(settings.mail_version.trim()));
  const release = parseVersion(String(settings.mail_version?.trim() ?? base.mail_version));
  // smtpd_check_init(): each listed restriction class is its own parameter (parseRestrictionClasses()).
  const classes = settings.smtpd_restriction_classes === undefined ? null : parseRestrictionClasses(settings.smtpd_restriction_classes, (name) => settings[name]);
  if (classes !== null) out.smtpd_restriction_classes = classes;
  const restrictionClasses = (out.smtpd_restriction_classes ?? {}) as PostfixConfig['smtpd_restriction_classes'];
  for (const [key, raw] of Object.entries(settings)) {
    if (key === 'smtpd_restriction_classes' || (classes !== null && Object.hasOwn(classes, key))) continue;
    const missing = missingParameter(release, key);
    if (missing !== null) throw new Error(`${key}: ${missing}`);
    if ((stringKeys as readonly string[]).includes(key)) out[key] = raw.trim();
    else if ((booleanKeys as readonly string[]).includes(key)) out[key] = parseBoolean(key, raw);
    else if ((countKeys as readonly string[]).includes(key)) out[key] = parseCount(key, raw);
    else if ((listKeys as readonly string[]).includes(key)) {
      const list = parseList(raw);
      const error = matchListKeys.includes(key) ? listPatternError(key, list) : null;
      if (error !== null) throw new Error(error);
      out[key] = list;
    }
    else if (key === 'smtpd_timeout' || key === 'smtpd_error_sleep_time' || key === 'smtpd_upstream_proxy_timeout') out[key] = parseSeconds(key, raw);
    else if (key === 'smtpd_upstream_proxy_protocol') {
      // smtpd_peer_from_proxy() refuses any other name: msg_fatal("unsupported %s value: %s").
      const value = raw.trim();
      if (!(upstreamProxyProtocols as readonly string[]).includes(value)) throw new Error(`${key}: unsupported value "${raw}"; allowed: haproxy, or empty`);
      out[key] = value;
    }
    else if ((RESTRICTION_LISTS as readonly string[]).includes(key)) out[key] = parseRestrictionList(key, raw);
    else if ((REPLY_CODE_PARAMETERS as readonly string[]).includes(key)) out[key] = parseReplyCode(key, raw);
    else if (key === 'smtpd_delay_reject' || key === 'soft_bounce' || key === 'smtpd_reject_unlisted_sender') out[key] = parseBoolean(key, raw);
    else if (key === 'smtpd_sender_login_maps') out[key] = parseSenderLoginMaps(raw);
    else if (key === 'smtpd_discard_ehlo_keywords') out[key] = parseList(raw).map((word) => word.toLowerCase());
    else if (key === 'smtpd_forbid_bare_newline') {
      out[key] = parseBareNewlineMode(release, raw);
    } else if (key === 'smtpd_tls_security_level') {
      const level = raw.trim().toLowerCase();
      if (!(tlsLevels as readonly string[]).includes(level)) throw new Error(`${key}: "${raw}" is not allowed; allowed: ${tlsLevels.join(', ')}`);
      out[key] = level;
    } else if (key === 'milter_default_action') {
      // milter8.c milter8_comm_error() compares with strcasecmp(); any other word is a "Server configuration problem" the lab does not model.
      const action = raw.trim().toLowerCase();
      if (!(MILTER_DEFAULT_ACTIONS as readonly string[]).includes(action)) throw new Error(`${key}: "${raw}" is not modelled; allowed: ${MILTER_DEFAULT_ACTIONS.join(', ')}`);
      out[key] = action;
    } else if (key === 'virtual_mailbox_maps' || key === 'local_recipient_maps') {
      out[key] = parseInlineTableKeys(key, raw);
    } else if ((Object.values(TRANSPORT_PARAMETERS) as readonly string[]).includes(key)) {
      const problem = transportProblem(key, raw);
      if (problem !== null) throw new Error(problem);
      out[key] = raw.trim();
    } else if (key === 'inet_interfaces') {
      out[key] = parseInetInterfaces(raw);
    } else if ((ROUTING_PARAMETERS as readonly string[]).includes(key)) {
      out[key] = parseRoutingParameter(key as keyof RoutingConfig, raw);
    } else if (key === 'myorigin') {
      // expanded after the loop, once myhostname is known
    } else if (key === 'inet_protocols') {
      const value = raw.trim().toLowerCase();
      if (!(inetProtocols as readonly string[]).includes(value)) throw new Error(`${key}: "${raw}" is not allowed; allowed: ${inetProtocols.join(', ')}`);
      out[key] = value;
    } else throw new Error(`${key}: unknown parameter; known: ${knownKeys.join(', ')}`);
  }
  // smtpd_check_init(): smtpd does not start without a working reject among the RCPT restrictions.
  const required = requiredRejectProblem(out.smtpd_relay_restrictions as string[], out.smtpd_recipient_restrictions as string[], restrictionClasses);
  if (required !== null) throw new Error(required);
  out.smtpd_banner = String(out.smtpd_banner).replace(/\$\{?myhostname\}?/g, String(out.myhostname));
  // DEF_MYORIGIN "$myhostname": an unstated myorigin follows a stated myhostname, as long as the base's followed its own.
  if (settings.myorigin === undefined && base.myorigin === base.myhostname) out.myorigin = out.myhostname;
  else if (settings.myorigin !== undefined) out.myorigin = expandMyorigin(settings.myorigin, String(out.myhostname));
  return out as unknown as PostfixConfig;
}
