/* report - MUTATION.md counts each mutant once, leaves equivalent ones out of the score and names every escape */
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMutationReport, scoreOf, withoutMachinePaths, withoutUnexplainedSurvivors, type GroupResult, type StrykerMutant } from '../../mutation/report.ts';

const at = (line: number, mutatorName: string, replacement: string, status: string): StrykerMutant => ({ mutatorName, replacement, status, location: { start: { line, column: 3 } } });
const source = 'const a = 1;\nif (a > 0) run();\nreturn a;\n';
const ran: GroupResult = {
  group: 'core',
  why: 'the part that matters',
  run: { date: '2026-11-29', commit: 'abc1234', wallMinutes: 12.34, machine: 'test machine' },
  report: {
    files: {
      'models/x.ts': {
        source,
        mutants: [
          at(3, 'BlockStatement', '{}', 'NoCoverage'),
          at(1, 'NumericLiteral', '0', 'Killed'),
          at(2, 'EqualityOperator', 'a >= 0', 'Survived'),
          at(2, 'ConditionalExpression', 'true', 'Survived'),
          at(3, 'StringLiteral', '""', 'Timeout'),
          at(1, 'StringLiteral', '""', 'CompileError'),
        ],
      },
    },
  },
};
const notRun: GroupResult = { group: 'rest', why: 'the rest', run: null, report: null };
const equivalent = { file: 'models/x.ts', line: 2, column: 3, mutator: 'EqualityOperator', replacement: 'a >= 0', reason: 'a is never 0' };

describe('the mutation report', () => {
  it('scores detected over every mutant that could run and is not equivalent', () => {
    const page = renderMutationReport([ran, notRun], [equivalent]);
    // killed 1 + timeout 1 detected; survived 1 + no coverage 1 escaped; the compile error and the equivalent one do not count.
    expect(page).toContain('| core | `models/x.ts` | 6 | 1 | 1 | 1 | 1 | 1 | 50.0 % |');
    expect(page).toContain('| **all** | | 6 | 1 | 1 | 1 | 1 | 1 | 50.0 % |');
  });

  it('says when and at which commit each group last ran, how long it took, and which groups never ran', () => {
    const page = renderMutationReport([ran, notRun], []);
    expect(page).toContain('| core | 2026-11-29 | abc1234 | 12.3 min | test machine | the part that matters |');
    expect(page).toContain('| rest | not run | – | – | – | the rest |');
  });

  it('lists each survivor in source order with its line of code, and each equivalent one with its reason', () => {
    const page = renderMutationReport([ran], [equivalent]);
    expect(page).toContain('## Surviving mutants (2)');
    const survivors = page.slice(page.indexOf('## Surviving'), page.indexOf('## Equivalent'));
    expect(survivors.indexOf('models/x.ts:2:3')).toBeLessThan(survivors.indexOf('models/x.ts:3:3'));
    expect(page).toContain("- `models/x.ts:2:3` Survived: ConditionalExpression → `true` in `if (a > 0) run();`");
    expect(page).toContain('- `models/x.ts:3:3` NoCoverage: BlockStatement → `{}` in `return a;`');
    expect(page).toContain('## Equivalent mutants (1, from mutation/equivalent.json)');
    expect(page).toContain('EqualityOperator → `a >= 0` in `if (a > 0) run();`: a is never 0');
  });

  it('counts a listed mutant that timed out as equivalent, not as detected (a busy machine is no kill)', () => {
    const timedOut = { ...equivalent, line: 3, mutator: 'StringLiteral', replacement: '""' };
    const page = renderMutationReport([ran], [equivalent, timedOut]);
    // detected: only the killed one; escaped: the survivor and the no-coverage one.
    expect(page).toContain('| core | `models/x.ts` | 6 | 1 | 0 | 1 | 1 | 2 | 33.3 % |');
    expect(page).toContain('StringLiteral → `""` in `return a;`: a is never 0');
  });

  it('names an equivalence entry that no longer matches a surviving mutant, so the list cannot rot', () => {
    const page = renderMutationReport([ran], [{ ...equivalent, line: 7 }]);
    expect(page).toContain('## Stale entries in mutation/equivalent.json (1)');
    expect(page).toContain('## Surviving mutants (3)');
  });

  it('has no score for a file without runnable mutants', () => {
    expect(scoreOf({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 2, other: 1 })).toBeNull();
  });
});

describe('withoutUnexplainedSurvivors', () => {
  const mutant = (id: string, status: string, isStatic: boolean, line = 1) => ({ id, status, static: isStatic, testsCompleted: 3, mutatorName: 'ConditionalExpression', replacement: 'true', location: { start: { line, column: 7 } } });
  const listed = { file: 'a.ts', line: 9, column: 7, mutator: 'ConditionalExpression', replacement: 'true', reason: 'cannot show' };

  it('drops every static survivor and every survivor not listed as equivalent, and keeps every other field', () => {
    const report = {
      schemaVersion: '2',
      files: {
        'a.ts': { language: 'typescript', mutants: [mutant('1', 'Survived', true, 9), mutant('2', 'Survived', false), mutant('3', 'Killed', true), mutant('4', 'NoCoverage', true), mutant('6', 'Survived', false, 9), mutant('7', 'NoCoverage', false)] },
        'b.ts': { language: 'typescript', mutants: [mutant('5', 'Timeout', true), mutant('8', 'Survived', false, 9)] },
      },
    };
    const kept = withoutUnexplainedSurvivors(report, [listed]);
    // 6 is listed (a.ts 9:7); 8 has the same place in another file, so it is not
    expect(Object.fromEntries(Object.entries(kept.files).map(([name, file]) => [name, file.mutants.map((m) => m.id)]))).toEqual({ 'a.ts': ['3', '6'], 'b.ts': ['5'] });
    expect(kept.schemaVersion).toBe('2');
    expect(kept.files['a.ts'].language).toBe('typescript');
  });

  it('keeps a listed survivor only when the mutator and the replacement match too', () => {
    const report = { files: { 'a.ts': { mutants: [{ ...mutant('1', 'Survived', false, 9), replacement: 'false' }, { ...mutant('2', 'Survived', false, 9), mutatorName: 'EqualityOperator' }] } } };
    expect(withoutUnexplainedSurvivors(report, [listed]).files['a.ts'].mutants).toEqual([]);
  });
});

describe('withoutMachinePaths', () => {
  it('drops the project root, the run directory and absolute node_modules paths, and nothing else', () => {
    // paths of the machine the test runs on: what a run leaves in the file
    const root = join(tmpdir(), 'stryker-run');
    const home = join(homedir(), 'lab');
    const json = JSON.stringify({ projectRoot: root, files: { 'sim/a.ts': { mutants: [{ statusReason: `ENOENT: open '${root}/.stryker-tmp/s/x.map'\n at file://${home}/node_modules/vite/a.js:1 (${home}/.npm/node_modules/npm/b.js)` }] } } }, null, 2);
    const clean = withoutMachinePaths(json, root);
    expect(clean).not.toContain(root);
    expect(clean).not.toContain(home);
    expect(JSON.parse(clean)).toEqual({ files: { 'sim/a.ts': { mutants: [{ statusReason: "ENOENT: open '.stryker-tmp/s/x.map'\n at node_modules/vite/a.js:1 (node_modules/npm/b.js)" }] } } });
  });
});
