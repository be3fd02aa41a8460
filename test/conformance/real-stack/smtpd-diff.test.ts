/* smtpd-diff - generated SMTP sessions against the real Postfix 3.7.11 and the model, reply by reply
 *
 * Lock-step sessions, and sessions with bursts (several commands in one write), whose
 * "improper command pipelining" log lines are compared too.
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
import { describeDisagreement, firstDisagreement, LOG_STEP, pipeliningLog } from '../../../conformance/smtpd-diff/compare.ts';
import { KNOWN_SETTING_DIFFERENCES, KNOWN_SMTPD_DISAGREEMENTS, knownSmtpdDisagreement } from '../../../conformance/smtpd-diff/known.ts';
import { runLabSession } from '../../../conformance/smtpd-diff/lab-side.ts';
import { runRealSession } from '../../../conformance/smtpd-diff/real-side.ts';
import { burst, type Step } from '../../../conformance/smtpd-diff/session.ts';
import { modelSettings, realSettings } from '../../../conformance/smtpd-diff/settings.ts';
import { pipelinedSession, smtpSession } from '../../../conformance/smtpd-diff/generator.ts';
import { builtinScenario } from '../../../scenarios/builtin.ts';
import { resolveScenario } from '../../../scenarios/scenario.ts';
import { postfixConfigOf } from '../../../scenarios/topology.ts';
import { realStackSkipReason } from '../real-stack-env.ts';

const SEED = 20261130;
/**
 * About 75 s here (the real side's MAIL and RCPT take ~5 ms each: cleanup, trivial-rewrite; a wrong
 * password costs Dovecot's 2 s auth_failure_delay, an AUTH after it up to its penalty).
 */
const RUNS = 300;
/** Sessions with bursts: about 20 s here. */
const RUNS_PIPELINED = 150;
const line = (text: string): Step => ({ kind: 'line', bytes: `${text}\r\n` });
const CONFIG = postfixConfigOf(resolveScenario(builtinScenario('real-stack')!));

/** The model with each output passed through `change`: a deliberately wrong model the comparison must catch. */
function altered(model: Model, change: (out: Output) => Output): Model {
  return {
    name: model.name,
    handle: (now, input) => model.handle(now, input),
    poll: (): Output | undefined => {
      const out = model.poll();
      return out && change(out);
    },
  };
}

/** "250 2.0.0 Ok" (NOOP's and RSET's reply) says something else. */
const wrongOk = (out: Output): Output =>
  out.kind !== 'write' ? out : { ...out, bytes: asciiBytes(bytesToLatin1(out.bytes).replace('250 2.0.0 Ok\r\n', '250 2.0.0 Fine\r\n')) };

/** "improper command pipelining after <CMD>" names the command in lower case. */
const wrongPipeliningLog = (out: Output): Output =>
  out.kind !== 'log' ? out : { ...out, line: out.line.replace(/^(improper command pipelining after )(\S+)/, (_all, head: string, where: string) => `${head}${where.toLowerCase()}`) };

