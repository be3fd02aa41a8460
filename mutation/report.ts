/* mutation/report - MUTATION.md from Stryker's JSON report and the list of equivalent mutants
 *
 * Pure: the caller reads the files and the machine; this turns them into the page. The score is
 * Stryker's (killed + timed out) / (killed + timed out + survived + no coverage), taken over the
 * mutants that are not listed as equivalent: an equivalent mutant behaves like the original, so
 * no test could kill it and it says nothing about the tests.
 */

export const STRYKER_CONFIG = 'mutation/stryker.config.mjs';
export const SCOPE_FILE = 'mutation/scope.json';
export const EQUIVALENT_FILE = 'mutation/equivalent.json';
export const RUNS_FILE = 'mutation/runs.json';
export const incrementalFileOf = (group: string) => `mutation/incremental/${group}.json`;

/** One row of mutation/scope.json: files mutated together, and why they matter. */
export interface ScopeGroup {
  readonly group: string;
  readonly why: string;
  readonly mutate: readonly string[];
}

/** The parts of Stryker's mutation-testing-report-schema JSON this page reads. */
export interface StrykerReport {
  readonly files: Readonly<Record<string, { readonly source: string; readonly mutants: readonly StrykerMutant[] }>>;
}

export interface StrykerMutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}

/** An incremental file as withoutUnexplainedSurvivors() reads it: every other field is kept as it is. */
export interface IncrementalFile {
  readonly files: Readonly<Record<string, { readonly mutants: readonly (StrykerMutant & { readonly static?: boolean })[] }>>;
}

/**
 * Stryker's incremental mode reuses a survivor whose covering tests did not change by name and
 * location, so a test that gains a case under its old name never meets the survivor it now kills
 * (envelope-options.ts 57:37 stayed "Survived" that way from 2a56245 on), and a static mutant
 * (reached while modules load, as in a module-level constant) has no covering tests at all. Without
 * them the incremental file makes every run test again each survivor that is static or not listed
 * as equivalent (they are few); a listed one is retested when its covering tests change.
 */
export function withoutUnexplainedSurvivors<T extends IncrementalFile>(report: T, equivalents: readonly EquivalentMutant[]): T {
  const unexplained = (file: string, m: StrykerMutant & { readonly static?: boolean }) =>
    ESCAPED.has(m.status) && (m.static === true || !equivalents.some(sameMutant(file, m)));
  const files = Object.fromEntries(Object.entries(report.files).map(([name, file]) => [name, { ...file, mutants: file.mutants.filter((m) => !unexplained(name, m)) }]));
  return { ...report, files };
}

/**
 * An incremental file's text without this machine's paths: Stryker records the absolute project root
 * (`root`), and a crashed runner's message (a statusReason) quotes the sandbox under it and
 * node_modules by their absolute paths. The report needs none of them (its file names are relative),
 * and a committed file must not name a path outside the repository.
 */
