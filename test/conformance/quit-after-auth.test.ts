/* quit-after-auth - the lab's client in an AUTH-only case does what swaks --quit-after AUTH did on the real stack
 *
 * conformance/real-run.ts swaksArgs(): a case without a message runs `--quit-after AUTH` (the recorded
 * trials, conformance/records/README.md); swaks then sends QUIT after the 235 (swaks: sendmail,
 * `do_smtp_quit(1, 0) if ($G::quit_after eq 'auth')`). conformance/lab.ts labSets() sets client.quit_after.
 */
import { describe, expect, it } from 'vitest';
import { conformanceCases } from '../../conformance/cases.ts';
import { labRuns, labSets } from '../../conformance/lab.ts';
import { swaksArgs } from '../../conformance/real-run.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';

const cases = conformanceCases(RECORDS_DIR, { trials: 2, racyRepeat: 2 });
const caseNamed = (name: string) => cases.find((c) => c.name === name)!;

describe('an AUTH-only case', () => {
  const trial = caseNamed('T8-forbid-no-default-slowxclient');

  it('runs swaks with --quit-after AUTH and the lab with client.quit_after=AUTH', () => {
    expect(swaksArgs(trial.client)).toEqual(expect.arrayContaining(['--quit-after', 'AUTH']));
    expect(labSets(trial)).toContain('client.quit_after=AUTH');
  });

  it("the lab's client QUITs after the 235: no MAIL, nothing queued", () => {
    for (const report of labRuns(trial, 1)) {
      expect(report.client.replies.map((reply) => reply.slice(0, 3))).toEqual(['220', '250', '235', '221']);
      expect(report.queue).toEqual([]);
    }
  });
});

describe('a case with a message', () => {
  it('sends it as swaks --from/--to did', () => {
    const run = cases.find((c) => c.client.mail && !c.racy)!;
    expect(labSets(run)).toContain('client.quit_after=none');
    expect(labRuns(run, 1)[0]!.queue).toHaveLength(1);
  });
});
