/* run - one deterministic session of a scenario's client (or N with derived seeds) */
import { writeFile } from 'node:fs/promises';
import type { Command } from '../command.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, UsageError } from '../command.ts';
import { integerOption, parseOptions } from '../args.ts';
import { SCENARIO_USAGE, scenarioChoice, scenarioOptions } from '../common-options.ts';
import { runScenario, sessionEndOf, type RunReport } from '../../scenarios/run.ts';
import { traceJsonLines } from '../../viewer/export/jsonl.ts';

const usage = `usage: smtp-lab run [--scenario NAME|FILE] [--set KEY=VALUE]... [--seed N] [--repeat N] [--json] [--trace FILE]

Runs the scenario's client once in the simulator: greeting, EHLO, AUTH, one message, QUIT
(or the commands of client.script). The JSON's client.session says how and when the session
ended: quit, server-closed, reset, client-timeout, connect-failed or client-closed (no QUIT).
Exit 0 when the session completed (the client saw QUIT answered or a close), 1 when it did not
or when the client gave up waiting for a reply (client.timeout_s).

${SCENARIO_USAGE}
  --repeat N            N sessions with seeds seed, seed+1, ...; prints each and a summary
  --trace FILE          write the session's trace as JSON Lines (what the playground shows for the same state)`;

/** How and when (virtual ms since the start) the client's session ended, and the client's error if any. */
function sessionOf(report: RunReport) {
  return { ended: sessionEndOf(report.client), atMs: report.clientEndedAtUs === null ? null : report.clientEndedAtUs / 1000, error: report.client.error };
}

/** The session completed and the client did not give up waiting. */
function completed(report: RunReport): boolean {
  return report.client.done && report.client.closedBy !== 'timeout';
}

/** The JSON shape of issue 5: what a script or a person compares. */
function publicReport(report: RunReport) {
  return {
    scenario: report.scenario,
    seed: report.seed,
    client: { replies: report.client.replies, authReply: report.client.authReply, authToReplyMs: report.client.authToReplyMs, session: sessionOf(report) },
    backend: report.backend,
    postfix: report.postfix,
    front: report.front,
    queue: report.queue.map(({ id, from, to, size }) => ({ id, from, to, size })),
  };
}

function describeSession(report: RunReport): string {
  const { ended, atMs, error } = sessionOf(report);
  return `${ended}${atMs === null ? '' : ` at ${atMs.toFixed(3)} ms`}${error === null ? '' : ` (${error})`}`;
}

function describe(report: RunReport): string {
  return [
    `scenario ${report.scenario}, seed ${report.seed}`,
    ...report.client.replies.map((reply) => reply.split('\n').map((line) => `  <- ${line}`).join('\n')),
    `AUTH reply: ${report.client.authReply ?? '(none)'}${report.client.authToReplyMs === null ? '' : ` after ${report.client.authToReplyMs.toFixed(3)} ms`}`,
    `session ended: ${describeSession(report)}`,
    `backend connections: ${report.backend.connections}`,
    'postfix log:',
    ...report.postfix.log.map((line) => `  ${line}`),
    `queue: ${report.queue.map((m) => `${m.id} from=<${m.from}> size=${m.size}`).join(', ') || '(empty)'}`,
  ].join('\n');
}

/** How many reports give each value of `key`, in the order first met. */
function countBy(reports: readonly RunReport[], key: (report: RunReport) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const report of reports) counts[key(report)] = (counts[key(report)] ?? 0) + 1;
  return counts;
}

export const run: Command = {
  name: 'run',
  usage,
  async run(args) {
    const { values } = parseOptions(args, { ...scenarioOptions, repeat: { type: 'string' }, trace: { type: 'string' } });
    const choice = scenarioChoice(values);
    const repeat = integerOption('repeat', values.repeat, 0, 1, 100_000);
    if (values.trace !== undefined && repeat !== 0) throw new UsageError('--trace writes the trace of one session; drop --repeat');
    const seeds = repeat === 0 ? [choice.seed] : Array.from({ length: repeat }, (_, i) => choice.seed + i);
    const reports = seeds.map((seed) => runScenario(choice.scenario, { seed, trace: values.trace !== undefined }));
    if (values.trace !== undefined) await writeFile(values.trace, traceJsonLines(reports[0]!.trace ?? []));
    const summary = countBy(reports, (report) => report.client.authReply ?? '(none)');
    if (choice.json) {
      const sessionEnded = countBy(reports, (report) => sessionEndOf(report.client));
      const out = repeat === 0 ? publicReport(reports[0]!) : { runs: reports.map(publicReport), summary: { authReply: summary, sessionEnded } };
      console.log(JSON.stringify(out, null, 2));
    } else if (repeat === 0) {
      console.log(describe(reports[0]!));
    } else {
      for (const [reply, count] of Object.entries(summary)) console.log(`${String(count).padStart(6)}  ${reply}`);
    }
    return reports.every(completed) ? EXIT_OK : EXIT_EXPECTATION_FAILED;
  },
};
