/* real-stack-sessions - the bench's sessions on the real Postfix and Dovecot, for the lab's ratio to them (issue 14 §2)
 *
 * Delivered: the same session the lab's throughput figure counts: connect to Dovecot's submission-login,
 * EHLO, AUTH PLAIN (Dovecot's Lua passdb, proxy=y), Dovecot's backend connection to Postfix
 * with banner, EHLO and XCLIENT, then MAIL, RCPT, DATA with one short message and QUIT. The
 * client is nodemailer (one connection per message, no TLS), run one session at a time so each
 * session's wall time is its own. The stack runs on the host's loopback with free ports and
 * smtpd_forbid_unauth_pipelining=no (Mailu's PR 3322 setting), so no session loses the
 * XCLIENT race and waits out Dovecot's reconnects: every session is the 235 path.
 *
 * Refused: the bug's session, the one a user replays: smtpd_forbid_unauth_pipelining=yes and a
 * 100 ms XCLIENT lookup (the conformance suite's slow case), so every backend connection loses the
 * race, Dovecot reconnects login_proxy_max_reconnects times and the client gets 454 after seconds
 * that are mostly Dovecot's waits between attempts: what learning that outcome costs on the real stack.
 *
 * Two figures per session: its wall time at the client, and the CPU the daemons spent on it
 * (every process below the postfix and dovecot masters, bench/process-tree-cpu.ts), the
 * like-for-like counterpart of the lab's CPU per simulated session. The daemons' CPU includes
 * what the lab does not model: the queue manager delivering each message to a maildir
 * (conformance/real-stack/config.ts) and postlogd writing the logs.
 */
import nodemailer from 'nodemailer';
import { RealStack, type RealSetting } from '../conformance/real-stack.ts';
import { REAL_ACCOUNTS } from '../conformance/real-stack/config.ts';
import { processTreeCpuMs } from './process-tree-cpu.ts';

export interface RealStackFigures {
  /** Wall time of each measured session at the client, in order. */
  readonly wallMs: readonly number[];
  /** CPU of every daemon process over the measured sessions, divided by their number. */
  readonly daemonCpuMsPerSession: number;
}

/** Sessions run before measuring: the first ones pay for spawning smtpd, cleanup and the auth processes (a refused one takes seconds and spawns them all). */
const WARM_UP_SESSIONS: Record<RealStackPath, number> = { delivered: 10, refused: 1 };

const MESSAGE_TEXT = 'This is the bench message: one short paragraph, as the lab\'s client sends.\n';

export type RealStackPath = 'delivered' | 'refused';

const SETTING: Record<RealStackPath, RealSetting> = {
  delivered: { forbid: false, tcpMode: 'default', xclientLookupMs: null },
  refused: { forbid: true, tcpMode: 'default', xclientLookupMs: 100 },
};

/** What the client must see, or the session does not count: the message queued behind Dovecot, or Dovecot's 454 after its reconnects. */
const EXPECTED: Record<RealStackPath, RegExp> = {
  delivered: /^250 2\.0\.0 Ok: queued as [0-9A-F]+/,
  refused: /^454 4\.7\.0 /,
};

export async function realStackSessions(count: number, path: RealStackPath): Promise<RealStackFigures> {
  const stack = await RealStack.start({ netns: null });
  try {
    await stack.configure(SETTING[path]);
    const [user, pass] = REAL_ACCOUNTS[0]!;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1', port: stack.ports.dovecot, secure: false, ignoreTLS: true, name: 'client.example.test',
      auth: { user, pass, method: 'PLAIN' },
    });
    const send = async (): Promise<number> => {
      const start = process.hrtime.bigint();
      const response = await transport.sendMail({ from: user, to: 'bob@example.test', subject: 'bench', text: MESSAGE_TEXT }).then(
        (info) => info.response,
        (error: { response?: string }) => error.response ?? String(error),
      );
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      if (!EXPECTED[path].test(response)) throw new Error(`real stack session (${path}) ended otherwise: ${response}`);
      return wallMs;
    };
    for (let i = 0; i < WARM_UP_SESSIONS[path]; i++) await send();
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
