/* config - `npm run mutation` stays runnable: its config loads, its scope names files that exist, its equivalence list is well formed */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EQUIVALENT_FILE, SCOPE_FILE, type EquivalentMutant, type ScopeGroup } from '../../mutation/report.ts';
import strykerConfig from '../../mutation/stryker.config.mjs';

const scope = JSON.parse(readFileSync(SCOPE_FILE, 'utf8')) as ScopeGroup[];
const mutated = scope.flatMap((g) => g.mutate);

describe('the mutation setup', () => {
  it('runs the vitest runner with per-test coverage, two workers at most (a shared 2-core machine)', async () => {
    expect(strykerConfig.testRunner).toBe('vitest');
    expect(strykerConfig.coverageAnalysis).toBe('perTest');
    expect(strykerConfig.concurrency).toBeLessThanOrEqual(2);
    expect(existsSync(strykerConfig.vitest.configFile)).toBe(true);
    await expect(import('@stryker-mutator/vitest-runner')).resolves.toHaveProperty('strykerPlugins');
  });

  it('mutates every scope group, each file once, and every file exists', () => {
    expect(strykerConfig.mutate).toEqual(mutated);
    expect(new Set(mutated).size).toBe(mutated.length);
    expect(mutated.filter((file) => !existsSync(file))).toEqual([]);
    expect(new Set(scope.map((g) => g.group)).size).toBe(scope.length);
  });

  it('lists equivalent mutants only in mutated files, on lines they have, each with a reason', () => {
    const equivalents = JSON.parse(readFileSync(EQUIVALENT_FILE, 'utf8')) as EquivalentMutant[];
    const bad = equivalents.filter(
      (e) => !mutated.includes(e.file) || e.line > readFileSync(e.file, 'utf8').split('\n').length || !Number.isInteger(e.column) || e.reason.trim().length < 10 || !e.mutator || typeof e.replacement !== 'string',
    );
    expect(bad).toEqual([]);
  });
});
