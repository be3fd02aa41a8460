/* quote-in-login - a login with a '"' swallows the XCLIENT attributes Dovecot writes after LOGIN=, on the real Dovecot 2.3.19.1 and Postfix 3.7.11 and in the lab
 *
 * Dovecot writes XCLIENT's values in xtext (lib-smtp smtp-syntax.c smtp_xtext_encode(), 2.3.19.1 and
 * 2.4.3), which leaves every byte from '!' to '~' but '+' and '=' as it is, '"' included, and puts
 * LOGIN= before PORT= and ADDR=. Postfix splits every command line with smtpd_token() (smtpd_token.c
 * smtp_quoted(), v3.7.11), where a '"' opens a quoted string that runs to its close or to the end of
 * the line. So for the account "@example.test the word LOGIN= takes " PORT=... ADDR=..." into its
 * value: Postfix records that whole text as sasl_username and keeps the front's address as the
 * client's (client=<the front>), which is also why the safety property found, on mailu-2024.06, a
 * client whose own XCLIENT after login was allowed (the front's address is an authorized XCLIENT host).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playLockstep } from '../../../conformance/dovecot-differential-client.ts';
import { RealStack } from '../../../conformance/real-stack.ts';
import { loadScenario } from '../../../scenarios/index.ts';
import { runScenario } from '../../../scenarios/run.ts';
import { realStackSkipReason } from '../real-stack-env.ts';

const USER = '"@example.test';
const PLAIN = Buffer.from(`\0${USER}\0secret`).toString('base64');
const COMMANDS = ['EHLO client.example.test', `AUTH PLAIN ${PLAIN}`, 'MAIL FROM:<alice@example.test>', 'RCPT TO:<alice@example.test>', 'QUIT'];

/** Postfix's "client=" line with its queue ID written QUEUEID, and the client port Dovecot sent (it differs per run) written PORT. */
const clientLineOf = (lines: readonly string[]) =>
  lines.find((line) => / client=/.test(line))?.replace(/^.*?: [0-9A-F]+: client=/, 'QUEUEID: client=').replace(/PORT=\d+/, 'PORT=N');

/** Each command once the previous reply is complete (lock-step); the reply codes after the greeting. */
async function realSession(port: number): Promise<string[]> {
  const { replies } = await playLockstep(COMMANDS, { host: '127.0.0.1', port, replyTimeoutMs: 15_000, graceMs: 100 });
  return replies.slice(1).map((reply) => reply.slice(0, 3));
}

describe.skipIf(realStackSkipReason !== null)('a login with a \'"\': the real Dovecot and Postfix and the lab', () => {
  let stack: RealStack | undefined;
  beforeAll(async () => {
    stack = await RealStack.start({ netns: null });
    await stack.configure({ forbid: false, tcpMode: 'default', xclientLookupMs: null }, { fresh: true });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('LOGIN= takes PORT= and ADDR= into its value: sasl_username is the rest of the line, the same on both', async () => {
    const mark = stack!.mark();
    const codes = await realSession(stack!.ports.dovecot);
    await stack!.settle(mark);
    const realLine = clientLineOf(stack!.postfixLogSince(mark));
    expect(codes).toEqual(['250', '235', '250', '250', '221']);
    expect(realLine).toBe('QUEUEID: client=localhost[127.0.0.1], sasl_method=XCLIENT, sasl_username="@example.test PORT=N ADDR=127.0.0.1');
    const report = runScenario(loadScenario({ scenario: 'real-stack', sets: [`client.script=${COMMANDS.join('; ')}`, `client.user=${USER}`] }), { seed: 1 });
    expect(report.client.replies.slice(1).map((reply) => reply.slice(0, 3))).toEqual(codes);
    expect(clientLineOf(report.postfix.log)).toBe(realLine);
  }, 60_000);
});
