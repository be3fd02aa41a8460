/* record - the recorder on the real daemons writes records the project's own readers take, with the outcomes the records show */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceCases, type ConformanceCase } from '../../../conformance/cases.ts';
import { firstMissingTool, RealStack } from '../../../conformance/real-stack.ts';
import { recordRun, recordSetup, recordTrials } from '../../../conformance/real-stack/record.ts';
import { RECORDS_DIR } from '../../../conformance/records-dir.ts';
import { recordedOutcome } from '../../../conformance/recorded.ts';
import { parseSegments } from '../../models/postfix/segments.ts';
import { realStackSkipReason } from '../real-stack-env.ts';

const captureTool = firstMissingTool(['tcpdump', 'tshark']);
const skipReason = realStackSkipReason ?? (captureTool && `${captureTool} is not installed`);
if (skipReason && !realStackSkipReason) {
  if (process.env.SMTP_LAB_REQUIRE_REAL_STACK === '1') throw new Error(`real stack required but ${skipReason} (.ci/install-real-stack.sh installs it)`);
  console.warn(`\n*** SKIPPING the recorder's test: ${skipReason}. Install it with .ci/install-real-stack.sh. ***\n`);
}

const recordedCase = (name: RegExp): ConformanceCase => conformanceCases(RECORDS_DIR, { trials: 2, racyRepeat: 1 }).find((c) => name.test(c.name))!;

describe.skipIf(skipReason !== null)('smtp-lab record on the real stack', () => {
  let out: string;
  let stack: RealStack;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'smtp-lab-record-'));
    stack = await RealStack.start({ netns: `smtplab-rt-${process.pid}` });
    recordSetup(stack, out);
  });
  afterAll(async () => {
    await stack?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('E1 again: 454 after four backend connections, a capture the segment reader takes, Dovecot\'s rawlog', async () => {
    const e1 = recordedCase(/^E1-/);
    await recordRun(stack, e1, out, { keepPcap: false });
    const again = conformanceCases(out, { trials: 2, racyRepeat: 1 }).find((c) => c.name === e1.name)!;
    expect(again.setting).toEqual(e1.setting);
    const outcome = recordedOutcome(out, again)!;
    expect(outcome.sessions.map((s) => s.authReply)).toEqual(['454 4.7.0 Account is temporarily unavailable.']);
    expect(outcome.backendConnections).toBe(4);
    const segments = parseSegments(readFileSync(join(out, `${e1.name}.segments.txt`), 'latin1'));
    expect(segments.filter((s) => s.from === 'dovecot' && s.to === 'postfix' && s.data.startsWith('XCLIENT '))).toHaveLength(4);
    expect(readFileSync(join(out, `${e1.name}.dovecot-rawlog.txt`), 'latin1').match(/^==> .*\.out <==$/gm)).toHaveLength(4);
  });

  it('a race-matrix cell again: the trials and a trials.tsv line the cases read back', async () => {
    const t7 = recordedCase(/^T7-/);
    const row = await recordTrials(stack, t7, out, 2);
    expect(row).toMatch(/\ttrials=2\t235=0\t454=2\tbackend_conns=8\timproper_logged=8\tdovecot_xclient_554=8$/);
    const again = conformanceCases(out, { trials: 2, racyRepeat: 1 }).find((c) => c.name === t7.name)!;
    expect(recordedOutcome(out, again)!.sessions.map((s) => s.authReply)).toEqual(Array(2).fill('454 4.7.0 Account is temporarily unavailable.'));
  });

  it('writes the versions, the listeners on the recorded ports and the configuration copies', () => {
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['versions.txt', 'listeners.txt', 'postfix-main.cf', 'postfix-master.cf', 'dovecot.conf', 'dovecot-login.lua', 'postconf-n.txt', 'doveconf-n.txt']));
    expect(readFileSync(join(out, 'versions.txt'), 'utf8')).toMatch(/^postfix \d+\.\d+\.\d+\ndovecot \d/);
    expect(readFileSync(join(out, 'listeners.txt'), 'utf8')).toMatch(/127\.0\.0\.1:1587[\s\S]*|127\.0\.0\.1:10025/);
  });
});
