/* front - public surface of the front proxy models
 *
 * createFront(kind, config) builds one front proxy service:
 *   'dovecot-2.3' | 'dovecot-2.4' | 'lockstep'  -> Dovecot submission-login with that sequencing policy
 *                                                  (config: Partial<DovecotFrontConfig>, defaults = labDovecotConfig)
 *   'nginx'                                     -> nginx mail proxy (config: Partial<NginxFrontConfig>, defaults = mailuNginxConfig)
 *   'haproxy'                                   -> HAProxy mode tcp (config: Partial<HaproxyFrontConfig>, defaults = edgeHaproxyConfig)
 */
import type { Model } from '../contract.ts';
import type { FrontKind } from './config.ts';
import { FRONT_MODELS, frontModel, type AnyFrontConfig, type FrontConfigOf } from './registry.ts';

export function createFront<K extends FrontKind>(kind: K, config?: Partial<FrontConfigOf<K>>): Model;
export function createFront(kind: FrontKind, config: Partial<AnyFrontConfig> = {}): Model {
  if (!(kind in FRONT_MODELS)) throw new Error(`unknown front kind ${String(kind)}`);
  return frontModel(kind).create(config);
}

/** Whether the front writes EHLO behind XCLIENT without waiting for XCLIENT's reply (its registry row). */
export function pipelinesAfterXclient(kind: FrontKind): boolean {
  return FRONT_MODELS[kind].pipelinesAfterXclient;
}

export { edgeHaproxyConfig, labDovecotConfig, mailuNginxConfig, recordedDovecotTimings } from './config.ts';
export { FRONT_KINDS } from './config.ts';
export type { DovecotFrontConfig, DovecotTimings, FrontKind, HaproxyFrontConfig, NginxFrontConfig, AuthHttpSettings } from './config.ts';
export { FRONT_MODELS, frontModel, type AnyFrontConfig, type FrontConfigOf, type FrontModelRow, type FrontPeers } from './registry.ts';
export { buildXclientCommands, xtextEncode } from './xclient.ts';
export { SEQUENCING } from './submission-proxy.ts';
