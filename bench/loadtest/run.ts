/* loadtest - npm run loadtest: the live lab under load and abuse on loopback, figures to BENCHMARKS.md
 *
 *   npm run loadtest                 the issue-17 figures (minutes; heavy: run it on an idle machine)
 *   npm run loadtest -- --quick      small numbers, nothing written: does the harness work
 *   npm run loadtest -- --diagnose   also a heap snapshot at each memory checkpoint of the sustained
 *                                    run, in a new temporary directory (compare two in Chrome
 *                                    DevTools' Memory tab); nothing written, as the snapshots skew
 *                                    both time and memory
 *
 * Clients and models share this one process (so RSS is the lab's and the clients' together); every
 * listener is on 127.0.0.1 with a port the OS picks.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { concurrent, largeMessages, memory, slowloris, sustained, type Memory } from './measurements.ts';

const quick = process.argv.includes('--quick');
const snapshotDir = process.argv.includes('--diagnose') ? mkdtempSync(join(tmpdir(), 'smtp-lab-loadtest-')) : undefined;
// The sustained run goes on past its 10,000 timed sessions to 20,000: the live queue
// (LIVE_QUEUE_RETENTION) keeps its newest 10,000 records, so only from there on is every bounded
// store full and memory at its steady state.
const plan = quick
  ? { concurrent: 50, sustained: 2_000, checkpoints: [1_000, 2_000, 3_000], parallel: 20, slow: 50, slowWaitS: 1, largeCount: 2, largeBytes: 1_000_000, hugeBytes: 5_000_000 }
  : { concurrent: 1_000, sustained: 10_000, checkpoints: [1_000, 2_000, 5_000, 10_000, 15_000, 20_000], parallel: 100, slow: 1_000, slowWaitS: 185, largeCount: 20, largeBytes: 10_000_000, hugeBytes: 100_000_000 };

const log = (line: string) => console.log(`[loadtest] ${line}`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const outcomes = (m: Map<string, number>) => [...m].map(([k, v]) => `${fmt(v)}× ${k}`).join('; ');

const mem = (m: Memory) => `RSS ${fmt(m.rss)} MiB, heapUsed ${fmt(m.heapUsed, 1)}`;
const loadBefore = loadavg()[0]!.toFixed(1);
const memoryStart = memory();
log(`load average ${loadBefore}, ${mem(memoryStart)}`);

const held = await concurrent('lockstep', plan.concurrent);
log(`concurrent: ${held.queuedReplies}/${held.sessions} queued in ${fmt(held.seconds, 1)} s (${outcomes(held.outcomes)})`);
const run = await sustained('lockstep', plan.sustained, plan.parallel, plan.checkpoints, snapshotDir);
log(`sustained: first thousand ${fmt(run.firstThousandPerSecond)}/s, last ${fmt(run.lastThousandPerSecond)}/s, ${run.failed} failed`);
for (const { after, memory: m } of run.memory) log(`  after ${fmt(after)}: ${mem(m)}, heapTotal ${fmt(m.heapTotal)}, external ${fmt(m.external, 1)} (arrayBuffers ${fmt(m.arrayBuffers, 1)})`);
log(`  then held: ${JSON.stringify(run.held)}; queue ${fmt(run.queuedRecords)} records, ${fmt(run.queuedContentMiB, 1)} MiB of content`);
for (const path of run.snapshots) log(`  heap snapshot ${path}`);
const big = await largeMessages('lockstep', plan.largeCount, plan.largeBytes);
log(`large: ${big.intact}/${big.acknowledged}/${big.count} intact/acknowledged/sent in ${fmt(big.seconds, 1)} s`);
const huge = await largeMessages('lockstep', 1, plan.hugeBytes);
log(`huge: ${huge.intact}/${huge.acknowledged}/${huge.count} in ${fmt(huge.seconds, 1)} s, peak RSS ${fmt(huge.peakRssMiB)} MiB`);
const evicting = await slowloris('mailu-2024.06', plan.slow, 2_000, 5);
log(`slowloris on dovecot-2.3 defaults: normal client ${fmt(evicting.normalSessionMs)} ms (${evicting.normalOutcome}); slow: ${outcomes(evicting.slowEnds)}`);
const holding = await slowloris('lockstep', plan.slow, 2_000, plan.slowWaitS);
log(`slowloris on lockstep: normal client ${fmt(holding.normalSessionMs)} ms (${holding.normalOutcome}); slow after ${holding.waitedSeconds} s: ${outcomes(holding.slowEnds)}`);

if (quick || snapshotDir) {
  log(`${quick ? '--quick' : '--diagnose'}: BENCHMARKS.md not written`);
  process.exit(0);
}

const checkpoint = (after: number) => run.memory.find((c) => c.after === after)!.memory;
const [warm, timedEnd] = [checkpoint(1_000), checkpoint(run.sessions)];
const { after: lastCheckpoint, memory: end } = run.memory.at(-1)!;
const { keepMessages, keepContentBytes } = run.queueRetention;
const change = (from: number, to: number) => `${to >= from ? '+' : '−'}${fmt(Math.abs(to - from))}`;
const series = (pick: (m: Memory) => number) => run.memory.map((c) => fmt(pick(c.memory))).join(', ');

const START = '<!-- loadtest: rewritten by npm run loadtest -->';
const END = '<!-- /loadtest -->';
const section = `${START}
## Live mode under load (\`smtp-lab serve\` models on loopback sockets)

Measured by \`npm run loadtest\` on ${new Date().toISOString().slice(0, 10)}: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadBefore} before the run. Clients and models in one process, so RSS counts both. Postfix's message_size_limit is lifted (0) for the 100 MB message; everything else is the scenario's.

| figure | target | measured |
|---|---|---|
| ${fmt(held.sessions)} sessions started at once on \`lockstep\` (AUTH PLAIN, 2 kB message, QUIT) | all served, acknowledged = queued | ${fmt(held.queuedReplies)} acknowledged, ${fmt(held.queuedRecords)} queued, ${fmt(held.peakOpen)} sessions in flight at the peak, ${fmt(held.seconds, 1)} s (${outcomes(held.outcomes)}) |
| ${fmt(run.sessions)} sessions, ${run.parallel} at a time: sessions/s of the first and the last thousand | last within 20 % of first | ${fmt(run.firstThousandPerSecond)} and ${fmt(run.lastThousandPerSecond)} (${fmt((100 * run.lastThousandPerSecond) / run.firstThousandPerSecond)} %), ${run.failed} failed |
| RSS after the first thousand and after all ${fmt(run.sessions)} (heapUsed: live JavaScript objects) | flat within 50 MB | RSS ${fmt(warm.rss)} and ${fmt(timedEnd.rss)} MiB (${change(warm.rss, timedEnd.rss)}); heapUsed ${fmt(warm.heapUsed)} and ${fmt(timedEnd.heapUsed)} MiB |
| the same run on to ${fmt(lastCheckpoint)} sessions, the live queue full (its newest ${fmt(keepMessages)} records) from the ${fmt(keepMessages)}th on | flat within 50 MB | RSS ${fmt(timedEnd.rss)} and ${fmt(end.rss)} MiB (${change(timedEnd.rss, end.rss)}); heapUsed ${fmt(timedEnd.heapUsed)} and ${fmt(end.heapUsed)} MiB |
| ${big.count} × ${fmt(big.bytes / 1e6)} MB messages, one session after another | all acknowledged and queued intact | ${big.acknowledged} acknowledged, ${big.intact} with the queued SHA-256 equal to the sent one, ${fmt(big.seconds, 1)} s; peak RSS ${fmt(big.peakRssMiB)} MiB |
| 1 × ${fmt(huge.bytes / 1e6)} MB message | acknowledged and queued intact | ${huge.acknowledged} acknowledged, ${huge.intact} intact, ${fmt(huge.seconds, 1)} s; peak RSS ${fmt(huge.peakRssMiB)} MiB |
| ${fmt(evicting.slow)} slow clients (one byte of "EHLO" every 2 s) on \`mailu-2024.06\` (Dovecot 2.3 defaults: 100 clients, client_destroy_oldest()), then a normal session | normal client served within 1 s; slow ones cut as Dovecot cuts them | normal session ${fmt(evicting.normalSessionMs)} ms (${evicting.normalOutcome}); slow ones ${evicting.waitedSeconds} s later: ${outcomes(evicting.slowEnds)} |
| the same ${fmt(holding.slow)} slow clients on \`lockstep\` (high-performance mode: 100,000 clients), then a normal session | normal client served within 1 s; slow ones cut as Dovecot cuts them | normal session ${fmt(holding.normalSessionMs)} ms (${holding.normalOutcome}); slow ones ${holding.waitedSeconds} s later: ${outcomes(holding.slowEnds)} |

Memory is taken after a forced full collection. At the start of the run: ${mem(memoryStart)} MiB. In the sustained run, after ${run.memory.map((c) => fmt(c.after)).join(', ')} sessions: RSS ${series((m) => m.rss)} MiB; heapUsed ${series((m) => m.heapUsed)} MiB; heapTotal ${series((m) => m.heapTotal)} MiB; external ${series((m) => m.external)} MiB. At the end the queue held ${fmt(run.queuedRecords)} records and ${fmt(run.queuedContentMiB, 1)} MiB of content (its budgets: ${fmt(keepMessages)} records, ${fmt(keepContentBytes / 2 ** 20)} MiB of content), and once the last connections closed the runtime held ${run.held.connections} connections, ${run.held.timers} timers, ${run.held.timerSources} timer sources and ${run.held.queuedClients} queued clients.
${END}`;

const text = readFileSync('BENCHMARKS.md', 'utf8');
const at = text.indexOf(START);
writeFileSync('BENCHMARKS.md', at < 0 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, at)}${section}${text.slice(text.indexOf(END) + END.length)}`);
log('wrote BENCHMARKS.md');
console.log(section);
