/* golden - the traces of the golden runs are the ones recorded in golden-traces.json, byte for byte */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GOLDEN_FILE, goldenTraces, type GoldenTraces } from './golden-runs.ts';

const recorded = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as GoldenTraces;

describe('golden traces (npm run golden:update rewrites them after a deliberate behaviour change)', () => {
  const now = goldenTraces();
  it.each(Object.keys(now))('%s: every run gives the recorded trace', (scenario) => {
    const changed = (now[scenario] ?? []).flatMap((hash, index) => (recorded[scenario]?.[index] === hash ? [] : [index]));
    expect(changed, `runs whose trace changed (case index of golden-runs.ts)`).toEqual([]);
    expect(now[scenario]).toHaveLength(recorded[scenario]?.length ?? 0);
  });
});
