/* mutation/run - `npm run mutation [-- GROUP... | --report-only]`: Stryker over each scope group in turn, then MUTATION.md
 *
 * Groups (mutation/scope.json) run in the order listed, most sequencing-critical first, each with its
 * own incremental file (mutation/incremental/<group>.json, committed): a rerun tests only the mutants
 * whose code or covering tests changed, and a group's results stay when another group is rerun.
 * MUTATION.md is rebuilt from every group's incremental file, so it always shows the whole scope.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { EQUIVALENT_FILE, incrementalFileOf, renderMutationReport, RUNS_FILE, SCOPE_FILE, STRYKER_CONFIG, type EquivalentMutant, type GroupResult, type ScopeGroup, type StrykerReport, withoutMachinePaths, withoutUnexplainedSurvivors } from './report.ts';

const NOTES_MARKER = '<!-- figures above are rewritten by npm run mutation; notes below are kept by hand -->';
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

const scope = readJson<ScopeGroup[]>(SCOPE_FILE);
// --report-only: rebuild MUTATION.md from the committed results (after editing equivalent.json).
const reportOnly = process.argv.includes('--report-only');
const asked = process.argv.slice(2).filter((arg) => arg !== '--report-only');
const unknown = asked.filter((name) => !scope.some((g) => g.group === name));
if (unknown.length > 0) {
  console.error(`unknown group ${unknown.join(', ')}; the groups are: ${scope.map((g) => g.group).join(', ')}`);
  process.exit(2);
}

// Read afresh before each write: two `npm run mutation GROUP` processes may run side by side.
const readRuns = () => (existsSync(RUNS_FILE) ? readJson<Record<string, GroupResult['run']>>(RUNS_FILE) : {});
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
// The tree others edit moves on; the commit says which code a group's figures belong to.
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
let failed = false;

/** Drops the survivors no reason explains from a group's incremental file, so that this run tests them again (see withoutUnexplainedSurvivors). */
function forgetUnexplainedSurvivors(file: string): void {
  const equivalents = readJson<EquivalentMutant[]>(EQUIVALENT_FILE);
  if (existsSync(file)) writeFileSync(file, `${JSON.stringify(withoutUnexplainedSurvivors(readJson(file), equivalents), null, 2)}\n`);
}

for (const { group, mutate } of scope.filter((g) => !reportOnly && (asked.length === 0 || asked.includes(g.group)))) {
  console.log(`== mutation group ${group}: ${mutate.join(', ')}`);
  const started = Date.now();
  forgetUnexplainedSurvivors(incrementalFileOf(group));
  const stryker = spawnSync('npx', ['stryker', 'run', STRYKER_CONFIG, '--mutate', mutate.join(','), '--incrementalFile', incrementalFileOf(group)], { stdio: 'inherit' });
  if (stryker.status !== 0) {
    console.error(`stryker run for ${group} exited with ${stryker.status ?? stryker.signal}`);
    failed = true;
    continue;
  }
  const incremental = incrementalFileOf(group);
  writeFileSync(incremental, withoutMachinePaths(readFileSync(incremental, 'utf8'), process.cwd()));
  const runs = { ...readRuns(), [group]: { date: new Date().toISOString().slice(0, 10), commit, wallMinutes: (Date.now() - started) / 60_000, machine } };
  writeFileSync(RUNS_FILE, `${JSON.stringify(runs, null, 2)}\n`);
}

const runs = readRuns();
const groups: GroupResult[] = scope.map(({ group, why }) => ({
  group,
  why,
  report: existsSync(incrementalFileOf(group)) ? readJson<StrykerReport>(incrementalFileOf(group)) : null,
  run: runs[group] ?? null,
}));
// The figures are regenerated; the hand-written notes after the marker are kept (as BENCHMARKS.md's).
const previous = existsSync('MUTATION.md') ? readFileSync('MUTATION.md', 'utf8') : '';
const notes = previous.includes(NOTES_MARKER) ? previous.slice(previous.indexOf(NOTES_MARKER) + NOTES_MARKER.length) : '\n';
writeFileSync('MUTATION.md', `${renderMutationReport(groups, readJson<EquivalentMutant[]>(EQUIVALENT_FILE))}\n${NOTES_MARKER}${notes}`);
console.log('wrote MUTATION.md');
process.exit(failed ? 1 : 0);
