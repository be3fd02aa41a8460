/* conformance - run every conformance case on the real Postfix/Dovecot and in the lab, print the verdicts */
import { resolve } from 'node:path';
import { integerOption, parseOptions, regexOption } from '../args.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, UsageError, type Command } from '../command.ts';
import { conformanceCases } from '../../conformance/cases.ts';
import { MIN_TIME_DISTRIBUTION_SESSIONS, TIME_RATIO, TIME_RESOLUTION_MS } from '../../conformance/compare.ts';
import { ALPHA } from '../../conformance/stats.ts';
import { runInLab } from '../../conformance/lab.ts';
import { RealStack, realStackMissing } from '../../conformance/real-stack.ts';
import { runOnRealStack } from '../../conformance/real-run.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { recordedOutcome } from '../../conformance/recorded.ts';
import { onlyKnownProblems } from '../../conformance/known-disagreements.ts';
import { formatTable, runSuite, type CaseResult } from '../../conformance/suite.ts';

const usage = `usage: smtp-lab conformance [--only REGEX] [--kind deterministic|racy|all] [--trials N] [--racy-repeat N] [--seed N] [--lab DIR] [--json] [--recorded]

Runs each case of conformance/records/runs.tsv and trials.tsv (and the suite's own cases)
on the real Postfix 3.7.11 and Dovecot 2.3.19.1 (installed by .ci/install-real-stack.sh; needs
root) inside a private network namespace, and in the lab (scenario real-stack), then prints
case | real | lab | match. Exit 1 when any case does not match; with --recorded, a case whose
problems are exactly its open disagreement (conformance/known-disagreements.ts) is printed as NO
and counted as known, not as a failure.

  --only REGEX       run only the cases whose name matches
  --kind K           deterministic: only the cases whose outcome is not a race; racy: only the
                    races (quickack, pp3); all (default). CI gates on the recorded comparison and
                    the live deterministic cases; live racy batches depend on the machine's load
                    (docs/conformance.md) and are run there as a report
  --trials N        sessions per race-matrix cell (default 20, as recorded)
  --racy-repeat N   sessions for each racy recorded run (quickack, pp3; default 6)
  --seed N          lab seed the session seeds derive from (default 1)
  --lab DIR         write the daemons' configuration, queues and logs into DIR and keep it
                    (default: a fresh temporary directory, removed at the end)
  --json            print the results as JSON instead of the table
  --recorded        compare with the recorded real-stack files in conformance/records instead
                    of running the daemons (no root needed); the calibration batches
                    (records/calibration) are cases too, with their recorded AUTH→reply times

Criteria: deterministic cases must agree on every reply line (host names and queue ids
normalised), the AUTH reply, backend connections and Postfix smtpd log lines. Racy cases
(quickack, pp3) compare lost races per backend connection and the distribution of session
outcomes (AUTH reply, and reconnect waits before a 235) with Fisher's exact test at
α = ${ALPHA}, printing both rates with 95 % intervals; both sides must keep Dovecot's reconnect
accounting. Every case compares the median AUTH→reply time per outcome: within ×${TIME_RATIO} or
±${TIME_RESOLUTION_MS} ms; a racy case's sessions logged in at once, when each side has at least
${MIN_TIME_DISTRIBUTION_SESSIONS}, as a distribution instead: Mood's quantile test at the 50th, 75th
and 90th percentile, at α = ${ALPHA} / 3 each (see docs/conformance.md).`;

const CASE_KINDS = ['deterministic', 'racy', 'all'];

export const conformance: Command = {
  name: 'conformance',
  usage,
  async run(args) {
    const { values } = parseOptions(args, {
      only: { type: 'string' }, trials: { type: 'string' }, 'racy-repeat': { type: 'string' },
      seed: { type: 'string' }, lab: { type: 'string' }, json: { type: 'boolean' }, recorded: { type: 'boolean' }, kind: { type: 'string' },
    });
    const kind = values.kind ?? 'all';
    if (!CASE_KINDS.includes(kind)) throw new UsageError(`--kind must be one of ${CASE_KINDS.join(', ')}, got '${kind}'`);
    const only = regexOption('only', values.only);
    const trials = integerOption('trials', values.trials, 20, 1, 1000);
    const racyRepeat = integerOption('racy-repeat', values['racy-repeat'], 6, 1, 1000);
    const seed = integerOption('seed', values.seed, 1);
    const cases = conformanceCases(RECORDS_DIR, { trials, racyRepeat })
      .filter((c) => only.test(c.name))
      .filter((c) => kind === 'all' || c.racy === (kind === 'racy'))
      .filter((c) => !values.recorded || recordedOutcome(RECORDS_DIR, c) !== null);
    if (cases.length === 0) throw new UsageError(`--only ${values.only ?? '.*'}${values.kind ? ` --kind ${kind}` : ''}: no case matches`);
    const report = (results: readonly CaseResult[], seconds: number): number => {
      const mismatched = results.filter((r) => !r.verdict.match);
      const known = values.recorded ? mismatched.filter((r) => onlyKnownProblems(r.case.name, r.verdict.problems)).length : 0;
      const failed = mismatched.length - known;
      if (values.json) {
        console.log(JSON.stringify({ seed, seconds, recorded: values.recorded ?? false, failed, known, results: results.map((r) => ({ case: r.case.name, racy: r.case.racy, repeat: r.case.repeat, ...r.verdict })) }, null, 2));
      } else {
        console.log(formatTable(results));
        const knownText = known > 0 ? `; ${known} more as known disagreements (conformance/known-disagreements.ts)` : '';
        console.log(`\n${results.length - mismatched.length}/${results.length} cases match${knownText} (seed ${seed}, ${seconds.toFixed(0)} s${values.recorded ? ', real side from the recorded files' : ''})`);
      }
      return failed === 0 ? EXIT_OK : EXIT_EXPECTATION_FAILED;
    };
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    const progress = (r: CaseResult) => console.error(`${r.verdict.match ? 'ok ' : 'NO '} ${r.case.name} (${(r.realMs / 1000).toFixed(1)} s real)`);

    if (values.recorded) {
      const results = await runSuite(cases, (c) => recordedOutcome(RECORDS_DIR, c)!, runInLab, { seed });
      return report(results, elapsed());
    }
    const missing = realStackMissing();
    if (missing) {
      console.error(`smtp-lab conformance: the real stack cannot run here: ${missing}`);
      return EXIT_EXPECTATION_FAILED;
    }
    const stack = await RealStack.start({ ...(values.lab ? { lab: resolve(values.lab) } : {}), netns: `smtplab-${process.pid}` });
    const interrupted = () => void stack.stop().then(() => process.exit(130));
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    try {
      const results = await runSuite(cases, (c) => runOnRealStack(stack, c), runInLab, { seed, onResult: progress });
      return report(results, elapsed());
    } finally {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      await stack.stop();
    }
  },
};
