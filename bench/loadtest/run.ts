/* loadtest - npm run loadtest: the live lab under load and abuse on loopback, figures to BENCHMARKS.md
 *
 *   npm run loadtest             the issue-17 figures (minutes; heavy: run it on an idle machine)
 *   npm run loadtest -- --quick  small numbers, nothing written: does the harness work
 *
 * Clients and models share this one process (so RSS is the lab's and the clients' together); every
 * listener is on 127.0.0.1 with a port the OS picks.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { concurrent, largeMessages, rssMiB, slowloris, sustained } from './measurements.ts';

const quick = process.argv.includes('--quick');
const plan = quick
  ? { concurrent: 50, sustained: 2_000, parallel: 20, slow: 50, slowWaitS: 1, largeCount: 2, largeBytes: 1_000_000, hugeBytes: 5_000_000 }
  : { concurrent: 1_000, sustained: 10_000, parallel: 100, slow: 1_000, slowWaitS: 185, largeCount: 20, largeBytes: 10_000_000, hugeBytes: 100_000_000 };

const log = (line: string) => console.log(`[loadtest] ${line}`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const outcomes = (m: Map<string, number>) => [...m].map(([k, v]) => `${fmt(v)}× ${k}`).join('; ');

const loadBefore = loadavg()[0]!.toFixed(1);
const rssStart = rssMiB();
log(`load average ${loadBefore}, RSS ${fmt(rssStart)} MiB`);

const held = await concurrent('lockstep', plan.concurrent);
log(`concurrent: ${held.queuedReplies}/${held.sessions} queued in ${fmt(held.seconds, 1)} s (${outcomes(held.outcomes)})`);
const run = await sustained('lockstep', plan.sustained, plan.parallel);
log(`sustained: first thousand ${fmt(run.firstThousandPerSecond)}/s, last ${fmt(run.lastThousandPerSecond)}/s, RSS ${fmt(run.rssAfterWarmUpMiB)} -> ${fmt(run.rssAtEndMiB)} MiB, ${run.failed} failed`);
const big = await largeMessages('lockstep', plan.largeCount, plan.largeBytes);
log(`large: ${big.intact}/${big.acknowledged}/${big.count} intact/acknowledged/sent in ${fmt(big.seconds, 1)} s`);
const huge = await largeMessages('lockstep', 1, plan.hugeBytes);
log(`huge: ${huge.intact}/${huge.acknowledged}/${huge.count} in ${fmt(huge.seconds, 1)} s, peak RSS ${fmt(huge.peakRssMiB)} MiB`);
const evicting = await slowloris('mailu-2024.06', plan.slow, 2_000, 5);
log(`slowloris on dovecot-2.3 defaults: normal client ${fmt(evicting.normalSessionMs)} ms (${evicting.normalOutcome}); slow: ${outcomes(evicting.slowEnds)}`);
const holding = await slowloris('lockstep', plan.slow, 2_000, plan.slowWaitS);
log(`slowloris on lockstep: normal client ${fmt(holding.normalSessionMs)} ms (${holding.normalOutcome}); slow after ${holding.waitedSeconds} s: ${outcomes(holding.slowEnds)}`);

if (quick) {
  log('--quick: BENCHMARKS.md not written');
  process.exit(0);
}

const START = '<!-- loadtest: rewritten by npm run loadtest -->';
const END = '<!-- /loadtest -->';
const section = `${START}
## Live mode under load (\`smtp-lab serve\` models on loopback sockets)

Measured by \`npm run loadtest\` on ${new Date().toISOString().slice(0, 10)}: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadBefore} before the run. Clients and models in one process, so RSS counts both. Postfix's message_size_limit is lifted (0) for the 100 MB message; everything else is the scenario's.

| figure | target | measured |
|---|---|---|
| ${fmt(held.sessions)} sessions started at once on \`lockstep\` (AUTH PLAIN, 2 kB message, QUIT) | all served, acknowledged = queued | ${fmt(held.queuedReplies)} acknowledged, ${fmt(held.queuedRecords)} queued, ${fmt(held.peakOpen)} sessions in flight at the peak, ${fmt(held.seconds, 1)} s (${outcomes(held.outcomes)}) |
| ${fmt(run.sessions)} sessions, ${run.parallel} at a time: sessions/s of the first and the last thousand | last within 20 % of first | ${fmt(run.firstThousandPerSecond)} and ${fmt(run.lastThousandPerSecond)} (${fmt((100 * run.lastThousandPerSecond) / run.firstThousandPerSecond)} %), ${run.failed} failed |
| RSS after the first thousand and after all ${fmt(run.sessions)} | flat within 50 MB | ${fmt(run.rssAfterWarmUpMiB)} and ${fmt(run.rssAtEndMiB)} MiB |
| ${big.count} × ${fmt(big.bytes / 1e6)} MB messages, one session after another | all acknowledged and queued intact | ${big.acknowledged} acknowledged, ${big.intact} with the queued SHA-256 equal to the sent one, ${fmt(big.seconds, 1)} s; peak RSS ${fmt(big.peakRssMiB)} MiB |
| 1 × ${fmt(huge.bytes / 1e6)} MB message | acknowledged and queued intact | ${huge.acknowledged} acknowledged, ${huge.intact} intact, ${fmt(huge.seconds, 1)} s; peak RSS ${fmt(huge.peakRssMiB)} MiB |
| ${fmt(evicting.slow)} slow clients (one byte of "EHLO" every 2 s) on \`mailu-2024.06\` (Dovecot 2.3 defaults: 100 clients, client_destroy_oldest()), then a normal session | normal client served within 1 s; slow ones cut as Dovecot cuts them | normal session ${fmt(evicting.normalSessionMs)} ms (${evicting.normalOutcome}); slow ones ${evicting.waitedSeconds} s later: ${outcomes(evicting.slowEnds)} |
| the same ${fmt(holding.slow)} slow clients on \`lockstep\` (high-performance mode: 100,000 clients), then a normal session | normal client served within 1 s; slow ones cut as Dovecot cuts them | normal session ${fmt(holding.normalSessionMs)} ms (${holding.normalOutcome}); slow ones ${holding.waitedSeconds} s later: ${outcomes(holding.slowEnds)} |

RSS at the start of the run ${fmt(rssStart)} MiB.
${END}`;

const text = readFileSync('BENCHMARKS.md', 'utf8');
const at = text.indexOf(START);
writeFileSync('BENCHMARKS.md', at < 0 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, at)}${section}${text.slice(text.indexOf(END) + END.length)}`);
log('wrote BENCHMARKS.md');
console.log(section);