export function withoutMachinePaths(json: string, root: string): string {
  return json
    .replace(/"projectRoot": "[^"]*",\s*/, '')
    .replaceAll(`${root}/`, '')
    .replace(/(?:file:\/\/)?\/[^\s"'()]*?\/node_modules\//g, 'node_modules/');
}

/** One row of mutation/equivalent.json: which mutant (where it starts), and why no behaviour can tell it apart. */
export interface EquivalentMutant {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly mutator: string;
  readonly replacement: string;
  readonly reason: string;
}

/** One scope group of mutation/scope.json with its last results (null: never run on this checkout). */
export interface GroupResult {
  readonly group: string;
  readonly why: string;
  readonly report: StrykerReport | null;
  /** When and how long its last `npm run mutation` took, from mutation/runs.json. */
  readonly run: { readonly date: string; readonly commit: string; readonly wallMinutes: number; readonly machine: string } | null;
}

interface Tally {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  equivalent: number;
  other: number;
}

/** A mutant that escaped, listed by where it is and what it changed. */
interface Escape {
  readonly where: string;
  readonly status: string;
  readonly mutant: string;
  readonly code: string;
  readonly reason?: string;
}

const ESCAPED = new Set(['Survived', 'NoCoverage']);
/**
 * A listed mutant counts as equivalent when it escaped, and also when it timed out: on a busy
 * machine a mutant no test can tell apart may still run past its time limit, and that is no kill.
 */
const LISTABLE = new Set([...ESCAPED, 'Timeout']);

const sameMutant = (file: string, m: StrykerMutant) => (e: EquivalentMutant) =>
  e.file === file && e.line === m.location.start.line && e.column === m.location.start.column && e.mutator === m.mutatorName && e.replacement === (m.replacement ?? '');

export function scoreOf(t: Tally): number | null {
  const detected = t.killed + t.timeout;
  const counted = detected + t.survived + t.noCoverage;
  return counted === 0 ? null : (100 * detected) / counted;
}

export function renderMutationReport(groups: readonly GroupResult[], equivalents: readonly EquivalentMutant[]): string {
  const rows: string[] = [];
  const total: Tally = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0, other: 0 };
  const escapes: Escape[] = [];
  const matched = new Set<EquivalentMutant>();
  const files = groups.flatMap(({ group, report }) =>
    Object.entries(report?.files ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([file, result]) => ({ group, file, ...result })),
  );
  for (const { group, file, source, mutants } of files) {
    const lines = source.split('\n');
    const tally: Tally = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0, other: 0 };
    for (const m of [...mutants].sort(byPlace)) {
      const equivalent = LISTABLE.has(m.status) ? equivalents.find(sameMutant(file, m)) : undefined;
      if (equivalent) matched.add(equivalent);
      if (equivalent) tally.equivalent++;
      else if (m.status === 'Killed') tally.killed++;
      else if (m.status === 'Timeout') tally.timeout++;
      else if (m.status === 'Survived') tally.survived++;
      else if (m.status === 'NoCoverage') tally.noCoverage++;
      else tally.other++;
      if (ESCAPED.has(m.status) || equivalent) {
        const { line, column } = m.location.start;
        escapes.push({
          where: `${file}:${line}:${column}`,
          status: m.status,
          mutant: `${m.mutatorName} → \`${oneLine(m.replacement ?? '')}\``,
          code: oneLine(lines[line - 1]?.trim() ?? ''),
          ...(equivalent ? { reason: equivalent.reason } : {}),
        });
      }
    }
    for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += tally[key];
    rows.push(tableRow(`${group} | \`${file}\``, tally));
  }
  const stale = equivalents.filter((e) => !matched.has(e));
  const survivors = escapes.filter((e) => e.reason === undefined);
  const equivalentEscapes = escapes.filter((e) => e.reason !== undefined);
  return [
    '# Mutation testing',
    '',
    'Written by `npm run mutation` (StrykerJS, vitest runner, per-test coverage, 2 workers). Mutated: the',
    'sequencing-critical models in `mutation/scope.json`, group by group; killers: the in-process vitest suites',
    'of `mutation/vitest.config.ts`. Score = (killed + timed out) / every mutant that could run and is not',
    'listed as equivalent, with its reason, in `mutation/equivalent.json`.',
    '',
    '| group | last run | at commit | wall time | machine | why it is mutated |',
    '|---|---|---|---|---|---|',
    ...groups.map(({ group, why, run }) => `| ${group} | ${run?.date ?? 'not run'} | ${run?.commit ?? '–'} | ${run ? `${run.wallMinutes.toFixed(1)} min` : '–'} | ${run?.machine ?? '–'} | ${why} |`),
    '',
    '| group | file | mutants | killed | timed out | survived | no coverage | equivalent | score |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    tableRow('**all** |', total),
    '',
    `## Surviving mutants (${survivors.length})`,
    '',
    ...(survivors.length === 0 ? ['None.'] : survivors.map((e) => `- \`${e.where}\` ${e.status}: ${e.mutant} in \`${e.code}\``)),
    '',
    `## Equivalent mutants (${equivalentEscapes.length}, from mutation/equivalent.json)`,
    '',
    ...(equivalentEscapes.length === 0 ? ['None.'] : equivalentEscapes.map((e) => `- \`${e.where}\` ${e.mutant} in \`${e.code}\`: ${e.reason}`)),
    '',
    ...(stale.length === 0
      ? []
      : [
          `## Stale entries in mutation/equivalent.json (${stale.length})`,
          '',
          'These match no mutant of this run that escaped or timed out (the code moved or a test now kills them); update or remove them.',
          '',
          ...stale.map((e) => `- \`${e.file}:${e.line}:${e.column}\` ${e.mutator} → \`${oneLine(e.replacement)}\``),
          '',
        ]),
  ].join('\n');
}

const byPlace = (a: StrykerMutant, b: StrykerMutant) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column;

function tableRow(name: string, t: Tally): string {
  const score = scoreOf(t);
  const mutants = t.killed + t.timeout + t.survived + t.noCoverage + t.equivalent + t.other;
  return `| ${name} | ${mutants} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.equivalent} | ${score === null ? '–' : `${score.toFixed(1)} %`} |`;
}

/** Markdown table cells and list items hold one line; a replacement may span several. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/`/g, "'").slice(0, 160);
}
