/* front/registry - the front proxies the lab models: one row per kind with what the rest of the lab needs
 *
 * A row says how to build the model from its (partial) configuration, how to point it at the
 * peers a run gives it (an auth service, a backend), how it passes the client's identity to
 * Postfix, whether it writes EHLO behind XCLIENT without waiting (the Mailu bug's premise), and
 * which Postfix services it can be sent to. Adding a front is a model file plus a row here and
 * one in scenarios/fronts.ts; the compiler refuses a kind in FRONT_KINDS without both rows
 * (docs/architecture.md, "Adding a front").
 */
import type { Model, SocketAddress } from '../contract.ts';
import {
  FRONT_KINDS, edgeHaproxyConfig, labDovecotConfig, mailuNginxConfig, type DovecotFrontConfig, type FrontKind, type HaproxyFrontConfig, type NginxFrontConfig,
} from './config.ts';
import { DovecotFront } from './dovecot-front.ts';
import { HaproxyFront } from './haproxy-front.ts';
import { dovecotAuthUsername } from './dovecot-auth-username.ts';
import { authHttpEscape, NginxFront } from './nginx-front.ts';
import { luaHeaderValue } from './passdb-lookup.ts';
import { DEFAULT_FRONT_RELEASE, dovecotBehaviour } from './releases.ts';
import { SEQUENCING, type SequencingPolicy } from './submission-proxy.ts';

/** Where a run put the front's peers (the socket runtime picks free ports). */
export interface FrontPeers {
  /** Mailu's auth service, for fronts that ask it where to send a client. */
  readonly authService: SocketAddress;
  /** Postfix's authenticated service, for fronts configured with a fixed server. */
  readonly backend: SocketAddress;
}

export interface FrontModelRow<C> {
  readonly kind: FrontKind;
  /** The model with `config` over this front's defaults (nested settings merge key by key). */
  create(config: Partial<C>): Model;
  /** `config` pointed at the peers of this run (each front takes the ones it talks to). */
  withPeers(config: Partial<C>, peers: FrontPeers): Partial<C>;
  /**
   * `config` with its wall clock `phaseUs` into the second at virtual time 0, for a front whose
   * behaviour depends on where in the second things happen (Dovecot's delayed failures compare
   * whole seconds: auth-failure-queue.ts). Absent: the front's behaviour does not depend on it.
   */
  withWallClockPhase?(config: Partial<C>, phaseUs: number): Partial<C>;
  /**
   * How Postfix learns who the client is: an XCLIENT command after the front's own handshake,
   * or a PROXY protocol header before any SMTP (smtpd_upstream_proxy_protocol). Properties about
   * the XCLIENT handshake apply to the first kind only.
   */
  readonly passesIdentityBy: 'xclient' | 'proxy-protocol';
  /** Asks Mailu's auth service about each login (else Postfix's own SASL logs the client in, or nobody does). */
  readonly asksAuthService: boolean;
  /**
   * The Auth-User header value this front sends the auth service for a client's login (its bytes,
   * one per character) at a Mailu release, or null where the front refuses the login before asking;
   * absent for a front that asks no auth service. What Mailu reads from it (Mailu #3364) decides
   * whether the login can succeed at all (properties/verdicts.ts mailuReadsLogin()).
   */
  authUserHeader?(login: string, mailuVersion: string): string | null;
  /** Writes EHLO behind XCLIENT without waiting for XCLIENT's reply. */
  readonly pipelinesAfterXclient: boolean;
  /**
   * Can be sent to Postfix's port-25 service too: Mailu's get_server answers port 25 for
   * unauthenticated (smtp_auth none) sessions, which only nginx's port-25 listener opens.
   */
  readonly reachesPort25: boolean;
}

