/* dovecot-differential - generated client sessions against the real Dovecot → Postfix and the lab, every reply compared
 *
 * The real stack runs on the host's 127.0.0.1 with free ports, forbid=no and the default TCP mode
 * (conformance/dovecot-differential.ts says why); each session comes from an address of its own.
 * The real sessions of the fixed seed are played first, several at a time, then fast-check runs the
 * property over the same seed: a session the cache lacks (one fast-check makes while shrinking)
 * is played live. A disagreement that is not one of conformance/dovecot-differential-known.ts
 * fails with the shrunk session, fast-check's seed and path; every known one must still show.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealStack } from '../../../conformance/real-stack.ts';
import {
  DIFFERENTIAL_REAL_SETTING,
  describeDisagreement,
  firstDisagreement,
  runLabSession,
  runRealSession,
  runRealSessions,
  sessionKey,
  type SessionOutcome,
} from '../../../conformance/dovecot-differential.ts';
import { KNOWN_DOVECOT_DISAGREEMENTS, knownDisagreement } from '../../../conformance/dovecot-differential-known.ts';
import { dovecotSession } from '../../../conformance/dovecot-differential-session.ts';
import { realStackSkipReason } from '../real-stack-env.ts';

const SEED = 20_261_130;
/** 120 sessions: ~30 s of real sessions (12 at a time) and ~10 s of lab runs here under load; every known disagreement shows at this seed. */
const RUNS = 120;
const CONCURRENCY = 12;
/** The lab's own seed: sessions are lock-step, so no drawn timing can change a reply. */
const LAB_SEED = 1;

type LabSide = (lines: readonly string[]) => SessionOutcome;

describe.skipIf(realStackSkipReason !== null)("Dovecot front: generated sessions, the real Dovecot (Debian's 2.3.19.1+deb12u7) → Postfix 3.7.11 against the lab on that build", () => {
  let stack: RealStack;
  let real: Map<string, SessionOutcome>;

  beforeAll(async () => {
    stack = await RealStack.start({ netns: null });
    await stack.configure(DIFFERENTIAL_REAL_SETTING);
    real = await runRealSessions(stack, fc.sample(dovecotSession, { seed: SEED, numRuns: RUNS }), CONCURRENCY);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  /** Runs the property over `runs` sessions with `lab` as the lab side; returns fast-check's details and the known disagreements seen. */
  async function check(lab: LabSide, runs: number): Promise<{ details: fc.RunDetails<[string[]]>; seen: Set<string> }> {
    const seen = new Set<string>();
    const property = fc.asyncProperty(dovecotSession, async (lines) => {
      const realSide = real.get(sessionKey(lines)) ?? (await runRealSession(stack, lines));
      const d = firstDisagreement(lines, realSide, lab(lines));
      if (d === null) return;
      const known = knownDisagreement(d);
      if (known === null) throw new Error(`unlisted disagreement at ${describeDisagreement(d)}`);
      seen.add(known.id);
    });
    const details = await fc.check(property, { seed: SEED, numRuns: runs, endOnFailure: false });
    return { details, seen };
  }

  it(
    `${RUNS} sessions: every reply and every end agrees, but for the listed disagreements, each of which shows`,
    async () => {
      const { details, seen } = await check((lines) => runLabSession(lines, LAB_SEED), RUNS);
      if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? 'failed');
      expect([...seen].sort()).toEqual(KNOWN_DOVECOT_DISAGREEMENTS.map((k) => k.id).sort());
    },
    240_000,
  );

  it(
    'can fail: a lab whose NOOP reply is wrong is caught and shrunk to the session of that NOOP alone',
    async () => {
      const wrongNoop: LabSide = (lines) => {
        const outcome = runLabSession(lines, LAB_SEED);
        return { ...outcome, replies: outcome.replies.map((reply, i) => (i > 0 && /^NOOP$/i.test(lines[i - 1]!) && reply === '250 2.0.0 OK' ? '250 2.0.0 Ok' : reply)) };
      };
      const { details } = await check(wrongNoop, RUNS);
      expect(details.failed).toBe(true);
      const [lines] = details.counterexample!;
      expect(lines.some((line) => /^NOOP$/i.test(line))).toBe(true);
      // Shrunk from sessions of up to 10 lines to the one line that disagrees.
      expect(lines).toEqual(['NOOP']);
      expect(String(details.errorInstance)).toContain('real "250 2.0.0 OK" lab "250 2.0.0 Ok"');
    },
    240_000,
  );
});
