/* client-identity - who Postfix records as the client, through the real Dovecot 2.3.19.1 to the real Postfix 3.7.11, and in the lab
 *
 * A logged-in client's own XCLIENT. Once submission-login has logged a client in it relays bytes
 * both ways. Postfix decides who may send XCLIENT from the peer's address (smtpd.c smtpd_service(),
 * xclient_allowed, v3.7.11) and again after each XCLIENT, from the address that XCLIENT set
 * (xclient_cmd()): here the client is on 127.0.0.1, inside smtpd_authorized_xclient_hosts, as
 * anything inside Mailu's Docker subnet is (webmail; README, findings). So a client logged in as
 * alice that sends `XCLIENT LOGIN=mallory@example.test` is answered 220 and its mail is queued with
 * sasl_username=mallory@example.test: the identity change the safety property reports on lockstep
 * (properties/, "no identity changed"). Found by that property, seen here on the real daemons.
 *
 * A login with a '"'. Dovecot writes XCLIENT's values in xtext (lib-smtp smtp-syntax.c
 * smtp_xtext_encode(), 2.3.19.1 and 2.4.3), which leaves every byte from '!' to '~' but '+' and '='
 * as it is, '"' included, and puts LOGIN= before PORT= and ADDR=. Postfix splits every command line
 * with smtpd_token() (smtpd_token.c smtp_quoted(), v3.7.11), where a '"' opens a quoted string that
 * runs to its close or to the end of the line. So for the account "@example.test the word LOGIN=
 * takes " PORT=... ADDR=..." into its value: Postfix records that whole text as sasl_username and
 * keeps the front's address as the client's (client=<the front>), which is also why the safety
 * property found, on mailu-2024.06, a client whose own XCLIENT after login was allowed (the front's
 * address is an authorized XCLIENT host).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playLockstep } from '../../../conformance/dovecot-differential-client.ts';
import { RealStack } from '../../../conformance/real-stack.ts';
import { loadScenario } from '../../../scenarios/index.ts';
import { runScenario } from '../../../scenarios/run.ts';
import { realStackSkipReason } from '../real-stack-env.ts';

const plain = (user: string) => `AUTH PLAIN ${Buffer.from(`\0${user}\0secret`).toString('base64')}`;

/** The reply codes, one per command after the greeting, and Postfix's "client=" line. */
interface Outcome {
  readonly codes: string[];
  readonly clientLine: string | undefined;
}

/** Postfix's "client=" line with its queue ID written QUEUEID, and the client port Dovecot sent (it differs per run) written PORT=N. */
const clientLineOf = (lines: readonly string[]) =>
  lines.find((line) => / client=/.test(line))?.replace(/^.*?: [0-9A-F]+: client=/, 'QUEUEID: client=').replace(/PORT=\d+/, 'PORT=N');

const codesOf = (replies: readonly string[]) => replies.slice(1).map((reply) => reply.slice(0, 3));

/** The lab's real-stack scenario with the same client, lock-step. */
function labOutcome(user: string, commands: readonly string[]): Outcome {
  const report = runScenario(loadScenario({ scenario: 'real-stack', sets: [`client.script=${commands.join('; ')}`, `client.user=${user}`] }), { seed: 1 });
  // client.replies: whole replies, the greeting first
  return { codes: codesOf(report.client.replies), clientLine: clientLineOf(report.postfix.log) };
}

describe.skipIf(realStackSkipReason !== null)('who Postfix records as the client: the real Dovecot and Postfix and the lab', () => {
  let stack: RealStack | undefined;
  beforeAll(async () => {
    stack = await RealStack.start({ netns: null });
    await stack.configure({ forbid: false, tcpMode: 'default', xclientLookupMs: null }, { fresh: true });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  /** Each command once the previous reply is complete (lock-step), on the real stack. */
  async function realOutcome(commands: readonly string[]): Promise<Outcome> {
    const mark = stack!.mark();
    const { replies } = await playLockstep(commands, { host: '127.0.0.1', port: stack!.ports.dovecot, replyTimeoutMs: 15_000, graceMs: 100 });
    await stack!.settle(mark);
    return { codes: codesOf(replies), clientLine: clientLineOf(stack!.postfixLogSince(mark)) };
  }

  it("a logged-in client's own XCLIENT: Postfix takes the new login, 220 to the XCLIENT, the message queued as mallory on both", async () => {
    const user = 'alice@example.test';
    const commands = ['EHLO client.example.test', plain(user), 'XCLIENT LOGIN=mallory@example.test', 'EHLO client.example.test', 'MAIL FROM:<alice@example.test>', 'RCPT TO:<alice@example.test>', 'QUIT'];
    const real = await realOutcome(commands);
    expect(real.codes).toEqual(['250', '235', '220', '250', '250', '250', '221']);
    expect(real.clientLine).toMatch(/sasl_method=XCLIENT, sasl_username=mallory@example\.test$/);
    expect(labOutcome(user, commands)).toEqual(real);
  }, 60_000);

  it("a login with a '\"': LOGIN= takes PORT= and ADDR= into its value, so sasl_username is the rest of the line, the same on both", async () => {
    const user = '"@example.test';
    const commands = ['EHLO client.example.test', plain(user), 'MAIL FROM:<alice@example.test>', 'RCPT TO:<alice@example.test>', 'QUIT'];
    const real = await realOutcome(commands);
    expect(real.codes).toEqual(['250', '235', '250', '250', '221']);
    expect(real.clientLine).toBe('QUEUEID: client=localhost[127.0.0.1], sasl_method=XCLIENT, sasl_username="@example.test PORT=N ADDR=127.0.0.1');
    expect(labOutcome(user, commands)).toEqual(real);
  }, 60_000);
});
