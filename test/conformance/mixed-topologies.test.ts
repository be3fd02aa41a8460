/* mixed-topologies - models and real daemons on either side of each other, over real sockets
 *
 * All on the host's 127.0.0.1 (node's own sockets must reach the daemons), one real stack at a
 * time, in its own lab directory. The fixed ports are the recorded lab's: Dovecot 1587, Postfix
 * 10025 (the passdb's proxy host), the slow XCLIENT table 11333.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareLab, RealStack, REAL_PORTS } from '../../conformance/real-stack.ts';
import { smtpdLines } from '../../conformance/normalise.ts';
import { parseSwaksTranscript } from '../../conformance/swaks-transcript.ts';
import { createPostfix } from '../../models/postfix/smtpd.ts';
import { labPreset, measuredTimings } from '../../models/postfix/config.ts';
import { SocketRuntime } from '../../runtime/socket/index.ts';
import { realStackSkipReason } from './real-stack-env.ts';

const LAB = '/tmp/smtp-lab-mixed';
const AUTH = ['--auth', 'PLAIN', '--auth-user', 'alice@example.test', '--auth-password', 'secret', '--helo', 'client.example.test', '--show-time-lapse'];
const MAIL = ['--from', 'alice@example.test', '--to', 'bob@example.test'];

describe.skipIf(realStackSkipReason !== null)('real Dovecot → model Postfix', () => {
  let stack: RealStack;
  beforeAll(async () => {
    prepareLab(LAB);
    stack = await RealStack.start({ lab: LAB, netns: null, postfix: false, dovecot: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function withModelPostfix(xclientLookupDelayUs: number, body: (runtime: SocketRuntime) => Promise<void>): Promise<void> {
    const runtime = new SocketRuntime();
    try {
      const postfix = createPostfix(labPreset({ timings: { ...measuredTimings, xclientLookupDelayUs } }));
      await runtime.addNode(postfix, { listen: [{ port: REAL_PORTS.postfix }] });
      await body(runtime);
    } finally {
      await runtime.close();
    }
  }

  it('fast model Postfix: the real Dovecot logs in, relays the message, one backend connection', async () => {
    await withModelPostfix(0, async (runtime) => {
      const run = await stack.swaks([...AUTH, ...MAIL]);
      const client = parseSwaksTranscript(run.transcript);
      expect(client.authReply).toBe('235 2.7.0 Logged in.');
      expect(client.replies.at(-2)).toMatch(/^250 2\.0\.0 Ok: queued as [0-9A-F]+$/);
      expect(runtime.events.filter((e) => e.kind === 'accept')).toHaveLength(1);
      expect(smtpdLines(runtime.logLines('postfix')).filter((l) => l.includes('improper'))).toEqual([]);
    });
  });

  it('slow XCLIENT lookup in the model: 554 on each of 4 connections, the real Dovecot gives up with 454', async () => {
    await withModelPostfix(100_000, async (runtime) => {
      const mark = stack.mark();
      const run = await stack.swaks([...AUTH, '--quit-after', 'AUTH']);
      const client = parseSwaksTranscript(run.transcript);
      expect(client.authReply).toBe('454 4.7.0 Account is temporarily unavailable.');
      // 3 reconnects 1 s apart plus 4 × (2 lookups of 100 ms): README reports 3.82 s for E1.
      expect(client.authToReplyMs).toBeGreaterThan(3_000);
      expect(client.authToReplyMs).toBeLessThan(5_000);
      expect(runtime.events.filter((e) => e.kind === 'accept')).toHaveLength(4);
      const writes554 = runtime.events.filter((e) => e.kind === 'write' && e.data === '554 5.5.0 Error: SMTP protocol synchronization\r\n');
      expect(writes554).toHaveLength(4);
      expect(smtpdLines(runtime.logLines('postfix')).filter((l) => l.includes('improper'))).toEqual(
        Array(4).fill('postfix/smtpd: improper command pipelining after XCLIENT from localhost[127.0.0.1]: EHLO front.example.test\\r\\n'),
      );
      await stack.settleDovecot(mark, 'Disconnected');
      const dovecot = stack.dovecotLogSince(mark).join('\n');
      expect(dovecot.match(/XCLIENT failed: 554 5\.5\.0 Error: SMTP protocol synchronization - reconnecting \(attempt #\d\)/g)).toHaveLength(3);
    });
  });
});
