/* properties - each lab property holds where it should, and its sibling shows it catches the bug it guards against */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { runLabProperty } from '../../properties/check.ts';
import { propertyById, PROPERTIES, type LabProperty } from '../../properties/suite.ts';

const property = (id: string): LabProperty => propertyById(id) ?? (() => { throw new Error(id); })();
const check = (id: string, scenario: string, numRuns: number, sets: string[] = [], seed = 1) =>
  runLabProperty(property(id), { scenario: loadScenario({ scenario, sets }), seed, numRuns });

describe('1. bug exists', () => {
  it('finds a correct client refused with 454 after improper pipelining on mailu-2024.06, and shrinks it', () => {
    const outcome = check('bug-exists', 'mailu-2024.06', 200);
    expect(outcome.result).toBe('found');
    expect(outcome.verdict).toMatch(/454 4\.7\.0 Account is temporarily unavailable.*4 backend connections/);
    expect(outcome.counterexample?.client.password).toBe('secret');
    expect(outcome.shrinks).toBeGreaterThan(0);
  });

  it('sibling: finds nothing on the lock-step proxy, so "found" is not a foregone conclusion', () => {
    expect(check('bug-exists', 'lockstep', 150).result).toBe('not-found');
  });
});

describe('2. fixed sequencing', () => {
  it('holds on lockstep over generated traces, with every coverage class generated', () => {
    const outcome = check('fixed-sequencing', 'lockstep', 150);
    expect(outcome.coverageGap.missing).toEqual([]);
    expect(outcome.result).toBe('passed');
  });

  it('sibling: fails on the Dovecot 2.3 sequencing with the 454', () => {
    const outcome = check('fixed-sequencing', 'mailu-2024.06', 150);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/454|improper command pipelining after XCLIENT/);
  });
});

describe("3. Mailu's workaround", () => {
  it('holds on mailu-2024.06-pr3322: every correct client served', () => {
    expect(check('workaround', 'mailu-2024.06-pr3322', 150).result).toBe('passed');
  });

  it('sibling: fails on mailu-2024.06 (the same chain without PR 3322)', () => {
    const outcome = check('workaround', 'mailu-2024.06', 150);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/instead of 235/);
  });
});

describe('5. safety under any faults', () => {
  it('holds on mailu-2024.06 with destructive faults generated', () => {
    const outcome = check('safety', 'mailu-2024.06', 200);
    expect(outcome.coverageGap.missing).toEqual([]);
    expect(outcome.result).toBe('passed');
  });

  it("sibling: on the recorded real-stack layout (ADDR=127.0.0.1 is an authorized XCLIENT host) a client's own XCLIENT changes its identity", () => {
    const outcome = check('safety', 'real-stack', 300);
    expect(outcome.result).toBe('failed');
    expect(outcome.verdict).toMatch(/sasl_username=mallory@example\.test.*changed the identity/);
  });
});

describe('6. liveness', () => {
  it('holds on lockstep with destructive faults', () => {
    expect(check('liveness', 'lockstep', 150).result).toBe('passed');
  });

  it('sibling: a Postfix that waits an hour for a silent peer (smtpd_timeout=3600) keeps the chain busy past the bound', () => {
    const outcome = check('liveness', 'lockstep', 150, ['postfix.smtpd_timeout=3600']);
    expect(outcome.result).toBe('failed');
    // the kernel's retransmissions (~925 s) now come before the hour, where Postfix's reply was not ACKed
    expect(outcome.verdict).toMatch(/still busy at 3600|^the kernel ended postfix's c\d+ by retransmission timeout/);
  });
});

describe('coverage gate', () => {
  it('a pass that never generated a required class is reported as coverage-missing, not passed', () => {
    const strict: LabProperty = { ...property('fixed-sequencing'), coverage: () => ['auth:999'] };
    const outcome = runLabProperty(strict, { scenario: loadScenario({ scenario: 'lockstep' }), seed: 1, numRuns: 20 });
    expect(outcome.result).toBe('coverage-missing');
    expect(outcome.ok).toBe(false);
    expect(outcome.coverageGap.missing).toEqual(['auth:999']);
  });

  it('traces are classified by the configuration they ran with: a pinned profile is the only profile counted', () => {
    const outcome = check('fixed-sequencing', 'lockstep', 60, ['tcp.profile=nodelay', 'postfix.xclient_lookup_ms=0']);
    expect([...outcome.coverage.counts.keys()].filter((c) => c.startsWith('profile:') || c.startsWith('trigger:')).sort()).toEqual(['profile:nodelay', 'trigger:none']);
    expect(outcome.coverage.counts.get('profile:nodelay')).toBe(outcome.runs);
    // What the pins rule out is said, not counted as covered.
    expect(outcome.coverageGap.pinned.map((p) => `${p.coverageClass} by ${p.by}`)).toEqual([
      'profile:linux-default by tcp.profile=nodelay', 'profile:pingpong3 by tcp.profile=nodelay', 'profile:quickack by tcp.profile=nodelay',
      'trigger:slow-xclient by postfix.xclient_lookup_ms=0',
    ]);
  });
});

describe('replay', () => {
  it('seed and path give back the exact shrunk counterexample', () => {
    const first = check('bug-exists', 'mailu-2024.06', 200, [], 5);
    expect(first.path).not.toBeNull();
    const again = runLabProperty(property('bug-exists'), { scenario: loadScenario({ scenario: 'mailu-2024.06' }), seed: first.seed, numRuns: 1000, path: first.path! });
    expect(again.counterexample).toEqual(first.counterexample);
    expect(again.verdict).toBe(first.verdict);
  });

  it('every property in the table has an id, a scenario that loads, and a title', () => {
    for (const p of PROPERTIES) {
      expect(p.title.length).toBeGreaterThan(10);
      expect(() => loadScenario({ scenario: p.scenario })).not.toThrow();
    }
  });
});
