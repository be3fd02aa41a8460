/* smtpd-diff - generated lock-step SMTP sessions against the real Postfix 3.7.11 and the model, reply by reply
 *
 * The real side is the real stack's smtpd (conformance/real-stack/config.ts: forbid=yes, XCLIENT
 * from 127.0.0.0/8, SASL through the real Dovecot) on the host's 127.0.0.1; the lab side is the
 * built-in real-stack scenario's Postfix model, driven in process. A session whose first
 * disagreement is not in conformance/smtpd-diff/known.ts fails, shrunk to the shortest session
 * (fast-check prints its seed and path); each listed one must still show in its witness.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToLatin1, asciiBytes, type Model, type Output } from '../../../models/contract.ts';
import { createPostfix } from '../../../models/postfix/smtpd.ts';
import { RealStack } from '../../../conformance/real-stack.ts';
import { describeDisagreement, firstDisagreement } from '../../../conformance/smtpd-diff/compare.ts';
import { KNOWN_SETTING_DIFFERENCES, KNOWN_SMTPD_DISAGREEMENTS, knownSmtpdDisagreement } from '../../../conformance/smtpd-diff/known.ts';
import { runLabSession } from '../../../conformance/smtpd-diff/lab-side.ts';
import { runRealSession } from '../../../conformance/smtpd-diff/real-side.ts';
import type { Step } from '../../../conformance/smtpd-diff/session.ts';
import { modelSettings, realSettings } from '../../../conformance/smtpd-diff/settings.ts';
import { smtpSession } from '../../../conformance/smtpd-diff/generator.ts';
import { builtinScenario } from '../../../scenarios/builtin.ts';
import { resolveScenario } from '../../../scenarios/scenario.ts';
import { postfixConfigOf } from '../../../scenarios/topology.ts';
import { realStackSkipReason } from '../real-stack-env.ts';

const SEED = 20261130;
/** About 25-40 s here (the real side's MAIL and RCPT take ~5 ms each: cleanup, trivial-rewrite). */
const RUNS = 300;
const CONFIG = postfixConfigOf(resolveScenario(builtinScenario('real-stack')!));

/** The model, but "250 2.0.0 Ok" (NOOP's and RSET's reply) says something else: a disagreement the comparison must report. */
function wrongOk(model: Model): Model {
  return {
    name: model.name,
    handle: (now, input) => model.handle(now, input),
    poll: (): Output | undefined => {
      const out = model.poll();
      if (out?.kind !== 'write') return out;
      return { ...out, bytes: asciiBytes(bytesToLatin1(out.bytes).replace('250 2.0.0 Ok\r\n', '250 2.0.0 Fine\r\n')) };
    },
  };
}

describe.skipIf(realStackSkipReason !== null)('smtpd differential: the real Postfix 3.7.11 and the model, command by command', () => {
  let stack: RealStack | undefined;
  beforeAll(async () => {
    stack = await RealStack.start({ netns: null });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const firstOf = async (steps: readonly Step[], model: Model = createPostfix(CONFIG)) => {
    const real = await runRealSession(stack!.ports.postfix, steps);
    const d = firstDisagreement(real, await runLabSession(model, steps));
    return d && { ...d, shown: describeDisagreement(d, real) };
  };

  it('both sides run with the same smtpd parameters but for the listed differences', () => {
    const real = realSettings(join(stack!.lab, 'postfix'), `127.0.0.1:${stack!.ports.postfix}`);
    const model = modelSettings(CONFIG);
    const differing = Object.keys(real).filter((name) => real[name] !== model[name]);
    const shown = differing.map((name) => `${name}: real ${JSON.stringify(real[name])}, model ${JSON.stringify(model[name])}`).join('\n');
    expect(differing.sort(), shown).toEqual(Object.keys(KNOWN_SETTING_DIFFERENCES).sort());
    // The comparison reads the -o of master.cf: the service's SASL is on although main.cf leaves it off.
    expect(real.smtpd_sasl_auth_enable).toBe('yes');
  });

  it.each(KNOWN_SMTPD_DISAGREEMENTS.map((k) => [k.name, k] as const))('the listed disagreement "%s" still shows in its witness', async (_name, known) => {
    const d = await firstOf(known.witness);
    expect(d, 'fixed? then take it off conformance/smtpd-diff/known.ts').not.toBeNull();
    expect(knownSmtpdDisagreement(d!), d!.shown).toBe(known);
    expect(d!.step, 'the witness\'s last command').toBe(known.witness.length);
  });

  it(`${RUNS} generated sessions (seed ${SEED}) agree but for the listed disagreements`, async () => {
    await fc.assert(
      fc.asyncProperty(smtpSession, async (steps) => {
        const d = await firstOf(steps);
        if (d && !knownSmtpdDisagreement(d)) throw new Error(`unlisted disagreement at step ${d.step}:\n${d.shown}`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 150_000);

  it('catches a model with one wrong reply, shrunk to a short session with its seed and path', async () => {
    const result = await fc.check(
      fc.asyncProperty(smtpSession, async (steps) => (await firstOf(steps, wrongOk(createPostfix(CONFIG)))) === null),
      { seed: SEED, numRuns: 100 },
    );
    expect(result.failed).toBe(true);
    // Every session ends with the NOOP probe, so the shortest is one command (or none) before it.
    const shortest = result.counterexample![0];
    expect(shortest.length).toBeLessThanOrEqual(1);
    const d = await firstOf(shortest, wrongOk(createPostfix(CONFIG)));
    expect(d).toMatchObject({ sent: expect.stringMatching(/^(NOOP|RSET)\r\n$/), real: '250 2.0.0 Ok', lab: '250 2.0.0 Fine' });
    expect(fc.defaultReportMessage(result)).toMatch(/seed: 20261130, path: "[\d:]+"/);
  }, 60_000);
});
