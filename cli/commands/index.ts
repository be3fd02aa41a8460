/* index - the registry of subcommands; each lives in its own file beside this one
 *
 * Entries load their command on demand: `smtp-lab run` should not pay for importing the
 * browser viewer, the socket runtime or the real-stack harness.
 */
import type { CommandEntry } from '../command.ts';

/** In the order `smtp-lab --help` lists them: the main job first, then by how often a user needs them. */
export const commands: readonly CommandEntry[] = [
  { name: 'demo', summary: 'the main job: reproduce and shrink the bug, then show the fix and workaround hold on the same traces', load: async () => (await import('./demo.ts')).demo },
  { name: 'run', summary: 'one deterministic session of a scenario (or --repeat N)', load: async () => (await import('./run.ts')).run },
  { name: 'repro', summary: 'find, shrink and draw the 454/XCLIENT failure; print a replay token', load: async () => (await import('./repro.ts')).repro },
  { name: 'check', summary: 'run the property suite (fixed sequencing, workaround, safety, liveness) with statistics', load: async () => (await import('./check.ts')).check },
  { name: 'explore', summary: 'enumerate a scenario\'s schedules within stated bounds (decisions, event orders, timing bins, faults) and judge each', load: async () => (await import('./explore.ts')).explore },
  { name: 'matrix', summary: 'outcome tables over Postfix releases and settings × fronts × TCP conditions: who hits the 454, how often', load: async () => (await import('./matrix.ts')).matrix },
  { name: 'merge', summary: 'combine the shares of a check, demo or explore run with --shard i/n into the report one run prints', load: async () => (await import('./merge.ts')).merge },
  { name: 'import', summary: 'read postconf/master.cf, doveconf, nginx -T and mailu.env output; write the scenario they describe, list what was mapped and what not', load: async () => (await import('./import.ts')).importCommand },
  { name: 'audit', summary: 'is this deployment affected by the 454/XCLIENT bug, under which conditions, and which fix holds at what cost', load: async () => (await import('./audit.ts')).audit },
  { name: 'replay', summary: 're-run a printed counterexample exactly', load: async () => (await import('./replay.ts')).replay },
  { name: 'keys', summary: 'list the scenario keys (--set KEY=VALUE) and the built-in scenarios', load: async () => (await import('./keys.ts')).keys },
  { name: 'view', summary: 'show a trace as a sequence diagram: browser viewer, or --html/--svg/--mermaid files', load: async () => (await import('./view.ts')).view },
  { name: 'playground', summary: 'build the teaching playground: the whole lab in one static web page, every state a link', load: async () => (await import('./playground.ts')).playground },
  { name: 'serve', summary: 'run a scenario\'s models on loopback sockets for real clients (swaks, nodemailer)', load: async () => (await import('./serve.ts')).serve },
  { name: 'conformance', summary: 'compare the lab with the real Postfix and Dovecot, case by case (needs root and the real stack)', load: async () => (await import('./conformance.ts')).conformance },
  { name: 'calibrate', summary: 'measure the race on the real stack (or --recorded) and write a calibrated real-stack scenario file', load: async () => (await import('./calibrate.ts')).calibrate },
  { name: 'record', summary: 'make the real-stack records (conformance/records) again on this machine\'s daemons (root, tcpdump, tshark)', load: async () => (await import('./record.ts')).record },
  { name: 'bench', summary: 'benchmarks: sessions/s, time to the bug, shrink time, repro wall time, memory; writes BENCHMARKS.md', load: async () => (await import('./bench.ts')).bench },
];
