/* front-releases - which releases front.version accepts for each front, and the release checks of a loaded scenario
 *
 * The releases themselves and what each changes are the models' (models/front/releases.ts,
 * models/postfix/releases.ts); this file says which of them a scenario may name (the front rows
 * of fronts.ts carry these lists), and refuses a
 * postfix.* setting whose parameter the chosen Postfix release does not have, naming the first
 * releases that have it.
 */
import type { FrontKind } from '../models/front/config.ts';
import { DEFAULT_FRONT_RELEASE, DOVECOT_BUILDS, DOVECOT_FRONT_RELEASES, NGINX_RELEASES, releasesText } from '../models/front/releases.ts';
import { missingParameter, postfixRelease } from '../models/postfix/releases.ts';
import { ScenarioError } from './errors.ts';
import type { Scenario } from './scenario.ts';

/** front.version's allowed values per front; an empty list: the front has no release, front.version stays empty. */
export const FRONT_RELEASES: Readonly<Record<FrontKind, readonly string[]>> = {
  'dovecot-2.3': DOVECOT_FRONT_RELEASES.filter((release) => release.startsWith('2.3.')),
  'dovecot-2.4': DOVECOT_FRONT_RELEASES.filter((release) => release.startsWith('2.4.')),
  lockstep: [],
  nginx: NGINX_RELEASES,
  haproxy: [],
};

/** The releases in words; a distribution build, which a range of tags would hide, is named after them. */
export function releasesOf(kind: FrontKind): string {
  const releases = FRONT_RELEASES[kind];
  if (releases.length === 0) return 'none (leave front.version empty)';
  return [releasesText(releases), ...releases.filter((release) => release in DOVECOT_BUILDS)].join(', ');
}

export const FRONT_RELEASES_TEXT = (Object.keys(FRONT_RELEASES) as FrontKind[]).map((kind) => `${kind}: ${releasesOf(kind)}`).join('; ');

export function defaultFrontRelease(kind: FrontKind): string {
  return kind in DEFAULT_FRONT_RELEASE ? DEFAULT_FRONT_RELEASE[kind as keyof typeof DEFAULT_FRONT_RELEASE] : '';
}

/** Refuse postfix.* settings whose parameter the chosen Postfix release does not have (front.version: fronts.ts checkFrontKeys). */
export function checkReleases(scenario: Scenario): void {
  const release = postfixRelease(scenario.get('postfix.mail_version'));
  for (const key of scenario.given) {
    if (!key.startsWith('postfix.')) continue;
    const missing = missingParameter(release, key.slice('postfix.'.length));
    if (missing !== null) throw new ScenarioError(`${key}: ${missing} (postfix.mail_version=${scenario.get('postfix.mail_version')})`, key);
  }
}
