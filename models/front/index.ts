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
  if (kind === 'nginx') return new NginxFront({ ...mailuNginxConfig, ...(config as Partial<NginxFrontConfig>) });
  const policy = SEQUENCING[kind];
  if (!policy) throw new Error(`unknown front kind ${String(kind)}`);
  return new DovecotFront({ ...labDovecotConfig, ...(config as Partial<DovecotFrontConfig>) }, policy);
}

export { labDovecotConfig, mailuNginxConfig, recordedDovecotTimings } from './config.ts';
export type { DovecotFrontConfig, DovecotTimings, FrontKind, NginxFrontConfig, AuthHttpSettings } from './config.ts';
export { buildXclientCommands, xtextEncode } from './xclient.ts';
export { SEQUENCING } from './submission-proxy.ts';
