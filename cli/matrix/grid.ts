/* grid - what `smtp-lab matrix` crosses: Postfix releases and settings × fronts × conditions
 *
 * Each axis value is a set of scenario keys over the base scenario, chosen where behaviour
 * changes (models/postfix/releases.ts gates, models/front/releases.ts):
 *   - Postfix: a release before the greeting-stage pipelining check (3.7.5), a back-port with the
 *     check off by default (3.7.11, Debian 12's line) and switched on, 3.9 where the default became
 *     yes and PR 3322's no, and the newest modelled release;
 *   - fronts: Dovecot 2.3 and 2.4 (both pipeline EHLO behind XCLIENT), the lock-step proxy, nginx;
 *   - conditions: loopback TCP with Linux's defaults, with quick-ACK, and a slow
 *     smtpd_authorized_xclient_hosts lookup (100 ms: the real stack's slowxclient runs).
 */
import { versionDefaults } from '../../models/postfix/config.ts';
import { missingParameter, postfixRelease } from '../../models/postfix/releases.ts';
import { defaultFrontRelease } from '../../scenarios/front-releases.ts';
import type { FrontKind } from '../../models/front/config.ts';

export interface AxisValue {
  /** Row or column heading. */
  readonly label: string;
  /** KEY=VALUE settings over the base scenario. */
  readonly sets: readonly string[];
}

/** Postfix `version` with smtpd_forbid_unauth_pipelining at the release's default, or at `forbid` when given. */
function postfix(version: string, forbid?: 'yes' | 'no'): AxisValue {
  const release = postfixRelease(version);
  if (missingParameter(release, 'smtpd_forbid_unauth_pipelining') !== null) {
    return { label: `Postfix ${version} (no pipelining check)`, sets: [`postfix.mail_version=${version}`] };
  }
  const value = forbid ?? (versionDefaults(version).smtpd_forbid_unauth_pipelining ? 'yes' : 'no');
  const how = forbid === undefined ? 'default' : 'set';
  return {
    label: `Postfix ${version}, smtpd_forbid_unauth_pipelining=${value} (${how})`,
    sets: [`postfix.mail_version=${version}`, `postfix.smtpd_forbid_unauth_pipelining=${value}`],
  };
}

function front(kind: FrontKind): AxisValue {
  const version = defaultFrontRelease(kind);
  // A front without releases (the lock-step proxy) reads no front.version at all.
  return version ? { label: `${kind} ${version}`, sets: [`front.model=${kind}`, `front.version=${version}`] } : { label: kind, sets: [`front.model=${kind}`] };
}

export const POSTFIX_AXIS: readonly AxisValue[] = [
  postfix('3.7.5'),
  postfix('3.7.11'),
  postfix('3.7.11', 'yes'),
  postfix('3.9.0'),
  postfix('3.9.0', 'no'),
  postfix('3.10.13'),
];

export const FRONT_AXIS: readonly AxisValue[] = (['dovecot-2.3', 'dovecot-2.4', 'lockstep', 'nginx'] as const).map(front);

export const CONDITION_AXIS: readonly AxisValue[] = [
  { label: 'linux-default', sets: ['tcp.profile=linux-default', 'postfix.xclient_lookup_ms=0'] },
  { label: 'quick-ACK', sets: ['tcp.profile=quickack', 'postfix.xclient_lookup_ms=0'] },
  { label: 'slow XCLIENT lookup (100 ms)', sets: ['tcp.profile=linux-default', 'postfix.xclient_lookup_ms=100'] },
];
