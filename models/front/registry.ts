/* front/registry - the front proxies the lab models: one row per kind with what the rest of the lab needs
 *
 * A row says how to build the model from its (partial) configuration, how to point it at an auth
 * service, whether it writes EHLO behind XCLIENT without waiting (the Mailu bug's premise), and
 * which Postfix services it can be sent to. Adding a front is a model file plus a row here and
 * one in scenarios/fronts.ts; the compiler refuses a kind in FRONT_KINDS without both rows.
 */
import type { Model, SocketAddress } from '../contract.ts';
import { FRONT_KINDS, labDovecotConfig, mailuNginxConfig, type DovecotFrontConfig, type FrontKind, type NginxFrontConfig } from './config.ts';
import { DovecotFront } from './dovecot-front.ts';
import { NginxFront } from './nginx-front.ts';
import { SEQUENCING, type SequencingPolicy } from './submission-proxy.ts';

export interface FrontModelRow<C> {
  readonly kind: FrontKind;
  /** The model with `config` over this front's defaults (nested settings merge key by key). */
  create(config: Partial<C>): Model;
  /** `config` with the auth service the front asks at `address`. */
  withAuthService(config: Partial<C>, address: SocketAddress): Partial<C>;
  /** Writes EHLO behind XCLIENT without waiting for XCLIENT's reply. */
  readonly pipelinesAfterXclient: boolean;
  /**
   * Can be sent to Postfix's port-25 service too: Mailu's get_server answers port 25 for
   * unauthenticated (smtp_auth none) sessions, which only nginx's port-25 listener opens.
   */
  readonly reachesPort25: boolean;
}

/** Merged configs by the caller's config object: a scenario hands the same one to every run. */
const mergedDovecotConfigs = new WeakMap<Partial<DovecotFrontConfig>, DovecotFrontConfig>();

function mergedDovecotConfig(dovecot: Partial<DovecotFrontConfig>): DovecotFrontConfig {
  let merged = mergedDovecotConfigs.get(dovecot);
  if (merged === undefined) {
    merged = {
      ...labDovecotConfig, ...dovecot,
      timings: { ...labDovecotConfig.timings, ...dovecot.timings },
      authHttp: { ...labDovecotConfig.authHttp, ...dovecot.authHttp },
    };
    mergedDovecotConfigs.set(dovecot, merged);
  }
  return merged;
}

/** Dovecot submission-login with one of its sequencing policies (submission-proxy.ts). */
function dovecotRow(kind: 'dovecot-2.3' | 'dovecot-2.4' | 'lockstep', policy: SequencingPolicy): FrontModelRow<DovecotFrontConfig> {
  return {
    kind,
    create: (config) => new DovecotFront(mergedDovecotConfig(config), policy),
    withAuthService: (config, address) => ({ ...config, authHttp: { ...(config.authHttp ?? labDovecotConfig.authHttp), address } }),
    pipelinesAfterXclient: policy.pipelineEhloAfterXclient,
    reachesPort25: false,
  };
}

const nginxRow: FrontModelRow<NginxFrontConfig> = {
  kind: 'nginx',
  create: (config) => new NginxFront({ ...mailuNginxConfig, ...config, timings: { ...mailuNginxConfig.timings, ...config.timings } }),
  withAuthService: (config, address) => ({ ...config, auth_http: { ...(config.auth_http ?? mailuNginxConfig.auth_http), address } }),
  // ngx_mail_proxy_module: one command per complete reply.
  pipelinesAfterXclient: false,
  reachesPort25: true,
};

export const FRONT_MODELS = {
  'dovecot-2.3': dovecotRow('dovecot-2.3', SEQUENCING['dovecot-2.3']),
  'dovecot-2.4': dovecotRow('dovecot-2.4', SEQUENCING['dovecot-2.4']),
  lockstep: dovecotRow('lockstep', SEQUENCING.lockstep),
  nginx: nginxRow,
} as const satisfies Readonly<Record<(typeof FRONT_KINDS)[number], { readonly kind: FrontKind; readonly pipelinesAfterXclient: boolean }>>;

/** The configuration type of a front kind. */
export type FrontConfigOf<K extends FrontKind> = (typeof FRONT_MODELS)[K] extends FrontModelRow<infer C> ? C : never;

/** The row of `kind`, for code that holds the kind as a value. Its config type is that kind's; callers pass that kind's config. */
export function frontModel(kind: FrontKind): FrontModelRow<DovecotFrontConfig | NginxFrontConfig> {
  return FRONT_MODELS[kind] as unknown as FrontModelRow<DovecotFrontConfig | NginxFrontConfig>;
}
