/* topology - where each component of a scenario sits and how it is configured
 *
 * The one place that turns scenario keys into model configurations and addresses, so the
 * simulator (run.ts) and the socket runtime build the same chain. Two layouts:
 *   - postfix.mail_version 3.7.11 with front.port 1587 is the recorded real stack
 *     (everything on 127.0.0.1, Postfix as in records/postconf-n.txt): names and bytes match
 *     conformance/records;
 *   - everything else is Mailu's Docker network (core/nginx, admin, smtp on one /24;
 *     the client outside it), Postfix configured as Mailu's main.cf/master.cf.
 * The layout matters beyond names: a client address outside smtpd_authorized_xclient_hosts
 * is what stops a logged-in client's own XCLIENT from changing its identity (FACTS §3).
 */
import type { KeepAlive, SocketAddress } from '../models/contract.ts';
import { labMilliseconds } from '../models/front/nginx-parse-time.ts';
import { parseSoKeepalive } from '../models/front/nginx-so-keepalive.ts';
import { nginxWords } from '../models/front/nginx-words.ts';
import { parseSmtpClientBuffer } from '../models/front/nginx-client-buffer.ts';
import { ScenarioError } from './errors.ts';
import { defaultAuthServiceConfig, type AuthServiceConfig } from '../models/auth/index.ts';
import { labDovecotConfig, mailuNginxConfig, type DovecotFrontConfig, type NginxFrontConfig } from '../models/front/index.ts';
import { parseInetInterfaces, parseInlineTableKeys, parseList, type PostfixConfig } from '../models/postfix/config.ts';
import { parseRoutingParameter } from '../models/postfix/routing-config.ts';
import { isRealStackValues, postfixPresetOf } from './layout.ts';
import { failActionOf, type InjectedFailure } from '../models/postfix/injected-failure.ts';
import { MILTER_STAGES, milterReplyOf, type MilterReplies, type MilterReply, type MilterStage } from '../models/postfix/milter.ts';
import { oncePerScenario } from './once-per-scenario.ts';
import { restrictionConfigOf } from './restriction-keys.ts';
import type { Scenario } from './scenario.ts';
import type { ScenarioKey } from './keys.ts';

export interface Hosts {
  readonly client: string;
  readonly front: string;
  readonly auth: string;
  readonly postfix: string;
}

const LOOPBACK: Hosts = { client: '127.0.0.1', front: '127.0.0.1', auth: '127.0.0.1', postfix: '127.0.0.1' };
/** Mailu's docker-compose subnet (192.168.203.0/24, as models/postfix mailuPreset) and a documentation-range client. */
const MAILU: Hosts = { client: '203.0.113.25', front: '192.168.203.2', auth: '192.168.203.3', postfix: '192.168.203.4' };

export const AUTH_PORT = 8080;
/** Mailu's smtpd for authenticated submission (master.cf `10025 inet ... smtpd -o smtpd_sasl_auth_enable=yes`). */
export const POSTFIX_SUBMISSION_PORT = 10025;
/** Mailu's port-25 smtpd, which nginx's smtp_auth-none proxy reaches (auth service backend choice). */
export const POSTFIX_SMTP_PORT = 25;

export function isRealStackLayout(scenario: Scenario): boolean {
  return isRealStackValues(scenario.get('postfix.mail_version'), scenario.get('front.port'));
}

export function hostsOf(scenario: Scenario): Hosts {
  return isRealStackLayout(scenario) ? LOOPBACK : MAILU;
}

export function frontAddress(scenario: Scenario): SocketAddress {
  return { host: hostsOf(scenario).front, port: scenario.get('front.port') };
}

const ms = (value: number) => Math.round(value * 1000);

/** postfix.fail_at, fail_reply and fail_sessions: the lab's broken backend, or null when it behaves. */
function injectedFailureOf(scenario: Scenario): InjectedFailure | null {
  const at = scenario.get('postfix.fail_at');
  return at === 'none' ? null : { at, action: failActionOf(scenario.get('postfix.fail_reply')), sessions: scenario.get('postfix.fail_sessions') };
}

/** Each stage's key (milter.ts MilterStage). */
export const MILTER_KEYS = {
  connect: 'postfix.milter_connect_reply',
  helo: 'postfix.milter_helo_reply',
  mail: 'postfix.milter_mail_reply',
  rcpt: 'postfix.milter_rcpt_reply',
  endOfMessage: 'postfix.milter_end_of_message_reply',
} as const satisfies Record<MilterStage, ScenarioKey>;

function milterRepliesOf(scenario: Scenario): MilterReplies {
  return Object.fromEntries(MILTER_STAGES.map((stage) => [stage, milterReplyOf(scenario.get(MILTER_KEYS[stage]))])) as Record<MilterStage, MilterReply>;
}

/** A milter is in smtpd_milters when it takes time or answers anything but continue. */
function milterConfigured(scenario: Scenario): boolean {
  return scenario.get('postfix.milter_ms') > 0 || MILTER_STAGES.some((stage) => scenario.get(MILTER_KEYS[stage]) !== 'continue');
}

