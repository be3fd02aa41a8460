/* xclient-after-login - a logged-in client's own XCLIENT, through the real Dovecot 2.3.19.1 to the real Postfix 3.7.11, and in the lab
 *
 * Once submission-login has logged a client in it relays bytes both ways. Postfix decides who may
 * send XCLIENT from the peer's address (smtpd.c smtpd_service(), xclient_allowed, v3.7.11) and again
 * after each XCLIENT, from the address that XCLIENT set (xclient_cmd()): here the client is on
 * 127.0.0.1, inside smtpd_authorized_xclient_hosts, as anything inside Mailu's Docker subnet is
 * (webmail; README, findings). So a client logged in as alice that sends
 * `XCLIENT LOGIN=mallory@example.test` is answered 220 by Postfix and its mail is queued with
 * sasl_username=mallory@example.test: the identity change the safety property reports on lockstep
 * (properties/, "no identity changed"). Found by that property, seen here on the real daemons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playLockstep } from '../../../conformance/dovecot-differential-client.ts';
import { RealStack } from '../../../conformance/real-stack.ts';
import { loadScenario } from '../../../scenarios/index.ts';
import { runScenario } from '../../../scenarios/run.ts';
import { realStackSkipReason } from '../real-stack-env.ts';

const PLAIN = Buffer.from('\0alice@example.test\0secret').toString('base64');
const COMMANDS = ['EHLO client.example.test', `AUTH PLAIN ${PLAIN}`, 'XCLIENT LOGIN=mallory@example.test', 'EHLO client.example.test', 'MAIL FROM:<alice@example.test>', 'RCPT TO:<alice@example.test>', 'QUIT'];

/** The reply codes, one per command after the greeting, and Postfix's "client=" line with its queue ID written QUEUEID. */
interface Outcome {
  readonly codes: string[];
  readonly clientLine: string | undefined;
}

const clientLineOf = (lines: readonly string[]) => lines.find((line) => / client=/.test(line))?.replace(/^.*?: [0-9A-F]+: client=/, 'QUEUEID: client=');

/** Each command once the previous reply is complete (lock-step); the reply codes after the greeting. */
async function realSession(port: number): Promise<string[]> {
  const { replies } = await playLockstep(COMMANDS, { host: '127.0.0.1', port, replyTimeoutMs: 15_000, graceMs: 100 });
  return replies.slice(1).map((reply) => reply.slice(0, 3));
}

function labOutcome(): Outcome {
  const report = runScenario(loadScenario({ scenario: 'real-stack', sets: [`client.script=${COMMANDS.join('; ')}`] }), { seed: 1 });
  // client.replies: whole replies, the greeting first
  return { codes: report.client.replies.slice(1).map((reply) => reply.slice(0, 3)), clientLine: clientLineOf(report.postfix.log) };
}

describe.skipIf(realStackSkipReason !== null)("a logged-in client's own XCLIENT: the real Dovecot and Postfix and the lab", () => {
  let stack: RealStack | undefined;
  beforeAll(async () => {
    stack = await RealStack.start({ netns: null });
    await stack.configure({ forbid: false, tcpMode: 'default', xclientLookupMs: null }, { fresh: true });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('Postfix takes the new login: 220 to the XCLIENT, the message queued as mallory on both', async () => {
    const mark = stack!.mark();
    const codes = await realSession(stack!.ports.dovecot);
    await stack!.settle(mark);
    const real: Outcome = { codes, clientLine: clientLineOf(stack!.postfixLogSince(mark)) };
    expect(real.codes).toEqual(['250', '235', '220', '250', '250', '250', '221']);
    expect(real.clientLine).toMatch(/sasl_method=XCLIENT, sasl_username=mallory@example\.test$/);
    const lab = labOutcome();
    expect(lab.codes).toEqual(real.codes);
    expect(lab.clientLine).toBe(real.clientLine);
  }, 60_000);
});
