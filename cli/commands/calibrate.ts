/* calibrate - measure the race's scheduling on the real stack (or from the records), write a scenario */
import { mkdtempSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { integerOption, parseOptions } from '../args.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, UsageError, type Command } from '../command.ts';
import { calibrationCase, USER } from '../../conformance/cases.ts';
import { fitScheduling, readBatch, type BatchEvidence } from '../../conformance/calibration/fit.ts';
import { recordBatch } from '../../conformance/calibration/record.ts';
import { calibrationScenario } from '../../conformance/calibration/scenario-file.ts';
import { pooledStepTimings, type StepTimingValues } from '../../conformance/calibration/step-timings.ts';
import { stepTable } from '../../conformance/calibration/step-table.ts';
import { RealStack, realStackMissing, type TcpMode } from '../../conformance/real-stack.ts';
import { labSteps } from '../../conformance/lab.ts';
import { RECORDS_DIR } from '../../conformance/records-dir.ts';
import { rateText } from '../../conformance/stats.ts';

const usage = `usage: smtp-lab calibrate [--recorded] [--sessions N] [--modes LIST] [--note TEXT] [--out FILE] [--keep DIR]

Measures when Postfix answers XCLIENT relative to Dovecot's pipelined EHLO on the real stack
(Postfix 3.7.11, Dovecot 2.3.19.1, swaks, tcpdump; root; a private network namespace): one batch
of N AUTH-only sessions per TCP mode (default: the racy ones, quickack and pp3), captured with tcpdump. From the
captures it fits the scheduling keys (sim.wakeup_*, sim.scheduling_jitter_us, sim.run_queue_wait_*;
see conformance/calibration/fit.ts) and writes a scenario file based on real-stack. On stderr, per
racy batch: its own fit, and a table of each request/response step's gaps (50th / 75th / 90th
percentile) in the capture and in the lab run with that fit (seed 1), which the run-queue wait
was fitted to reproduce (conformance/calibration/steps.ts), with the daemons' processing times
fitted from the steps' medians beside their steps and whether the lab's median lies within x1.5
of the real one (calibration/step-timings.ts); the file takes each one's median over the batches.

  --recorded      fit from the recorded batches in conformance/records/calibration instead
  --sessions N    sessions per batch (default 60)
  --modes LIST    comma-separated TCP modes to record, of default, quickack, pp3, at least one of them
                  racy (default quickack,pp3; a default batch is recorded and kept but not fitted: its
                  delayed ACK decides the race)
  --note TEXT     what else ran on the machine, kept in each batch.json (the load decides the race)
  --out FILE      scenario file to write (default: print it)
  --keep DIR      keep the batches (capture, logs, sessions) under DIR (default: a temporary directory)`;

const TCP_MODES: readonly TcpMode[] = ['default', 'quickack', 'pp3'];
const RACY_MODES: readonly TcpMode[] = ['quickack', 'pp3'];

function modesOption(raw: string | undefined): TcpMode[] {
  if (raw === undefined) return [...RACY_MODES];
  const modes = raw.split(',');
  const bad = modes.find((m) => !(TCP_MODES as readonly string[]).includes(m));
  if (bad !== undefined) throw new UsageError(`--modes: '${bad}' is not a TCP mode (allowed: ${TCP_MODES.join(', ')})`);
  if (!modes.some((m) => (RACY_MODES as readonly string[]).includes(m))) throw new UsageError(`--modes ${raw}: the fit needs a racy mode (${RACY_MODES.join(' or ')}); a default batch alone says nothing about scheduling`);
  return modes as TcpMode[];
}

async function recordLive(modes: readonly TcpMode[], sessions: number, keep: string | undefined, note: string | undefined): Promise<BatchEvidence[]> {
  const dir = keep ? resolve(keep) : mkdtempSync(join(tmpdir(), 'smtp-lab-calibrate-'));
  const netns = `smtplab-cal-${process.pid}`;
  const stack = await RealStack.start({ netns });
  const stop = () => void stack.stop().then(() => process.exit(130));
  process.once('SIGINT', stop);
  try {
    const batches: BatchEvidence[] = [];
    for (const mode of modes) {
      const name = `${mode}-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}`;
      const client = { auth: 'PLAIN' as const, user: USER, password: 'secret', helo: 'client.example.test', mail: false, pipelining: false };
      await recordBatch(stack, netns, join(dir, name), name, { forbid: true, tcpMode: mode, xclientLookupMs: null }, client, sessions, note);
      batches.push(readBatch(join(dir, name)));
      console.error(`recorded ${join(dir, name)}`);
    }
    return batches;
  } finally {
    process.off('SIGINT', stop);
    await stack.stop();
  }
}

export const calibrate: Command = {
  name: 'calibrate',
  usage,
  async run(args) {
    const { values } = parseOptions(args, { recorded: { type: 'boolean' }, sessions: { type: 'string' }, modes: { type: 'string' }, note: { type: 'string' }, out: { type: 'string' }, keep: { type: 'string' } });
    const sessions = integerOption('sessions', values.sessions, 60, 1, 10_000);
    if (values.recorded && (values.modes !== undefined || values.note !== undefined)) throw new UsageError('--modes and --note describe a live recording; --recorded reads the recorded batches');
    const modes = modesOption(values.modes);
    let batches: BatchEvidence[];
    if (values.recorded) {
      const dir = join(RECORDS_DIR, 'calibration');
      if (!existsSync(dir)) throw new UsageError(`--recorded: no calibration batches in ${dir}`);
      batches = readdirSync(dir).filter((b) => existsSync(join(dir, b, 'batch.json'))).sort().map((b) => readBatch(join(dir, b)));
    } else {
      const missing = realStackMissing() ?? (existsSync('/usr/bin/tcpdump') || existsSync('/usr/sbin/tcpdump') ? null : 'tcpdump is not installed (apt-get install tcpdump)');
      if (missing) {
        console.error(`smtp-lab calibrate: the real stack cannot run here: ${missing}`);
        return EXIT_EXPECTATION_FAILED;
      }
      batches = await recordLive(modes, sessions, values.keep, values.note);
    }
    const fit = fitScheduling(batches);
    const processing: Partial<StepTimingValues>[] = [];
    for (const b of batches.filter((x) => x.info.setting.tcpMode !== 'default')) {
      const single = fitScheduling([b]);
      console.error(`${b.info.name}: load ${b.info.loadBefore.join(' ')}, Postfix answered first on ${rateText(single.answeredFirst, single.connections)} of backend connections`);
      const c = calibrationCase(b);
      processing.push(c.labValues ?? {});
      console.error(`${stepTable(b.info.name, c.labValues ?? {}, b.steps, labSteps(c, 1))}\n`);
    }
    const scenario = calibrationScenario(values.recorded ? 'real-stack-recorded-calibration' : 'real-stack-calibrated', fit, pooledStepTimings(processing), batches);
    const text = `${JSON.stringify(scenario, null, 2)}\n`;
    if (values.out) writeFileSync(values.out, text);
    else process.stdout.write(text);
    return EXIT_OK;
  },
};