export const postfixConfigOf = oncePerScenario(function postfixConfigOf(scenario: Scenario): PostfixConfig {
  const base = postfixPresetOf(scenario.get('postfix.mail_version'), scenario.get('front.port'));
  return {
    ...base,
    smtpd_forbid_unauth_pipelining: scenario.isOn('postfix.smtpd_forbid_unauth_pipelining'),
    smtpd_authorized_xclient_hosts: parseList(scenario.get('postfix.smtpd_authorized_xclient_hosts')),
    mynetworks: parseList(scenario.get('postfix.mynetworks')),
    mydestination: parseList(scenario.get('postfix.mydestination')),
    virtual_mailbox_domains: parseList(scenario.get('postfix.virtual_mailbox_domains')),
    relay_domains: parseList(scenario.get('postfix.relay_domains')),
    smtpd_helo_required: scenario.isOn('postfix.smtpd_helo_required'),
    smtpd_sasl_auth_enable: scenario.isOn('postfix.smtpd_sasl_auth_enable'),
    smtpd_soft_error_limit: scenario.get('postfix.smtpd_soft_error_limit'),
    smtpd_hard_error_limit: scenario.get('postfix.smtpd_hard_error_limit'),
    smtpd_error_sleep_time: scenario.get('postfix.smtpd_error_sleep_time'),
    smtpd_junk_command_limit: scenario.get('postfix.smtpd_junk_command_limit'),
    line_length_limit: scenario.get('postfix.line_length_limit'),
    disable_vrfy_command: scenario.isOn('postfix.disable_vrfy_command'),
    smtpd_reject_unlisted_recipient: scenario.isOn('postfix.smtpd_reject_unlisted_recipient'),
    ...restrictionConfigOf((key) => scenario.get(key)),
    virtual_mailbox_maps: parseInlineTableKeys('virtual_mailbox_maps', scenario.get('postfix.virtual_mailbox_maps')),
    recipient_delimiter: scenario.get('postfix.recipient_delimiter'),
    myorigin: scenario.get('postfix.myorigin'),
    local_recipient_maps: parseInlineTableKeys('local_recipient_maps', scenario.get('postfix.local_recipient_maps')),
    local_transport: scenario.get('postfix.local_transport').trim(),
    virtual_transport: scenario.get('postfix.virtual_transport').trim(),
    relay_transport: scenario.get('postfix.relay_transport').trim(),
    default_transport: scenario.get('postfix.default_transport').trim(),
    inet_interfaces: parseInetInterfaces(scenario.get('postfix.inet_interfaces')),
    virtual_alias_domains: parseRoutingParameter('virtual_alias_domains', scenario.get('postfix.virtual_alias_domains')) as PostfixConfig['virtual_alias_domains'],
    virtual_alias_maps: parseRoutingParameter('virtual_alias_maps', scenario.get('postfix.virtual_alias_maps')) as PostfixConfig['virtual_alias_maps'],
    transport_maps: parseRoutingParameter('transport_maps', scenario.get('postfix.transport_maps')) as PostfixConfig['transport_maps'],
    relayhost: scenario.get('postfix.relayhost'),
    proxy_interfaces: parseRoutingParameter('proxy_interfaces', scenario.get('postfix.proxy_interfaces')) as PostfixConfig['proxy_interfaces'],
    // Lower-cased as parsePostfixConfig() reads the parameter (ehlo_mask.c matches case-insensitively).
    smtpd_discard_ehlo_keywords: parseList(scenario.get('postfix.smtpd_discard_ehlo_keywords')).map((word) => word.toLowerCase()),
    message_size_limit: scenario.get('postfix.message_size_limit'),
    injectedFailure: injectedFailureOf(scenario),
    smtpd_client_connection_count_limit: scenario.get('postfix.smtpd_client_connection_count_limit'),
    smtpd_timeout: scenario.get('postfix.smtpd_timeout'),
    smtpd_upstream_proxy_protocol: scenario.get('postfix.smtpd_upstream_proxy_protocol'),
    smtpd_upstream_proxy_timeout: scenario.get('postfix.smtpd_upstream_proxy_timeout'),
    processReused: scenario.isOn('postfix.smtpd_process_reused'),
    smtpd_milters: milterConfigured(scenario) ? ['inet:milter:11332'] : [],
    milterReplies: milterRepliesOf(scenario),
    milter_default_action: scenario.get('postfix.milter_default_action'),
    saslUsers: { [scenario.get('client.user')]: 'secret', ...base.saslUsers },
    timings: {
      ...base.timings,
      bannerDelayUs: ms(scenario.get('postfix.banner_delay_ms')),
      bannerReuseDelayUs: scenario.get('postfix.banner_reuse_delay_us'),
      ehloDelayUs: scenario.get('postfix.ehlo_delay_us'),
      xclientLookupDelayUs: ms(scenario.get('postfix.xclient_lookup_ms')),
      milterSetupDelayUs: ms(scenario.get('postfix.milter_ms')),
    },
  };
});

