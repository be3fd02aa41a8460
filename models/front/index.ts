/* front - public surface of the front proxy models
 *
 * createFront(kind, config) builds one front proxy service:
 *   'dovecot-2.3' | 'dovecot-2.4' | 'lockstep'  -> Dovecot submission-login with that sequencing policy
 *                                                  (config: Partial<DovecotFrontConfig>, defaults = labDovecotConfig)
 *   'nginx'                                     -> nginx mail proxy (config: Partial<NginxFrontConfig>, defaults = mailuNginxConfig)
 */
import type { Model } from '../contract.ts';
import type { DovecotFrontConfig, FrontKind, NginxFrontConfig } from './config.ts';
import { FRONT_MODELS, frontModel } from './registry.ts';

export function createFront(kind: 'nginx', config?: Partial<NginxFrontConfig>): Model;
export function createFront(kind: Exclude<FrontKind, 'nginx'>, config?: Partial<DovecotFrontConfig>): Model;
export function createFront(kind: FrontKind, config?: Partial<DovecotFrontConfig> | Partial<NginxFrontConfig>): Model;
export function createFront(kind: FrontKind, config: Partial<DovecotFrontConfig> | Partial<NginxFrontConfig> = {}): Model {
  if (!(kind in FRONT_MODELS)) throw new Error(`unknown front kind ${String(kind)}`);
  return frontModel(kind).create(config);
}

/** Whether the front writes EHLO behind XCLIENT without waiting for XCLIENT's reply (its registry row). */
export function pipelinesAfterXclient(kind: FrontKind): boolean {
  return FRONT_MODELS[kind].pipelinesAfterXclient;
}

export { labDovecotConfig, mailuNginxConfig, recordedDovecotTimings } from './config.ts';
export { FRONT_KINDS } from './config.ts';
export type { DovecotFrontConfig, DovecotTimings, FrontKind, NginxFrontConfig, AuthHttpSettings } from './config.ts';
export { FRONT_MODELS, frontModel, type FrontConfigOf, type FrontModelRow } from './registry.ts';
export { buildXclientCommands, xtextEncode } from './xclient.ts';
export { SEQUENCING } from './submission-proxy.ts';
