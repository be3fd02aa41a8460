/* differential - property 4: the same traces break dovecot-2.3 and never the lock-step proxy */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { generateCases, runDifferential, type DifferentialReport } from '../../properties/differential.ts';

describe('4. differential', () => {
  const cases = generateCases(3, 150);
  // Run by the first test that asks, not while collecting: work done outside a test belongs to no
  // test, and `npm run mutation` would then rerun every test for every mutant it reaches.
  let report: DifferentialReport | undefined;
  const tally = (name: string) => {
    report ??= runDifferential(['mailu-2024.06', 'lockstep', 'mailu-2024.06-pr3322'].map((scenario) => loadScenario({ scenario })), cases, 3);
    return report.tallies.find((t) => t.scenario === name)!;
  };

  it('counts the traces that broke dovecot-2.3, each for the pipelining reason', () => {
    expect(tally('mailu-2024.06').failures).toBeGreaterThan(0);
    expect(tally('mailu-2024.06').pipeliningFailures).toBe(tally('mailu-2024.06').failures);
  });

  it('none of the same traces broke lockstep, and Postfix never saw it pipeline', () => {
    expect(tally('lockstep').failures).toBe(0);
    expect(tally('lockstep').improperLogged).toBe(0);
  });

  it('the workaround serves every client while Postfix still logs the pipelining it now tolerates', () => {
    expect(tally('mailu-2024.06-pr3322').failures).toBe(0);
    expect(tally('mailu-2024.06-pr3322').improperLogged).toBeGreaterThan(0);
  });

  it('the traces are the same for every scenario: one seed, one sample', () => {
    expect(generateCases(3, 150)).toEqual(cases);
  });
});