export const authConfigOf = oncePerScenario(function authConfigOf(scenario: Scenario): AuthServiceConfig {
  const fault = scenario.get('auth.fault');
  return {
    ...defaultAuthServiceConfig,
    mailuVersion: scenario.get('auth.mailu_version'),
    SMTP_ADDRESS: hostsOf(scenario).postfix,
    IMAP_ADDRESS: hostsOf(scenario).postfix,
    latencyUs: ms(scenario.get('auth.latency_ms')),
    // 'refused' is no listener at all (run.ts leaves the auth node out), not a service fault.
    fault: fault === 'refused' ? 'none' : fault,
  };
});

export const dovecotConfigOf = oncePerScenario(function dovecotConfigOf(scenario: Scenario): DovecotFrontConfig {
  return {
    ...labDovecotConfig,
    // The lock-step proxy has no release of its own (front.version empty): it keeps the lab preset's.
    version: scenario.get('front.version') || labDovecotConfig.version,
    hostname: scenario.get('front.hostname'),
    login_greeting: scenario.get('front.login_greeting'),
    auth_mechanisms: scenario.get('front.auth_mechanisms').split(' ') as DovecotFrontConfig['auth_mechanisms'],
    submission_backend_capabilities: scenario.get('front.submission_backend_capabilities').split(/[\s,]+/).filter((name) => name !== ''),
    submission_max_mail_size: scenario.get('front.submission_max_mail_size'),
    submission_client_workarounds: scenario.get('front.submission_client_workarounds') === '' ? [] : ['exotic-backend'],
    auth_failure_delay: scenario.get('front.auth_failure_delay'),
    login_proxy_max_reconnects: scenario.get('front.login_proxy_max_reconnects'),
    login_proxy_timeout: scenario.get('front.login_proxy_timeout'),
    authHttp: { ...labDovecotConfig.authHttp, address: { host: hostsOf(scenario).auth, port: AUTH_PORT }, mailuVersion: scenario.get('auth.mailu_version') },
    timings: { ...labDovecotConfig.timings, commandReplyDelayUs: scenario.get('front.command_reply_delay_us'), bannerReactionUs: scenario.get('front.banner_reaction_us'), ehloReactionUs: scenario.get('front.ehlo_reaction_us') },
  };
});

/** front.proxy_timeout or front.timeout in ms (the key's check refused what nginx or the lab's clock cannot take). */
function nginxMillisecondsOf(key: 'front.proxy_timeout' | 'front.timeout', value: string): number {
  const ms = labMilliseconds(key.slice('front.'.length), value);
  if (typeof ms === 'string') throw new ScenarioError(`${key}: ${ms}`, key);
  return ms;
}

/** front.smtp_capabilities' words (the key's check refused what nginxWords() cannot read). */
function nginxWordsOf(value: string): string[] {
  const words = nginxWords(value);
  if (typeof words === 'string') throw new ScenarioError(`front.smtp_capabilities: ${words}`, 'front.smtp_capabilities');
  return words;
}

/** front.so_keepalive: empty is a listen line without the parameter (SO_KEEPALIVE left off). */
function soKeepaliveOf(value: string): KeepAlive {
  if (value === '') return false;
  const parsed = parseSoKeepalive(value);
  if (typeof parsed === 'string') throw new ScenarioError(`front.so_keepalive: ${parsed}`, 'front.so_keepalive');
  return parsed;
}

export const nginxConfigOf = oncePerScenario(function nginxConfigOf(scenario: Scenario): NginxFrontConfig {
  const smtpAuth = scenario.get('front.smtp_auth').split(' ') as NginxFrontConfig['smtp_auth'];
  return {
    ...mailuNginxConfig,
    version: scenario.get('front.version'),
    server_name: scenario.get('front.server_name'),
    smtp_auth: smtpAuth,
    smtp_capabilities: nginxWordsOf(scenario.get('front.smtp_capabilities')),
    proxy_pass_error_message: scenario.isOn('front.proxy_pass_error_message'),
    timeout: nginxMillisecondsOf('front.timeout', scenario.get('front.timeout')),
    smtp_client_buffer: parseSmtpClientBuffer(scenario.get('front.smtp_client_buffer'))!,
    xclient: scenario.isOn('front.xclient'),
    max_errors: scenario.get('front.max_errors'),
    so_keepalive: soKeepaliveOf(scenario.get('front.so_keepalive')),
    proxy_timeout: nginxMillisecondsOf('front.proxy_timeout', scenario.get('front.proxy_timeout')),
    auth_http: { ...mailuNginxConfig.auth_http, address: { host: hostsOf(scenario).auth, port: AUTH_PORT } },
    auth_http_header: [['Auth-Port', String(scenario.get('front.port'))]],
  };
});
