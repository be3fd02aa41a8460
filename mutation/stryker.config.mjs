/* stryker.config - StrykerJS over the sequencing-critical models (mutation/scope.json), killed by the in-process vitest suites
 *
 * `npm run mutation` runs it once per scope group with that group's --mutate and --incrementalFile;
 * `npx stryker run mutation/stryker.config.mjs` alone mutates every group at once.
 */
import { readFileSync } from 'node:fs';

const scope = JSON.parse(readFileSync(new URL('./scope.json', import.meta.url), 'utf8'));

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'mutation/vitest.config.ts', related: true },
  // Per test: a mutant runs only the tests that reached it, so work done outside a test (while
  // collecting) would make every mutant it reaches rerun everything.
  coverageAnalysis: 'perTest',
  // The machine has 2 cores, shared.
  concurrency: 2,
  // Stryker's defaults (x1.5 + 5 s) called mutants "timed out" that only met a busy machine (the
  // status bounds of the Dovecot reply parser, which cannot change how long anything runs); a hang
  // is rare, and the hit counter stops endless loops in mutated code sooner anyway.
  timeoutFactor: 2,
  timeoutMS: 20_000,
  // The initial run (every killer test once, with coverage) took over Stryker's default 5 minutes
  // while two other groups' runs shared the 2 cores, and the group's run was lost.
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: 'mutation/incremental/all.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // The results live in the incremental file; run.ts builds MUTATION.md from it.
  reporters: ['progress-append-only'],
  ignorePatterns: ['lab-output', 'mutation/incremental'],
  mutate: scope.flatMap((group) => group.mutate),
};
