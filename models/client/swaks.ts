/* swaks - the script swaks 20201014.0 played in the recorded real-stack runs, and its variants
 *
 * Recorded: conformance/records/A1-forbid-yes-default-plain.client.txt (PLAIN) and
 * A3-forbid-yes-quickack-login.client.txt (LOGIN). swaks --pipeline defers MAIL and RCPT and
 * flushes at DATA, so MAIL, RCPT and DATA leave in one write (jetmore/swaks, swaks: transact,
 * do_smtp_mail, do_smtp_rcpt).
 */
import type { Micros, SocketAddress } from '../contract.ts';
import { lockstepGroups, type AuthMechanism, type ClientGroup, type ClientScript } from './script.ts';

/** swaks' default message, with the Date and Message-Id of the A1 run so the bytes match the record. */
export function swaksMessage(from: string, to: string): string {
  const date = 'Fri, 27 Nov 2026 17:18:20 +0000';
  return [
    `Date: ${date}`,
    `To: ${to}`,
    `From: ${from}`,
    `Subject: test ${date}`,
    'Message-Id: <20261127171820.019017@vm>',
    'X-Mailer: swaks v20201014.0 jetmore.org/john/code/swaks/',
    '',
    'This is a test mailing',
    '',
    '',
    '',
  ].join('\r\n');
}

/** The client side of a scenario: the scenario keys client.* and where the front listens. */
export interface SwaksOptions {
  readonly connectTo: SocketAddress;
  readonly user: string;
  readonly password: string;
  readonly helo: string;
  /** 'none': no AUTH at all (a port-25 delivery). */
  readonly auth: AuthMechanism | 'none';
  /** client.pipelining = yes: MAIL, RCPT and DATA as one group after login. */
  readonly pipelining: boolean;
  /** PLAIN: blob on the AUTH line (swaks) or after an empty 334; LOGIN: user on the AUTH line or not (swaks). */
  readonly authInitialResponse?: boolean;
  readonly from?: string;
  readonly to?: string;
  readonly thinkTimeUs?: Micros;
  readonly waitForGreeting?: boolean;
  /** Default: swaks' 30 s. */
  readonly replyTimeoutUs?: Micros;
  /** swaks --quit-after AUTH (the recorded trials): QUIT once AUTH is done, no message (swaks: sendmail, `do_smtp_quit(1, 0) if ($G::quit_after eq 'auth')`). */
  readonly quitAfter?: 'AUTH';
}

/** swaks reacted 98-200 µs after each reply in raw/A1-forbid-yes-default-plain.segments.txt. */
export const SWAKS_THINK_TIME_US: Micros = 150;
/** swaks --timeout default: 30s (swaks: process_args). */
export const SWAKS_REPLY_TIMEOUT_US: Micros = 30_000_000;

export function swaksScript(options: SwaksOptions): ClientScript {
  const from = options.from ?? options.user;
  const to = options.to ?? 'bob@example.test';
  const envelope: ClientGroup[] = options.pipelining
    ? [{ steps: [{ kind: 'mail', from }, { kind: 'rcpt', to }, { kind: 'data' }], writes: 'one' }]
    : lockstepGroups([{ kind: 'mail', from }, { kind: 'rcpt', to }, { kind: 'data' }]);
  return {
    connectTo: options.connectTo,
    noDelay: false,
    waitForGreeting: options.waitForGreeting ?? true,
    thinkTimeUs: options.thinkTimeUs ?? SWAKS_THINK_TIME_US,
    replyTimeoutUs: options.replyTimeoutUs ?? SWAKS_REPLY_TIMEOUT_US,
    groups: [
      ...lockstepGroups([{ kind: 'ehlo', domain: options.helo }]),
      ...(options.auth === 'none'
        ? []
        : lockstepGroups([
            {
              kind: 'auth',
              mechanism: options.auth,
              user: options.user,
              password: options.password,
              initialResponse: options.authInitialResponse ?? options.auth === 'PLAIN',
            },
          ])),
      ...(options.quitAfter === 'AUTH' ? [] : [...envelope, ...lockstepGroups([{ kind: 'message', content: swaksMessage(from, to) }])]),
      ...lockstepGroups([{ kind: 'quit' }]),
    ],
  };
}

/** The recorded default run: alice@example.test / secret, PLAIN, no pipelining. */
export function defaultSwaksScript(connectTo: SocketAddress): ClientScript {
  return swaksScript({ connectTo, user: 'alice@example.test', password: 'secret', helo: 'client.example.test', auth: 'PLAIN', pipelining: false });
}
