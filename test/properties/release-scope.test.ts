/* release-scope - each property states the releases it holds for, and its traces draw them */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labCase } from '../../properties/arbitraries/lab-case.ts';
import { runLabProperty } from '../../properties/check.ts';
import { scenarioFor } from '../../properties/lab-case.ts';
import { releaseCandidates, scopeLine } from '../../properties/release-scope.ts';
import { PROPERTIES, propertyById, type LabProperty } from '../../properties/suite.ts';
import { hasGate, postfixRelease } from '../../models/postfix/releases.ts';
import { FRONT_RELEASES } from '../../scenarios/front-releases.ts';
import { loadScenario } from '../../scenarios/index.ts';

const property = (id: string): LabProperty => propertyById(id)!;
const scenario = (name: string, sets: readonly string[] = []) => loadScenario({ scenario: name, sets });

describe('the releases each property holds for', () => {
  it('every property but the differential holds on every release it applies to; the differential on the scenario\'s own', () => {
    expect(PROPERTIES.filter((p) => p.holdsOn === 'scenario-release').map((p) => p.id)).toEqual(['differential']);
    expect(releaseCandidates(property('differential'), scenario('lockstep'))).toEqual({ postfix: [], front: [], mailu: [] });
  });

  it("'bug-exists' draws only releases that refuse improper pipelining: 3.9.0 on by default, any release with the parameter when the scenario sets it", () => {
    const byDefault = releaseCandidates(property('bug-exists'), scenario('mailu-2024.06'));
    expect(byDefault.postfix.length).toBe(28);
    for (const release of byDefault.postfix) expect(hasGate(postfixRelease(release), 'forbid_unauth_pipelining_default_yes'), release).toBe(true);
    const setYes = releaseCandidates(property('bug-exists'), scenario('real-stack'));
    expect(setYes.postfix).toContain('3.7.6');
    expect(setYes.postfix).not.toContain('3.7.5');
    for (const release of setYes.postfix) expect(hasGate(postfixRelease(release), 'forbid_unauth_pipelining'), release).toBe(true);
    // nginx waits for XCLIENT's reply on every release: nothing to draw.
    expect(releaseCandidates(property('bug-exists'), scenario('mailu-2.0'))).toEqual({ postfix: [], front: [], mailu: [] });
  });

  it("'workaround' on PR 3322 draws no release without smtpd_forbid_unauth_pipelining (the setting would be refused there), and every front release of its line", () => {
    const { postfix, front } = releaseCandidates(property('workaround'), scenario('mailu-2024.06-pr3322'));
    expect(postfix).toContain('3.8.1');
    expect(postfix).not.toContain('3.8.0');
    expect(postfix).not.toContain('3.9.0'); // the scenario's own (3.9)
    expect(front).toEqual(FRONT_RELEASES['dovecot-2.3'].filter((release) => release !== '2.3.19.1'));
  });

  it('a release the user named (--set, a scenario file) is kept; a built-in scenario\'s is drawn over', () => {
    expect(releaseCandidates(property('safety'), scenario('mailu-2024.06', ['postfix.mail_version=3.7.11'])).postfix).toEqual([]);
    expect(releaseCandidates(property('safety'), scenario('mailu-2.0', ['front.version=1.29.2'])).front).toEqual([]);
    const file = join(mkdtempSync(join(tmpdir(), 'release-scope-')), 'mine.json');
    writeFileSync(file, JSON.stringify({ base: 'mailu-2.0', values: { 'postfix.mail_version': '3.8.9' } }));
    const fromFile = releaseCandidates(property('safety'), loadScenario({ scenario: file }));
    expect(fromFile.postfix).toEqual([]);
    expect(fromFile.front.length).toBe(FRONT_RELEASES.nginx.length - 1);
    expect(releaseCandidates(property('safety'), scenario('mailu-2.0')).postfix.length).toBeGreaterThan(100);
  });

  it("Mailu: the other patch releases of the scenario's own line (2024.06.x, across the credentials_url_encoded gate at 2024.06.9), none for the one modelled 2.0 release, none when the user set it", () => {
    const line2024 = releaseCandidates(property('safety'), scenario('mailu-2024.06')).mailu;
    expect(line2024).toHaveLength(57);
    expect(line2024).toEqual(expect.arrayContaining(['2024.06.1', '2024.06.8', '2024.06.9', '2024.06.57']));
    expect(line2024).not.toContain('2024.06.0'); // the scenario's own
    expect(line2024).not.toContain('2.0.43');
    expect(releaseCandidates(property('safety'), scenario('mailu-2.0')).mailu).toEqual([]);
    expect(releaseCandidates(property('safety'), scenario('mailu-2024.06', ['auth.mailu_version=2024.06.3'])).mailu).toEqual([]);
  });

  it('the verdict names the scenario\'s releases and the ones its traces drew', () => {
    expect(scopeLine(property('workaround'), scenario('mailu-2024.06-pr3322', ['postfix.mail_version=3.7.11']))).toBe(
      'Postfix 3.7.11 (smtpd_forbid_unauth_pipelining=no), front dovecot-2.3 2.3.19.1; traces also drew dovecot-2.3 2.3.17-2.3.21.1 and Mailu 2024.06.1-2024.06.57',
    );
    expect(scopeLine(property('differential'), scenario('lockstep'))).toBe('Postfix 3.9 (smtpd_forbid_unauth_pipelining=yes), front lockstep');
  });
});

