/* nginx-differential - generated client sessions through the real nginx 1.22.1 → Postfix 3.7.11 and through the lab's nginx front, every reply compared
 *
 * The real chain (conformance/nginx-differential-real.ts): Debian's nginx with its mail module on a
 * free port of 127.0.0.1, an auth_http service in this process deciding as the lab's Mailu auth
 * model does, the real stack's Postfix behind it. The lab: the `real-stack` scenario with the nginx
 * front of that release (conformance/nginx-differential.ts). The real sessions of the fixed seed
 * are played first, several at a time, then fast-check runs the property over the same seed: a
 * session the cache lacks (one fast-check makes while shrinking) is played live. A disagreement
 * that is not one of conformance/nginx-differential-known.ts fails with the shrunk session,
 * fast-check's seed and path; each listed one must still show in its witness.
 * Skipped without root, the real stack or nginx; under SMTP_LAB_REQUIRE_REAL_STACK=1 their absence fails.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDisagreement, firstDisagreement, sessionKey, type SessionOutcome } from '../../../conformance/front-differential.ts';
import { NginxDifferentialStack, runNginxLabSession } from '../../../conformance/nginx-differential.ts';
import { KNOWN_NGINX_DISAGREEMENTS, knownNginxDisagreement } from '../../../conformance/nginx-differential-known.ts';
import { nginxMissing } from '../../../conformance/nginx-differential-real.ts';
import { nginxSession } from '../../../conformance/nginx-differential-session.ts';
import { realStackSkipReason } from '../real-stack-env.ts';

const SEED = 20_261_130;
/** 250 sessions: ~25 s of real sessions (12 at a time) and a few seconds of lab runs here; 150 took 24 s in all. */
const RUNS = 250;
const CONCURRENCY = 12;
/** The lab's own seed: sessions are lock-step, so no drawn timing can change a reply. */
const LAB_SEED = 1;

/** Why the test cannot run here: the real stack's reason (real-stack-env.ts throws when it is required), or nginx's. */
const skipReason: string | null = (() => {
  if (realStackSkipReason !== null) return realStackSkipReason;
  const why = nginxMissing();
  if (why && process.env.SMTP_LAB_REQUIRE_REAL_STACK === '1') throw new Error(`real nginx required but ${why}`);
  if (why) console.warn(`\n*** SKIPPING the nginx differential: ${why}. SMTP_LAB_REQUIRE_REAL_STACK=1 makes its absence a failure (CI does). ***\n`);
  return why;
})();

type LabSide = (lines: readonly string[]) => SessionOutcome;

describe.skipIf(skipReason !== null)('nginx front: generated sessions, the real nginx 1.22.1 → Postfix 3.7.11 against the lab', () => {
  let chain: NginxDifferentialStack;
  let real: Map<string, SessionOutcome>;

  beforeAll(async () => {
    chain = await NginxDifferentialStack.start();
    real = await chain.runSessions(fc.sample(nginxSession, { seed: SEED, numRuns: RUNS }), CONCURRENCY);
  }, 180_000);

  afterAll(async () => {
    await chain?.stop();
  });

  /** Runs the property over `runs` sessions with `lab` as the lab side; returns fast-check's details. */
  async function check(lab: LabSide, runs: number): Promise<fc.RunDetails<[string[]]>> {
    const property = fc.asyncProperty(nginxSession, async (lines) => {
      const realSide = real.get(sessionKey(lines)) ?? (await chain.runSession(lines));
      const d = firstDisagreement(lines, realSide, lab(lines));
      if (d !== null && knownNginxDisagreement(d) === null) throw new Error(`unlisted disagreement at ${describeDisagreement(d)}`);
    });
    return fc.check(property, { seed: SEED, numRuns: runs, endOnFailure: false });
  }

  it(
    `${RUNS} sessions: every reply and every end agrees, but for the listed disagreements`,
    async () => {
      const details = await check((lines) => runNginxLabSession(lines, LAB_SEED), RUNS);
      if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? 'failed');
      // The auth service answered every request nginx made (a 4xx or 5xx would be a broken run, not a disagreement).
      expect(chain.auth.problems).toEqual([]);
    },
    240_000,
  );

  it.each(KNOWN_NGINX_DISAGREEMENTS.map((k) => [k.id, k] as const))('the listed disagreement "%s" still shows in its witness', async (_id, known) => {
    const d = firstDisagreement(known.witness, await chain.runSession(known.witness), runNginxLabSession(known.witness, LAB_SEED));
    expect(d, 'fixed? then take it off conformance/nginx-differential-known.ts').not.toBeNull();
    expect(knownNginxDisagreement(d!)?.id, describeDisagreement(d!)).toBe(known.id);
    expect(d!.index, "the witness's last line").toBe(known.witness.length);
  });

  it(
    'can fail: a lab whose NOOP reply is wrong is caught and shrunk to the session of that NOOP alone',
    async () => {
      // nginx's own NOOP reply before login (ngx_mail_smtp_handler.c smtp_ok[], release-1.22.1: "250 2.0.0 OK"); Postfix's after it is "Ok".
      const wrongNoop: LabSide = (lines) => {
        const outcome = runNginxLabSession(lines, LAB_SEED);
        return { ...outcome, replies: outcome.replies.map((reply, i) => (i > 0 && /^NOOP$/i.test(lines[i - 1] ?? '') && reply === '250 2.0.0 OK' ? '250 2.0.0 Fine' : reply)) };
      };
      const details = await check(wrongNoop, RUNS);
      expect(details.failed).toBe(true);
      // Shrunk from sessions of up to 10 lines to the one line that disagrees.
      expect(details.counterexample![0]).toEqual(['NOOP']);
      expect(String(details.errorInstance)).toContain('real "250 2.0.0 OK" lab "250 2.0.0 Fine"');
      expect(fc.defaultReportMessage(details)).toMatch(/seed: 20261130, path: "[\d:]+"/);
    },
    240_000,
  );
});