/** Dovecot submission-login with one of its sequencing policies (submission-proxy.ts), imitating `defaultVersion` unless the config names a release. */
function dovecotRow(kind: 'dovecot-2.3' | 'dovecot-2.4' | 'lockstep', policy: SequencingPolicy, defaultVersion: string): FrontModelRow<DovecotFrontConfig> {
  /** Merged configs by the caller's config object: a scenario hands the same one to every run. */
  const merged = new WeakMap<Partial<DovecotFrontConfig>, DovecotFrontConfig>();
  const mergedConfig = (dovecot: Partial<DovecotFrontConfig>): DovecotFrontConfig => {
    let config = merged.get(dovecot);
    if (config === undefined) {
      config = {
        ...labDovecotConfig, version: defaultVersion, ...dovecot,
        timings: { ...labDovecotConfig.timings, ...dovecot.timings },
        authHttp: { ...labDovecotConfig.authHttp, ...dovecot.authHttp },
      };
      merged.set(dovecot, config);
    }
    return config;
  };
  /**
   * The last config withWallClockPhase() made: the merged config at a run's phase. A run draws its
   * phase and creates its front at once, so the create() that follows finds its config complete
   * here and takes it as it is, instead of merging the per-run copy again (which misses the cache
   * above, the copy being new each run, and costs a WeakMap entry per run).
   */
  let lastPhased: DovecotFrontConfig | null = null;
  return {
    kind,
    create: (config) => {
      const dovecot = config === lastPhased ? lastPhased : mergedConfig(config);
      // The release decides whether an XCLIENT failure is retried (releases.ts xclient_failure_not_retried);
      // the lock-step proxy is the lab's own design and keeps its policy. The policy object is read
      // at each creation, so a test that switches its sequencing sees the switch.
      const sequencing = kind === 'lockstep' ? policy : { ...policy, xclientFailureType: dovecotBehaviour(dovecot.version).xclientFailureType };
      return new DovecotFront(dovecot, sequencing);
    },
    withPeers: (config, { authService }) => ({ ...config, authHttp: { ...(config.authHttp ?? labDovecotConfig.authHttp), address: authService } }),
    withWallClockPhase: (config, clockPhaseUs) => {
      lastPhased = { ...mergedConfig(config), clockPhaseUs };
      return lastPhased;
    },
    passesIdentityBy: 'xclient',
    asksAuthService: true,
    // auth_request_set_username() (dovecot-auth-username.ts), then login.lua's header
    authUserHeader: (login, mailuVersion) => {
      const user = dovecotAuthUsername(login);
      return user === null ? null : luaHeaderValue(user, mailuVersion);
    },
    pipelinesAfterXclient: policy.pipelineEhloAfterXclient,
    reachesPort25: false,
  };
}

const nginxRow: FrontModelRow<NginxFrontConfig> = {
  kind: 'nginx',
  create: (config) => new NginxFront({ ...mailuNginxConfig, ...config, timings: { ...mailuNginxConfig.timings, ...config.timings } }),
  withPeers: (config, { authService }) => ({ ...config, auth_http: { ...(config.auth_http ?? mailuNginxConfig.auth_http), address: authService } }),
  passesIdentityBy: 'xclient',
  asksAuthService: true,
  authUserHeader: (login) => authHttpEscape(login),
  // ngx_mail_proxy_module: one command per complete reply.
  pipelinesAfterXclient: false,
  reachesPort25: true,
};

/** HAProxy mode tcp: asks no auth service, relays to its `server` line, sends no SMTP at all. */
const haproxyRow: FrontModelRow<HaproxyFrontConfig> = {
  kind: 'haproxy',
  create: (config) => new HaproxyFront({ ...edgeHaproxyConfig, ...config, timings: { ...edgeHaproxyConfig.timings, ...config.timings } }),
  withPeers: (config, { backend }) => ({ ...config, server: backend }),
  passesIdentityBy: 'proxy-protocol',
  asksAuthService: false,
  pipelinesAfterXclient: false,
  // One `server` line: the scenario points it at the authenticated service; port 25 is another listen section.
  reachesPort25: false,
};

export const FRONT_MODELS = {
  'dovecot-2.3': dovecotRow('dovecot-2.3', SEQUENCING['dovecot-2.3'], DEFAULT_FRONT_RELEASE['dovecot-2.3']),
  'dovecot-2.4': dovecotRow('dovecot-2.4', SEQUENCING['dovecot-2.4'], DEFAULT_FRONT_RELEASE['dovecot-2.4']),
  lockstep: dovecotRow('lockstep', SEQUENCING.lockstep, labDovecotConfig.version),
  nginx: nginxRow,
  haproxy: haproxyRow,
} as const satisfies Readonly<Record<(typeof FRONT_KINDS)[number], { readonly kind: FrontKind; readonly pipelinesAfterXclient: boolean }>>;

/** The configuration type of a front kind. */
export type FrontConfigOf<K extends FrontKind> = (typeof FRONT_MODELS)[K] extends FrontModelRow<infer C> ? C : never;

/** Any front's configuration: what code that holds the kind as a value passes around. */
export type AnyFrontConfig = FrontConfigOf<FrontKind>;

/** The row of `kind`, for code that holds the kind as a value. Its config type is that kind's; callers pass that kind's config. */
export function frontModel(kind: FrontKind): FrontModelRow<AnyFrontConfig> {
  return FRONT_MODELS[kind] as unknown as FrontModelRow<AnyFrontConfig>;
}
