/* record - make the real-stack records again: the runs and race-matrix cells of conformance/records
 *
 * The cases are the records' own (their runs.tsv and trials.tsv name each run and its setting),
 * run on the real daemons in the stack's private network namespace on the recorded ports, and
 * written as the records are (conformance/records/README.md, "Files"):
 *   per run    <run>.client.txt, .postfix.log, .dovecot.log, .dovecot-short.log,
 *              .segments.txt (tcpdump, decoded by tshark), .dovecot-rawlog.txt; a runs.tsv line
 *   per cell   <cell>.trials.txt, .postfix.log, .dovecot-short.log; a trials.tsv line
 *   once       versions.txt, listeners.txt and copies of the configuration.
 * One difference: swaks runs with --show-time-lapse (as the conformance suite runs it), so new
 * transcripts also carry the AUTH→reply time that the first records lack.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConformanceCase } from '../cases.ts';
import type { RealStack } from '../real-stack.ts';
import { swaksArgs } from '../real-run.ts';
import { parseSwaksTranscript } from '../swaks-transcript.ts';
import { startCapture } from './capture.ts';
import { segmentLine, TSHARK_FIELDS } from './segments-text.ts';

/** Dovecot lines a <run>.dovecot-short.log leaves out: lib-smtp's per-command lines, the auth worker, module loading. */
const RUN_NOISE = /smtp-server: conn|auth-worker\(|auth: Debug: (?:Loading|Module)/;
/** A trial cell's Dovecot log leaves out every auth debug line too. */
const TRIAL_NOISE = /smtp-server: conn|auth-worker\(|auth: Debug/;

const lines = (list: readonly string[]) => list.map((l) => `${l}\n`).join('');

/** versions.txt, listeners.txt, the configuration copies, and runs.tsv and trials.tsv for the lines to come. */
export function recordSetup(stack: RealStack, out: string): void {
  for (const table of ['runs.tsv', 'trials.tsv']) writeFileSync(join(out, table), '');
  const text = (argv: readonly string[]) => {
    const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    return `${result.stdout}${result.stderr}`;
  };
  const inside = stack.netns ? ['ip', 'netns', 'exec', stack.netns] : [];
  writeFileSync(join(out, 'versions.txt'), [
    `postfix ${text(['postconf', '-h', '-d', 'mail_version']).trim()}`,
    `dovecot ${text(['dovecot', '--version']).trim()}`,
    text(['swaks', '--version']).split('\n')[0],
    text(['uname', '-sr']).trim(),
    '',
  ].join('\n'));
  writeFileSync(join(out, 'listeners.txt'), text([...inside, 'ss', '-ltn']));
  for (const [from, to] of [['postfix/main.cf', 'postfix-main.cf'], ['postfix/master.cf', 'postfix-master.cf'], ['dovecot/dovecot.conf', 'dovecot.conf'], ['dovecot/login.lua', 'dovecot-login.lua']]) {
    copyFileSync(join(stack.lab, from!), join(out, to!));
  }
  writeFileSync(join(out, 'postconf-n.txt'), text(['postconf', '-c', join(stack.lab, 'postfix'), '-n']));
  writeFileSync(join(out, 'doveconf-n.txt'), text(['doveconf', '-c', join(stack.lab, 'dovecot/dovecot.conf'), '-n']));
}

/** One recorded run (a runs.tsv case): capture, transcript, logs, Dovecot's rawlog, a runs.tsv line. */
export async function recordRun(stack: RealStack, c: ConformanceCase, out: string, options: { keepPcap: boolean }): Promise<string> {
  if (!stack.netns) throw new Error('recording needs the stack in a network namespace (the capture runs there)');
  await stack.configure(c.setting);
  const base = join(out, c.name);
  for (const file of readdirSync(stack.rawlogDir)) rmSync(join(stack.rawlogDir, file), { force: true });
  const mark = stack.mark();
  const capture = await startCapture({ netns: stack.netns, file: `${base}.pcap`, ports: stack.ports });
  const run = await stack.swaks(swaksArgs(c.client), { timeoutMs: 60_000 });
  await stack.settle(mark);
  await stack.settleDovecot(mark, 'Disconnected');
  await capture.stop();

  writeFileSync(`${base}.client.txt`, run.transcript);
  const postfix = stack.postfixLogSince(mark);
  const dovecot = stack.dovecotLogSince(mark);
  writeFileSync(`${base}.postfix.log`, lines(postfix));
  writeFileSync(`${base}.dovecot.log`, lines(dovecot));
  writeFileSync(`${base}.dovecot-short.log`, lines(dovecot.filter((l) => !RUN_NOISE.test(l))));
  writeFileSync(`${base}.segments.txt`, lines(decodeCapture(`${base}.pcap`, stack)));
  if (!options.keepPcap) rmSync(`${base}.pcap`);
  const rawlog = readdirSync(stack.rawlogDir).sort().map((file) => `==> ${file} <==\n${readFileSync(join(stack.rawlogDir, file), 'latin1')}\n`);
  if (rawlog.length > 0) writeFileSync(`${base}.dovecot-rawlog.txt`, rawlog.join(''), 'latin1');

  const client = parseSwaksTranscript(run.transcript);
  const queued = /queued as ([0-9A-F]+)/.exec(run.transcript)?.[0] ?? 'not queued';
  const row = [
    c.name, `forbid=${c.setting.forbid ? 'yes' : 'no'}`, `tcp=${c.setting.tcpMode}`, `wall=${(run.wallMs / 1000).toFixed(3)}s`,
    `backend_conns=${count(postfix, /postfix\/smtpd\[\d+\]: connect from /)}`, `improper=${count(postfix, /improper command pipelining/)}`,
    `auth_reply=${client.authReply ?? ''}`, queued,
  ].join('\t');
  appendFileSync(join(out, 'runs.tsv'), `${row}\n`);
  return row;
}

/** One race-matrix cell (a trials.tsv case): `trials` AUTH-only sessions, their replies and logs, a trials.tsv line. */
export async function recordTrials(stack: RealStack, c: ConformanceCase, out: string, trials: number): Promise<string> {
  await stack.configure(c.setting);
  const base = join(out, c.name);
  const mark = stack.mark();
  const replies: (string | null)[] = [];
  const rows: string[] = [];
  for (let i = 1; i <= trials; i++) {
    const run = await stack.swaks(swaksArgs(c.client), { timeoutMs: 60_000 });
    const reply = parseSwaksTranscript(run.transcript).authReply;
    replies.push(reply);
    rows.push(`${String(i).padStart(2)}\t${(run.wallMs / 1000).toFixed(3)}s\t${reply ?? ''}`);
  }
  await stack.settle(mark);
  const postfix = stack.postfixLogSince(mark);
  const dovecot = stack.dovecotLogSince(mark).filter((l) => !TRIAL_NOISE.test(l));
  writeFileSync(`${base}.trials.txt`, lines(rows));
  writeFileSync(`${base}.postfix.log`, lines(postfix));
  writeFileSync(`${base}.dovecot-short.log`, lines(dovecot));
  const row = [
    c.name, `forbid=${c.setting.forbid ? 'yes' : 'no'}`, `tcp=${c.setting.tcpMode}`, `trials=${trials}`,
    `235=${replies.filter((r) => r?.startsWith('235 ')).length}`, `454=${replies.filter((r) => r?.startsWith('454 ')).length}`,
    `backend_conns=${count(postfix, /postfix\/smtpd\[\d+\]: connect from /)}`, `improper_logged=${count(postfix, /improper command pipelining/)}`,
    `dovecot_xclient_554=${count(dovecot, /XCLIENT failed: 554/)}`,
  ].join('\t');
  appendFileSync(join(out, 'trials.tsv'), `${row}\n`);
  return row;
}

function count(list: readonly string[], pattern: RegExp): number {
  return list.filter((l) => pattern.test(l)).length;
}

function decodeCapture(pcap: string, stack: RealStack): string[] {
  const args = ['-r', pcap, '-T', 'fields', '-E', 'separator=|', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];
  const result = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`tshark could not read ${pcap}: ${result.stderr || result.error?.message}`);
  return result.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => segmentLine(l, stack.ports));
}
