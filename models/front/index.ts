/* front - public surface of the front proxy models
 *
 * createFront(kind, config) builds one front proxy service:
 *   'dovecot-2.3' | 'dovecot-2.4' | 'lockstep'  -> Dovecot submission-login with that sequencing policy
 *                                                  (config: Partial<DovecotFrontConfig>, defaults = labDovecotConfig)
 *   'nginx'                                     -> nginx mail proxy (config: Partial<NginxFrontConfig>, defaults = mailuNginxConfig)
 */
import type { Model } from '../contract.ts';
import { labDovecotConfig, mailuNginxConfig, type DovecotFrontConfig, type FrontKind, type NginxFrontConfig } from './config.ts';
import { DovecotFront } from './dovecot-front.ts';
import { NginxFront } from './nginx-front.ts';
import { SEQUENCING } from './submission-proxy.ts';

export function createFront(kind: 'nginx', config?: Partial<NginxFrontConfig>): Model;
export function createFront(kind: Exclude<FrontKind, 'nginx'>, config?: Partial<DovecotFrontConfig>): Model;
export function createFront(kind: FrontKind, config?: Partial<DovecotFrontConfig> | Partial<NginxFrontConfig>): Model;
export function createFront(kind: FrontKind, config: Partial<DovecotFrontConfig> | Partial<NginxFrontConfig> = {}): Model {
  if (kind === 'nginx') {
    const nginx = config as Partial<NginxFrontConfig>;
    return new NginxFront({ ...mailuNginxConfig, ...nginx, timings: { ...mailuNginxConfig.timings, ...nginx.timings } });
  }
  const policy = SEQUENCING[kind];
  if (!policy) throw new Error(`unknown front kind ${String(kind)}`);
  return new DovecotFront(mergedDovecotConfig(config as Partial<DovecotFrontConfig>), policy);
}

/**
 * Whether the front writes EHLO behind XCLIENT without waiting for XCLIENT's reply (Dovecot's
 * submission proxy) or waits for every reply (the lock-step proxy; nginx's smtp proxy handler
 * moves one state per complete reply).
 */
export function pipelinesAfterXclient(kind: FrontKind): boolean {
  return kind !== 'nginx' && SEQUENCING[kind].pipelineEhloAfterXclient;
}

/** Merged configs by the caller's config object: a scenario hands the same one to every run. */
const mergedDovecotConfigs = new WeakMap<Partial<DovecotFrontConfig>, DovecotFrontConfig>();

function mergedDovecotConfig(dovecot: Partial<DovecotFrontConfig>): DovecotFrontConfig {
  let merged = mergedDovecotConfigs.get(dovecot);
  if (merged === undefined) {
    // Nested settings merge key by key, so a scenario may override one timing or the auth address alone.
    merged = {
      ...labDovecotConfig, ...dovecot,
      timings: { ...labDovecotConfig.timings, ...dovecot.timings },
      authHttp: { ...labDovecotConfig.authHttp, ...dovecot.authHttp },
    };
    mergedDovecotConfigs.set(dovecot, merged);
  }
  return merged;
}

export { labDovecotConfig, mailuNginxConfig, recordedDovecotTimings } from './config.ts';
export type { DovecotFrontConfig, DovecotTimings, FrontKind, NginxFrontConfig, AuthHttpSettings } from './config.ts';
export { buildXclientCommands, xtextEncode } from './xclient.ts';
export { SEQUENCING } from './submission-proxy.ts';
