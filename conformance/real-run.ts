/* real-run - run one conformance case on the real stack with swaks, as run-real-stack.sh does */
import type { ConformanceCase, ClientPlan } from './cases.ts';
import type { SideOutcome } from './compare.ts';
import { normaliseReplies, normaliseReplyLine, smtpdLines } from './normalise.ts';
import type { RealStack } from './real-stack.ts';
import { parseSwaksTranscript } from './swaks-transcript.ts';

/** swaks arguments for a client plan (the server is added by RealStack.swaks). */
export function swaksArgs(client: ClientPlan): string[] {
  return [
    '--auth', client.auth, '--auth-user', client.user, '--auth-password', client.password,
    '--helo', client.helo,
    ...(client.mail ? ['--from', client.user, '--to', 'bob@example.test'] : ['--quit-after', 'AUTH']),
    ...(client.pipelining ? ['--pipeline'] : []),
    '--show-time-lapse',
  ];
}

export async function runOnRealStack(stack: RealStack, c: ConformanceCase): Promise<SideOutcome> {
  await stack.configure(c.setting);
  const mark = stack.mark();
  const sessions = [];
  for (let i = 0; i < c.repeat; i++) {
    const run = await stack.swaks(swaksArgs(c.client), { timeoutMs: 60_000 });
    const parsed = parseSwaksTranscript(run.transcript);
    sessions.push({
      replies: normaliseReplies(parsed.replies),
      authReply: parsed.authReply === null ? null : normaliseReplyLine(parsed.authReply),
      authToReplyMs: parsed.authToReplyMs,
    });
  }
  await stack.settle(mark);
  const log = smtpdLines(stack.postfixLogSince(mark));
  return {
    sessions,
    backendConnections: log.filter((l) => l.startsWith('postfix/smtpd: connect from ')).length,
    smtpdLog: log,
  };
}
