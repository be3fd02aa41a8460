/* fronts - each front proxy as a scenario sees it: which keys it reads and how they configure it
 *
 * The scenario half of the front registry (models/front/registry.ts is the model half): the
 * simulator, the socket runtime and `smtp-lab keys` read the front of a scenario through this
 * table only. A scenario that gives a front.* key its front does not read is refused with the
 * fronts that do read it, rather than silently ignored.
 */
import { edgeHaproxyConfig, type HaproxyFrontConfig } from '../models/front/config.ts';
import { tcpkaKeepAlive, type TcpKaSettings } from '../models/front/haproxy-tcpka.ts';
import { FRONT_MODELS, type AnyFrontConfig, type FrontKind } from '../models/front/index.ts';
import { ScenarioError } from './errors.ts';
import { FRONT_RELEASES, releasesOf } from './front-releases.ts';
import type { ScenarioKey } from './keys.ts';
import { oncePerScenario } from './once-per-scenario.ts';
import type { Scenario } from './scenario.ts';
import { POSTFIX_SUBMISSION_PORT, dovecotConfigOf, hostsOf, nginxConfigOf } from './topology.ts';

export interface FrontScenarioRow {
  /** The front.* keys this front reads (front.model and front.port are every front's). */
  readonly keys: readonly ScenarioKey[];
  /** The releases front.version may name (none: the front has no release to choose). */
  readonly releases: readonly string[];
  /** The front's configuration for `scenario` (its auth service at the scenario's own address). */
  configOf(scenario: Scenario): Partial<AnyFrontConfig>;
}

const EVERY_FRONT: readonly ScenarioKey[] = ['front.model', 'front.port'];
/** Dovecot's settings a deployment states (docs/front-settings.md), then the lab's measured reaction times. */
const DOVECOT_KEYS: readonly ScenarioKey[] = [
  ...EVERY_FRONT, 'front.hostname', 'front.login_greeting', 'front.auth_mechanisms', 'front.submission_backend_capabilities', 'front.submission_max_mail_size',
  'front.submission_client_workarounds', 'front.auth_failure_delay', 'front.login_proxy_max_reconnects', 'front.login_proxy_timeout',
  'front.command_reply_delay_us', 'front.banner_reaction_us', 'front.ehlo_reaction_us',
];
const NGINX_KEYS: readonly ScenarioKey[] = [
  ...EVERY_FRONT, 'front.version', 'front.server_name', 'front.smtp_auth', 'front.smtp_capabilities', 'front.smtp_client_buffer', 'front.xclient', 'front.max_errors', 'front.timeout',
  'front.proxy_timeout', 'front.proxy_pass_error_message', 'front.so_keepalive',
];
const dovecot = (releases: readonly string[]): FrontScenarioRow => ({ keys: [...DOVECOT_KEYS, 'front.version'], releases, configOf: dovecotConfigOf });

/** HAProxy's `server` line points at Postfix's authenticated service, where Postfix's own SASL logs the client in. */
const haproxyConfigOf = oncePerScenario(function haproxyConfigOf(scenario: Scenario): HaproxyFrontConfig {
  return {
    ...edgeHaproxyConfig,
    server: { host: hostsOf(scenario).postfix, port: POSTFIX_SUBMISSION_PORT },
    send_proxy: scenario.get('front.send_proxy'),
    timeout_connect: noneIfZero(scenario.get('front.timeout_connect')),
    timeout_client: noneIfZero(scenario.get('front.timeout_client')),
    timeout_server: noneIfZero(scenario.get('front.timeout_server')),
    retries: scenario.get('front.retries'),
    clitcpka: tcpkaKeepAlive('cli', tcpkaOf(scenario, 'cli')),
    srvtcpka: tcpkaKeepAlive('srv', tcpkaOf(scenario, 'srv')),
  };
});

/** `timeout <side> 0` is TICK_ETERNITY, no timeout (src/proxy.c proxy_parse_timeout(): MS_TO_TICKS(0)). */
const noneIfZero = (ms: number): number | null => (ms === 0 ? null : ms);

function tcpkaOf(scenario: Scenario, side: 'cli' | 'srv'): TcpKaSettings {
  return {
    enabled: scenario.get(`front.${side}tcpka`) === 'on',
    idle: scenario.get(`front.${side}tcpka_idle`),
    intvl: scenario.get(`front.${side}tcpka_intvl`),
    cnt: scenario.get(`front.${side}tcpka_cnt`),
  };
}

const TCPKA_KEYS: readonly ScenarioKey[] = (['cli', 'srv'] as const).flatMap((side) => [`front.${side}tcpka`, `front.${side}tcpka_idle`, `front.${side}tcpka_intvl`, `front.${side}tcpka_cnt`] as const);

export const FRONT_SCENARIOS = {
  'dovecot-2.3': dovecot(FRONT_RELEASES['dovecot-2.3']),
  'dovecot-2.4': dovecot(FRONT_RELEASES['dovecot-2.4']),
  // The lab's own fixed proxy: Dovecot's settings, no release.
  lockstep: { keys: DOVECOT_KEYS, releases: FRONT_RELEASES.lockstep, configOf: dovecotConfigOf },
  nginx: { keys: NGINX_KEYS, releases: FRONT_RELEASES.nginx, configOf: nginxConfigOf },
  haproxy: { keys: [...EVERY_FRONT, 'front.send_proxy', 'front.timeout_connect', 'front.timeout_client', 'front.timeout_server', 'front.retries', ...TCPKA_KEYS], releases: FRONT_RELEASES.haproxy, configOf: haproxyConfigOf },
} as const satisfies Readonly<Record<keyof typeof FRONT_MODELS, FrontScenarioRow>>;

/** Refuse front.* keys the scenario gave that its front does not read. */
export function checkFrontKeys(scenario: Scenario): void {
  const kind = scenario.get('front.model');
  const reads = FRONT_SCENARIOS[kind].keys;
  for (const key of scenario.given) {
    if (!key.startsWith('front.') || reads.includes(key)) continue;
    const readers = (Object.keys(FRONT_SCENARIOS) as FrontKind[]).filter((other) => FRONT_SCENARIOS[other].keys.includes(key));
    throw new ScenarioError(`${key} is a setting of ${readers.join(', ')}; this scenario's front is ${kind}, which reads ${reads.join(', ')}`, key);
  }
  const version = scenario.get('front.version');
  const { releases } = FRONT_SCENARIOS[kind];
  if (releases.length === 0 ? version !== '' : !releases.includes(version)) {
    throw new ScenarioError(`front.version: '${version}' is not a release of ${kind}; allowed: ${releasesOf(kind)}`, 'front.version');
  }
}
