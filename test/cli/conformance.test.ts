/* conformance - smtp-lab conformance --recorded: every recorded real-stack case beside the lab's, no root needed
 *
 * The comparison itself (conformance/compare.ts) is tested elsewhere and still changing; this
 * checks what the command promises whatever the verdicts: each recorded case is a row with its
 * real and lab columns, and the exit code and the summary agree with the rows.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { KNOWN_RECORDED_DISAGREEMENTS } from '../../conformance/known-disagreements.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { runSmtpLab } from './run-smtp-lab.ts';

/** The cases recorded on the real stack: a swaks transcript per run, a reply table per trial cell. */
const RECORDED_CASES = readdirSync(RECORDS_DIR).flatMap((file) => /^(.+)\.(?:client|trials)\.txt$/.exec(file)?.[1] ?? []);

describe('smtp-lab conformance --recorded', () => {
  it('lists every recorded case with a real and a lab column; the summary and the exit code follow the match column', async () => {
    expect(RECORDED_CASES.length).toBeGreaterThanOrEqual(16);
    const result = await runSmtpLab(['conformance', '--recorded'], tmpdir());
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^case +\| real +\| lab +\| match$/);
    const rows = new Map(lines.filter((line) => / \| (yes|NO)$/.test(line)).map((line) => {
      const [name, real, lab, match] = line.split(' | ').map((cell) => cell.trim());
      return [name!.replace(/ \(racy\)$/, ''), { real: real!, lab: lab!, match: match === 'yes' }] as const;
    }));
    for (const name of RECORDED_CASES) {
      expect(rows.get(name), name).toEqual({ real: expect.stringMatching(/\b(235|454)\b/), lab: expect.stringMatching(/\b(235|454)\b/), match: expect.any(Boolean) });
    }
    const matching = [...rows.values()].filter((row) => row.match).length;
    // A listed open disagreement is printed as NO and counted apart (its problems are held to the list by test/conformance/recorded.test.ts).
    const known = [...rows].filter(([name, row]) => !row.match && name in KNOWN_RECORDED_DISAGREEMENTS).length;
    const knownText = known > 0 ? `; ${known} more as known disagreements \\(conformance/known-disagreements.ts\\)` : '';
    expect(result.stdout).toMatch(new RegExp(`\n${matching}/${rows.size} cases match${knownText} \\(seed 1, \\d+ s, real side from the recorded files\\)\n$`));
    expect(result.exitCode).toBe(matching + known === rows.size ? 0 : 1);
  });

  it('--json gives one result per case with the verdict, and the failed count the exit code follows', async () => {
    const result = await runSmtpLab(['conformance', '--recorded', '--json'], tmpdir());
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ seed: 1, recorded: true, failed: expect.any(Number), results: expect.any(Array) });
    for (const entry of json.results) expect(entry).toMatchObject({ case: expect.any(String), racy: expect.any(Boolean), match: expect.any(Boolean), real: expect.any(String), lab: expect.any(String), problems: expect.any(Array) });
    const cases = json.results.map((entry: { case: string }) => entry.case);
    expect(cases).toEqual(expect.arrayContaining(RECORDED_CASES));
    const mismatched = json.results.filter((entry: { match: boolean }) => !entry.match);
    expect(json.known).toBe(mismatched.filter((entry: { case: string }) => entry.case in KNOWN_RECORDED_DISAGREEMENTS).length);
    expect(json.failed).toBe(mismatched.length - json.known);
    expect(result.exitCode).toBe(json.failed === 0 ? 0 : 1);
  });

  it('--only picks cases by name; a pattern that picks none is exit 2', async () => {
    const one = JSON.parse((await runSmtpLab(['conformance', '--recorded', '--json', '--only', '^E1-'], tmpdir())).stdout);
    expect(one.results.map((entry: { case: string }) => entry.case)).toEqual(['E1-slowxclient-forbid-yes-default-plain']);
    const none = await runSmtpLab(['conformance', '--recorded', '--only', '^nothing'], tmpdir());
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/--only \^nothing: no case matches/);
  });

  it('--kind splits the cases into races and the rest, together all of them; a bad kind is exit 2', async () => {
    const names = async (kind: string) => (JSON.parse((await runSmtpLab(['conformance', '--recorded', '--json', '--kind', kind], tmpdir())).stdout) as { results: { case: string; racy: boolean }[] }).results;
    const [racy, deterministic, all] = [await names('racy'), await names('deterministic'), await names('all')];
    expect(racy.every((r) => r.racy) && deterministic.every((r) => !r.racy)).toBe(true);
    expect(racy.length).toBeGreaterThan(0);
    expect([...racy, ...deterministic].map((r) => r.case).sort()).toEqual(all.map((r) => r.case).sort());
    const bad = await runSmtpLab(['conformance', '--recorded', '--kind', 'some'], tmpdir());
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--kind must be one of deterministic, racy, all/);
  });
});
