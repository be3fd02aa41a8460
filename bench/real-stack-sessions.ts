/* real-stack-sessions - the bench's session on the real Postfix and Dovecot, for the lab's ratio to them (issue 14 §2)
 *
 * The same session the lab's throughput figure counts: connect to Dovecot's submission-login,
 * EHLO, AUTH PLAIN (Dovecot's Lua passdb, proxy=y), Dovecot's backend connection to Postfix
 * with banner, EHLO and XCLIENT, then MAIL, RCPT, DATA with one short message and QUIT. The
 * client is nodemailer (one connection per message, no TLS), run one session at a time so each
 * session's wall time is its own. The stack runs on the host's loopback with free ports and
 * smtpd_forbid_unauth_pipelining=no (Mailu's PR 3322 setting), so no session loses the
 * XCLIENT race and waits out Dovecot's reconnects: every session is the 235 path.
 *
 * Two figures per session: its wall time at the client, and the CPU the daemons spent on it
 * (every process below the postfix and dovecot masters, bench/process-tree-cpu.ts), the
 * like-for-like counterpart of the lab's CPU per simulated session. The daemons' CPU includes
 * what the lab does not model: the queue manager delivering each message to a maildir
 * (conformance/real-stack/config.ts) and postlogd writing the logs.
 */
import nodemailer from 'nodemailer';
import { RealStack } from '../conformance/real-stack.ts';
import { REAL_ACCOUNTS } from '../conformance/real-stack/config.ts';
import { processTreeCpuMs } from './process-tree-cpu.ts';

export interface RealStackFigures {
  /** Wall time of each measured session at the client, in order. */
  readonly wallMs: readonly number[];
  /** CPU of every daemon process over the measured sessions, divided by their number. */
  readonly daemonCpuMsPerSession: number;
}

/** Sessions run before measuring: the first ones pay for spawning smtpd, cleanup and the auth processes. */
const WARM_UP_SESSIONS = 10;

const MESSAGE_TEXT = 'This is the bench message: one short paragraph, as the lab\'s client sends.\n';

export async function realStackSessions(count: number): Promise<RealStackFigures> {
  const stack = await RealStack.start({ netns: null });
  try {
    await stack.configure({ forbid: false, tcpMode: 'default', xclientLookupMs: null });
    const [user, pass] = REAL_ACCOUNTS[0]!;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1', port: stack.ports.dovecot, secure: false, ignoreTLS: true, name: 'client.example.test',
      auth: { user, pass, method: 'PLAIN' },
    });
    const send = async (): Promise<number> => {
      const start = process.hrtime.bigint();
      const info = await transport.sendMail({ from: user, to: 'bob@example.test', subject: 'bench', text: MESSAGE_TEXT });
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      // A session counts only if Postfix queued the message behind Dovecot.
      if (!/^250 2\.0\.0 Ok: queued as [0-9A-F]+/.test(info.response)) throw new Error(`real stack session not queued: ${info.response}`);
      return wallMs;
    };
    for (let i = 0; i < WARM_UP_SESSIONS; i++) await send();
    await stack.settle(stack.mark());
    const cpuBefore = processTreeCpuMs(stack.pids);
    const mark = stack.mark();
    const wallMs: number[] = [];
    for (let i = 0; i < count; i++) wallMs.push(await send());
    // Let every smtpd session end and the queue manager deliver the last messages before reading.
    await stack.settle(mark);
    const daemonCpuMsPerSession = (processTreeCpuMs(stack.pids) - cpuBefore) / count;
    transport.close();
    return { wallMs, daemonCpuMsPerSession };
  } finally {
    await stack.stop();
  }
}
