/* record - make the real-stack records of conformance/records again, on this machine's real daemons */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { integerOption, parseOptions, regexOption } from '../args.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, UsageError, type Command } from '../command.ts';
import { conformanceCases } from '../../conformance/cases.ts';
import { firstMissingTool, RealStack, realStackMissing } from '../../conformance/real-stack.ts';
import { recordRun, recordSetup, recordTrials } from '../../conformance/real-stack/record.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';

const usage = `usage: smtp-lab record --out DIR [--only REGEX] [--trials N] [--keep-pcap]

Runs every recorded run (runs.tsv) and race-matrix cell (trials.tsv) of conformance/records
again on the real Postfix and Dovecot, in a private network namespace on the recorded ports,
and writes the same files into DIR (new or empty): transcripts, logs, tcpdump captures decoded
by tshark, Dovecot's rawlogs, runs.tsv, trials.tsv, versions and configuration copies. Needs
root, the real stack (.ci/install-real-stack.sh) and tcpdump and tshark. Compare DIR with
conformance/records before copying anything over, and update the records' README.

  --out DIR      where to write the records (must be new or empty)
  --only REGEX   record only the runs and cells whose name matches
  --trials N     sessions per race-matrix cell (default 20, as recorded)
  --keep-pcap    keep each run's capture (<run>.pcap) beside its decoded segments`;

export const record: Command = {
  name: 'record',
  usage,
  async run(args) {
    const { values } = parseOptions(args, { out: { type: 'string' }, only: { type: 'string' }, trials: { type: 'string' }, 'keep-pcap': { type: 'boolean' } });
    if (!values.out) throw new UsageError('--out DIR is required');
    const out = resolve(values.out);
    if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`--out ${values.out}: not empty; records are written into a new or empty directory`);
    const only = regexOption('only', values.only);
    const trials = integerOption('trials', values.trials, 20, 1, 1000);
    const cases = conformanceCases(RECORDS_DIR, { trials, racyRepeat: 1 }).filter((c) => c.source !== 'own' && only.test(c.name));
    if (cases.length === 0) throw new UsageError(`--only ${values.only}: no recorded run or cell matches`);
    const captureTool = firstMissingTool(['tcpdump', 'tshark']);
    const missing = realStackMissing() ?? (captureTool && `${captureTool} is not installed (apt-get install ${captureTool})`);
    if (missing) {
      console.error(`smtp-lab record: the real stack cannot run here: ${missing}`);
      return EXIT_EXPECTATION_FAILED;
    }

    mkdirSync(out, { recursive: true });
    const stack = await RealStack.start({ netns: `smtplab-rec-${process.pid}` });
    const interrupted = () => void stack.stop().then(() => process.exit(130));
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    try {
      recordSetup(stack, out);
      for (const c of cases) {
        const row = c.source === 'runs.tsv' ? await recordRun(stack, c, out, { keepPcap: values['keep-pcap'] ?? false }) : await recordTrials(stack, c, out, trials);
        console.error(row);
      }
    } finally {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      await stack.stop();
    }
    console.log(`recorded ${cases.length} runs and cells into ${out}`);
    return EXIT_OK;
  },
};