describe('generated traces draw releases', () => {
  const base = scenario('mailu-2024.06');
  const candidates = releaseCandidates(property('safety'), base);
  const drawing = fc.sample(labCase({ faults: 'any', releases: candidates }), { seed: 7, numRuns: 400 });
  const plain = fc.sample(labCase({ faults: 'any' }), { seed: 7, numRuns: 400 });

  it("about half the traces keep the scenario's Postfix, and half its front; the rest run on a candidate, and the trace is otherwise the one drawn without releases", () => {
    const postfix = drawing.filter((c) => c.releases?.['postfix.mail_version'] !== undefined);
    const front = drawing.filter((c) => c.releases?.['front.version'] !== undefined);
    for (const drawn of [postfix, front]) {
      expect(drawn.length).toBeGreaterThan(150);
      expect(drawn.length).toBeLessThan(250);
    }
    for (const c of postfix) expect(candidates.postfix).toContain(c.releases!['postfix.mail_version']);
    for (const c of front) expect(candidates.front).toContain(c.releases!['front.version']);
    expect(drawing.map(({ releases: _, ...c }) => c)).toEqual(plain);
    expect(plain.every((c) => c.releases === undefined)).toBe(true);
  });

  it("a trace runs on its drawn releases, with the defaults that follow them (smtpd_forbid_unauth_pipelining is no on 3.8)", () => {
    const c = { ...plain[0]!, releases: { 'postfix.mail_version': '3.8.20', 'front.version': '2.3.17' } };
    const ran = scenarioFor(base, c);
    expect(ran.get('postfix.mail_version')).toBe('3.8.20');
    expect(ran.get('front.version')).toBe('2.3.17');
    expect(ran.get('postfix.smtpd_forbid_unauth_pipelining')).toBe('no');
    expect(scenarioFor(base, plain[0]!).get('postfix.smtpd_forbid_unauth_pipelining')).toBe('yes');
  });
});

describe('a drawn release can make a property fail', () => {
  // postfix-3.7 serves every client only because 3.7.11 defaults smtpd_forbid_unauth_pipelining to no:
  // it lacks the fix PR 3322 sets. On its own release the workaround property cannot see that.
  const withoutFix = scenario('postfix-3.7');

  it("'workaround' on a chain that lacks the fix passes on the scenario's release and fails on a drawn 3.9 or later", () => {
    const ownReleaseOnly = runLabProperty({ ...property('workaround'), holdsOn: 'scenario-release' }, { scenario: withoutFix, seed: 1, numRuns: 60 });
    expect(ownReleaseOnly.result).toBe('passed');
    const drawing = runLabProperty(property('workaround'), { scenario: withoutFix, seed: 1, numRuns: 60 });
    expect(drawing.result).toBe('failed');
    const release = drawing.counterexample?.releases?.['postfix.mail_version'];
    expect(release).toBeDefined();
    expect(hasGate(postfixRelease(release!), 'forbid_unauth_pipelining_default_yes')).toBe(true);
    expect(drawing.verdict).toMatch(/^correct client got '454 /);
  });

  it('with PR 3322\'s setting it holds on every release drawn, and the pass needs traces that drew one', () => {
    const fixed = runLabProperty(property('workaround'), { scenario: scenario('postfix-3.7', ['postfix.smtpd_forbid_unauth_pipelining=no']), seed: 1, numRuns: 60 });
    expect(fixed.result).toBe('passed');
    expect(fixed.coverage.counts.get('release:drawn')).toBeGreaterThan(10);
    // One trace that kept the scenario's releases: the pass would say nothing about the others.
    const pr3322 = scenario('mailu-2024.06-pr3322');
    const arbitrary = labCase({ faults: 'benign', releases: releaseCandidates(property('workaround'), pr3322) });
    const seed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].find((s) => fc.sample(arbitrary, { seed: s, numRuns: 1 })[0]!.releases === undefined)!;
    const tooFew = runLabProperty(property('workaround'), { scenario: pr3322, seed, numRuns: 1 });
    expect(tooFew.coverageGap.missing).toContain('release:drawn');
  });
});
