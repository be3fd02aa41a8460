/* backend-failure-generation - generated traces draw a failing Postfix only where faults may break a session */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labCase } from '../../properties/arbitraries/lab-case.ts';
import { successPossible } from '../../properties/verdicts.ts';
import { loadScenario } from '../../scenarios/index.ts';

/** The scenario the cases would run on: successPossible() asks how its front writes the login and its Mailu release reads it. */
const MAILU = loadScenario({ scenario: 'mailu-2024.06' });
import { FAIL_STEPS } from '../../models/postfix/injected-failure.ts';
import { parseKeyText } from '../../scenarios/values.ts';

describe('postfix.fail_* in generated cases', () => {
  const any = fc.sample(labCase({ faults: 'any' }), { seed: 13, numRuns: 1000 });

  it("faults 'any': a few cases fail at every step, each with values the keys accept, and none of them is a case that could succeed", () => {
    const failing = any.filter((c) => c.overrides['postfix.fail_at'] !== undefined);
    expect(failing.length).toBeGreaterThan(20);
    expect(failing.length).toBeLessThan(100);
    expect(new Set(failing.map((c) => c.overrides['postfix.fail_at']))).toEqual(new Set(FAIL_STEPS));
    for (const c of failing) {
      for (const key of ['postfix.fail_at', 'postfix.fail_reply', 'postfix.fail_sessions'] as const) {
        expect(parseKeyText(key, String(c.overrides[key]))).toEqual(c.overrides[key]);
      }
      expect(c.overrides['postfix.fail_reply']).not.toBe('stall');
      expect(successPossible(c, MAILU)).toBe(false);
    }
  });

  it("faults 'benign': never", () => {
    const benign = fc.sample(labCase({ faults: 'benign' }), { seed: 13, numRuns: 300 });
    expect(benign.filter((c) => 'postfix.fail_at' in c.overrides)).toEqual([]);
  });
});