describe.skipIf(realStackSkipReason !== null)('smtpd differential: the real Postfix 3.7.11 and the model, command by command', () => {
  let stack: RealStack | undefined;
  beforeAll(async () => {
    stack = await RealStack.start({ netns: null });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** The real side's run of `steps` and the first disagreement with the model's (null: none). */
  const compared = async (steps: readonly Step[], model: Model = createPostfix(CONFIG)) => {
    const real = await runRealSession(stack!.ports.postfix, steps, stack!);
    const d = firstDisagreement(real, await runLabSession(model, steps));
    return { real, d: d && { ...d, shown: describeDisagreement(d, real.results) } };
  };
  const firstOf = async (steps: readonly Step[], model?: Model) => (await compared(steps, model)).d;

  const agreeButForListed = (sessions: fc.Arbitrary<Step[]>, numRuns: number) =>
    fc.assert(
      fc.asyncProperty(sessions, async (steps) => {
        const d = await firstOf(steps);
        if (d && !knownSmtpdDisagreement(d)) throw new Error(`unlisted disagreement at step ${d.step}:\n${d.shown}`);
      }),
      { seed: SEED, numRuns },
    );

  /** fast-check's shrunk session where the model altered by `change` disagrees, and that disagreement. */
  const caught = async (sessions: fc.Arbitrary<Step[]>, change: (out: Output) => Output, numRuns: number) => {
    const wrong = () => altered(createPostfix(CONFIG), change);
    const result = await fc.check(fc.asyncProperty(sessions, async (steps) => (await firstOf(steps, wrong())) === null), { seed: SEED, numRuns });
    expect(result.failed).toBe(true);
    const shortest = result.counterexample![0];
    return { result, shortest, d: await firstOf(shortest, wrong()) };
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

  it(`${RUNS} generated sessions (seed ${SEED}) agree but for the listed disagreements`, () => agreeButForListed(smtpSession, RUNS), 300_000);

  // smtpd.c v3.7.11: smtpd_flag_ill_pipelining() logs the first 100 bytes smtpd has read, escape()d (unescape.c);
  // smtpd_proto() checks before HELO, EHLO, DATA, NOOP, VRFY (SMTPD_CMD_FLAG_LAST) and before any command while the
  // protocol is not ESMTP, with no exception for a client that has authenticated.
  const LOGGED = 'improper command pipelining after';
  it.each([
    ['after AUTH success, as before it', [line('EHLO client.example.test'), line(`AUTH PLAIN ${Buffer.from('\0alice@example.test\0secret').toString('base64')}`), burst(['NOOP\r\n', 'NOOP\r\n'])], ['235 2.7.0 Authentication successful', '554 5.5.0 Error: SMTP protocol synchronization'], `${LOGGED} NOOP from localhost[127.0.0.1]: NOOP\\r\\n`],
    ["not in RFC 2920's group after EHLO", [line('EHLO client.example.test'), burst(['MAIL FROM:<alice@example.test>\r\n', 'RCPT TO:<bob@example.test>\r\n', 'DATA\r\n']), { kind: 'content', bytes: 'Subject: t\r\n\r\nhi\r\n.\r\n' }], ['250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>'], null],
    ['on a partial line after EHLO', [burst(['EHLO client.example.test\r\n'], 'NO'), line('OP')], ['554 5.5.0 Error: SMTP protocol synchronization'], `${LOGGED} EHLO from localhost[127.0.0.1]: NO`],
    ['on any command before EHLO', [burst(['RSET\r\n', 'RSET\r\n'])], ['554 5.5.0 Error: SMTP protocol synchronization'], `${LOGGED} RSET from localhost[127.0.0.1]: RSET\\r\\n`],
    ['showing 100 bytes, escaped', [line('EHLO client.example.test'), burst(['VRFY bob\r\n', `NOOP \xe9\\\t${'x'.repeat(120)}\r\n`])], ['554 5.5.0 Error: SMTP protocol synchronization'], `${LOGGED} VRFY from localhost[127.0.0.1]: NOOP \\351\\\\\\t${'x'.repeat(92)}`],
    // smtpd reads 4096 bytes at a time (vstream.h VSTREAM_BUFSIZE): NOOP ends the first read, and the check reads the rest.
    ['reading on when the buffer ends with the command', [line('EHLO client.example.test'), burst([...['RSET', 'RSET', 'RSET', 'NOOP'].map((verb) => `${verb.padEnd(1022)}\r\n`), 'RSET\r\n'])], ['250 2.0.0 Ok', '250 2.0.0 Ok', '250 2.0.0 Ok', '554 5.5.0 Error: SMTP protocol synchronization'], `${LOGGED} NOOP from localhost[127.0.0.1]: RSET\\r\\n`],
  ] as const)('the pipelining check: %s', async (_name, steps, replies, logged) => {
    const { real, d } = await compared(steps);
    expect(d?.shown ?? null).toBeNull();
    expect(real.results.flatMap((r) => r.reply).filter((l) => !/^(220|250-|250 CHUNKING|250 backend)/.test(l)).slice(0, replies.length)).toEqual(replies);
    expect(pipeliningLog(real.log)).toBe(logged ?? '(none)');
  });

  it(`${RUNS_PIPELINED} generated sessions with bursts (seed ${SEED}) agree, replies and pipelining log lines, but for the listed disagreements`, () =>
    agreeButForListed(pipelinedSession, RUNS_PIPELINED), 600_000);

  it('catches a model with a wrong pipelining log line, shrunk to a short session', async () => {
    const { shortest, d } = await caught(pipelinedSession, wrongPipeliningLog, 50);
    expect(d).toMatchObject({ sent: LOG_STEP, real: expect.stringMatching(/^improper command pipelining after [A-Z]+ from localhost\[127\.0\.0\.1\]: /) });
    expect(d!.lab).toBe(d!.real.replace(/after [A-Z]+/, (after) => after.toLowerCase()));
    expect(shortest.length, d!.shown).toBeLessThanOrEqual(2);
  }, 300_000);

  it('catches a model with one wrong reply, shrunk to a short session with its seed and path', async () => {
    const { result, shortest, d } = await caught(smtpSession, wrongOk, 100);
    // Every session ends with the NOOP probe, so the shortest is one command (or none) before it.
    expect(shortest.length).toBeLessThanOrEqual(1);
    expect(d).toMatchObject({ sent: expect.stringMatching(/^(NOOP|RSET)\r\n$/), real: '250 2.0.0 Ok', lab: '250 2.0.0 Fine' });
    expect(fc.defaultReportMessage(result)).toMatch(/seed: 20261130, path: "[\d:]+"/);
  }, 60_000);
});
