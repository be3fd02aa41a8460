/* config - `npm run mutation` stays runnable: its config loads, its scope names code that exists, its equivalence list is well formed */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EQUIVALENT_FILE, SCOPE_FILE, type EquivalentMutant, type ScopeGroup } from '../../mutation/report.ts';
import strykerConfig from '../../mutation/stryker.config.mjs';

const scope = JSON.parse(readFileSync(SCOPE_FILE, 'utf8')) as ScopeGroup[];
const lineCount = (file: string) => readFileSync(file, 'utf8').split('\n').length;
/** `file.ts` or `file.ts:from-to`, as Stryker's --mutate takes them. */
const parts = (entry: string) => {
  const [file = '', range] = entry.split(':');
  const [from, to] = range ? range.split('-').map(Number) : [1, Infinity];
  return { file, from: from ?? 1, to: to ?? Infinity };
};

describe('the mutation setup', () => {
  it('runs the vitest runner with per-test coverage, two workers at most (a shared 2-core machine)', async () => {
    expect(strykerConfig.testRunner).toBe('vitest');
    expect(strykerConfig.coverageAnalysis).toBe('perTest');
    expect(strykerConfig.concurrency).toBeLessThanOrEqual(2);
    expect(existsSync(strykerConfig.vitest.configFile)).toBe(true);
    await expect(import('@stryker-mutator/vitest-runner')).resolves.toHaveProperty('strykerPlugins');
  });

  it('mutates every scope group, and each names files that exist and line ranges inside them', () => {
    expect(strykerConfig.mutate).toEqual(scope.flatMap((g) => g.mutate));
    const bad = scope.flatMap((g) => g.mutate).map(parts).filter(({ file, from, to }) => !existsSync(file) || from > to || (to !== Infinity && to > lineCount(file)));
    expect(bad).toEqual([]);
    expect(new Set(scope.map((g) => g.group)).size).toBe(scope.length);
  });

  it('lists equivalent mutants only in mutated code, each with a reason', () => {
    const equivalents = JSON.parse(readFileSync(EQUIVALENT_FILE, 'utf8')) as EquivalentMutant[];
    const mutated = scope.flatMap((g) => g.mutate).map(parts);
    const inScope = (e: EquivalentMutant) => mutated.some(({ file, from, to }) => file === e.file && e.line >= from && e.line <= to);
    expect(equivalents.filter((e) => !inScope(e) || e.reason.trim().length < 10 || !e.mutator || typeof e.replacement !== 'string')).toEqual([]);
  });
});
