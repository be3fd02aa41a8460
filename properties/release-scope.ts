/* release-scope - the releases a property holds for, and the ones its traces draw on a scenario
 *
 * Each property states its scope (suite.ts `holdsOn`):
 *  - 'every-release': it must hold on every modelled release it applies to, so its traces draw
 *    the Postfix release, the front's release and the Mailu release of the scenario's own line
 *    (2024.06.x; the one modelled 2.0 release draws nothing) too (arbitraries/releases.ts). The candidates
 *    are the releases on which the property applies to the scenario (`appliesTo`: 'bug-exists'
 *    draws only releases that refuse improper pipelining, 3.9.0 on unless the scenario sets
 *    smtpd_forbid_unauth_pipelining) and on which the scenario's own settings exist
 *    (checkReleases: a scenario that sets smtpd_forbid_unauth_pipelining draws no release
 *    before the parameter). A release the user named (--set, a scenario file) is never drawn over.
 *  - 'scenario-release': the scenario's releases only. The differential compares the same traces
 *    on two scenarios, which must differ only in what makes each of them what it is.
 */
import { releaseLineOf, releasesText } from '../models/front/releases.ts';
import { MAILU_RELEASES } from '../models/auth/releases.ts';
import { POSTFIX_LINES, postfixRelease } from '../models/postfix/releases.ts';
import { FRONT_RELEASES, checkReleases } from '../scenarios/front-releases.ts';
import { definitionOf, resolveScenario, ScenarioError, type Scenario, type ScenarioValues } from '../scenarios/index.ts';
import { releaseLine } from '../scenarios/release-line.ts';
import type { CoverageClass } from './coverage.ts';

export type ReleaseScope = 'every-release' | 'scenario-release';

/** A trace's drawn releases; a key left out is the scenario's own. */
export type ReleaseChoice = Readonly<Partial<Pick<ScenarioValues, 'postfix.mail_version' | 'front.version' | 'auth.mailu_version'>>>;

/** The releases other than the scenario's own that a trace may draw. */
export interface ReleaseCandidates {
  readonly postfix: readonly string[];
  readonly front: readonly string[];
  readonly mailu: readonly string[];
}

/** The coverage class of a trace that ran on releases other than the scenario's own. */
export const RELEASE_DRAWN: CoverageClass = 'release:drawn';

/** What release-scope needs of a property (suite.ts LabProperty). */
export interface ScopedProperty {
  readonly holdsOn: ReleaseScope;
  appliesTo(scenario: Scenario): string | null;
}

/** Every modelled Postfix release, oldest first (releases.ts POSTFIX_LINES: v<line>.0 .. v<line>.<latest>). */
const POSTFIX_RELEASES: readonly string[] = POSTFIX_LINES.flatMap(({ line: [a, b], latest }) => Array.from({ length: latest + 1 }, (_, patch) => `${a}.${b}.${patch}`));

/** The scenario with the drawn releases in place of its own; the defaults that follow the release (smtpd_forbid_unauth_pipelining...) follow it. */
export function atReleases(base: Scenario, releases: ReleaseChoice): Scenario {
  const definition = definitionOf(base);
  return resolveScenario({ ...definition, values: { ...definition.values, ...releases } });
}

/** Does the property apply on `base` at these releases, with every setting the scenario gives existing there? */
function holdsThere(property: ScopedProperty, base: Scenario, releases: ReleaseChoice): boolean {
  const there = atReleases(base, releases);
  try {
    checkReleases(there);
  } catch (error) {
    if (error instanceof ScenarioError) return false;
    throw error;
  }
  return property.appliesTo(there) === null;
}

export function releaseCandidates(property: ScopedProperty, scenario: Scenario): ReleaseCandidates {
  if (property.holdsOn === 'scenario-release') return { postfix: [], front: [], mailu: [] };
  const postfix = scenario.pinned.has('postfix.mail_version') ? [] : POSTFIX_RELEASES;
  const front = scenario.pinned.has('front.version') ? [] : FRONT_RELEASES[scenario.get('front.model')];
  // Patch releases of the scenario's own Mailu line: a Mailu release ships its own front (2.0 nginx, 2024.06 Dovecot).
  const ownMailu = scenario.get('auth.mailu_version');
  const mailu = scenario.pinned.has('auth.mailu_version') ? [] : MAILU_RELEASES.filter((release) => releaseLineOf(release) === releaseLineOf(ownMailu));
  // "3.9" names 3.9.0 (releases.ts modelledRelease()).
  const own = postfixRelease(scenario.get('postfix.mail_version')).join('.');
  return {
    postfix: postfix.filter((release) => release !== own && holdsThere(property, scenario, { 'postfix.mail_version': release })),
    front: front.filter((release) => release !== scenario.get('front.version') && holdsThere(property, scenario, { 'front.version': release })),
    mailu: mailu.filter((release) => release !== ownMailu && holdsThere(property, scenario, { 'auth.mailu_version': release })),
  };
}

/** The releases a verdict is about: the scenario's (release-line.ts), and the others its traces drew from. */
export function scopeLine(property: ScopedProperty, scenario: Scenario): string {
  const { postfix, front, mailu } = releaseCandidates(property, scenario);
  const drawn = [
    ...(postfix.length > 0 ? [`Postfix ${releasesText(postfix)}`] : []),
    ...(front.length > 0 ? [`${scenario.get('front.model')} ${releasesText(front)}`] : []),
    ...(mailu.length > 0 ? [`Mailu ${releasesText(mailu)}`] : []),
  ];
  return drawn.length === 0 ? releaseLine(scenario) : `${releaseLine(scenario)}; traces also drew ${drawn.join(' and ')}`;
}

/** The coverage a pass needs on top of the property's own: some traces ran on drawn releases, when there were any to draw. */
export function releaseCoverage(property: ScopedProperty, scenario: Scenario): CoverageClass[] {
  const { postfix, front, mailu } = releaseCandidates(property, scenario);
  return postfix.length + front.length + mailu.length > 0 ? [RELEASE_DRAWN] : [];
}
