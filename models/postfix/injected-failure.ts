/* injected-failure - a deliberately broken backend: smtpd fails at one handshake step
 *
 * Not a Postfix setting: the lab's way to ask "what does the front do when Postfix answers its
 * banner, EHLO, XCLIENT, MAIL or DATA with something else, hangs up there, or hangs there?".
 * The failure hits the first time the step comes in a session (Dovecot's second EHLO, after
 * XCLIENT, is not hit by `EHLO`), in the first `sessions` sessions of the process (0: every one),
 * so a front that reconnects meets a healthy smtpd again when sessions is 1.
 *   reply       the text instead of the step's own reply; the session goes on as after any refused
 *               command (a 421 or 521 ends it: SMTPD_FLAG_HANGUP, session.ts reply()).
 *   disconnect  smtpd closes the connection there without a reply or a log line, as a process
 *               that died would (the kernel closes its sockets; replies still in its buffer are lost).
 *   stall       smtpd stops: it reads and answers nothing more until the watchdog ends the process
 *               (watchdog.c watchdog_event(): "fatal: watchdog timeout" after daemon_timeout,
 *               mail_params.h DEF_DAEMON_TIMEOUT 18000s), as a hung lookup or milter would.
 */
import type { Micros } from '../contract.js';
import type { CommandRow } from './command-table.js';
import type { SmtpdSession } from './session.js';

/** The handshake steps a failure can be injected at: the greeting, or a command's verb. */
export const FAIL_STEPS = ['banner', 'ehlo', 'xclient', 'mail', 'data'] as const;
export type FailStep = (typeof FAIL_STEPS)[number];

export type FailAction = { readonly kind: 'reply'; readonly text: string } | { readonly kind: 'disconnect' } | { readonly kind: 'stall' };

export interface InjectedFailure {
  readonly at: FailStep;
  readonly action: FailAction;
  /** The first this many sessions of the process fail; 0: every session. */
  readonly sessions: number;
}

/** mail_params.h DEF_DAEMON_TIMEOUT: the watchdog's limit on one request (a session), in seconds. */
export const DAEMON_TIMEOUT_S = 18_000;

/** `postfix.fail_reply`'s text: what the allowed values look like, and the action it names. */
export const FAIL_REPLY_PATTERN = /^(disconnect|stall|\d{3}( [^\r\n]*)?)$/;

export function failActionOf(text: string): FailAction {
  return text === 'disconnect' || text === 'stall' ? { kind: text } : { kind: 'reply', text };
}

/** Whether a session starting after `sessionsFailed` failed ones is hit. */
export function failureArmed(failure: InjectedFailure | null, sessionsFailed: number): boolean {
  return failure !== null && (failure.sessions === 0 || sessionsFailed < failure.sessions);
}

/**
 * The step's failure, if this session is to fail there and has not yet: true when it took over
 * (the caller then does nothing more for the step). `row`: the command's, null for the banner.
 */
export function failAt(s: SmtpdSession, now: Micros, row: CommandRow | null): boolean {
  const failure = s.config.injectedFailure;
  if (!s.failureArmed || failure === null || failure.at !== (row === null ? 'banner' : row.name.toLowerCase())) return false;
  s.failureArmed = false;
  const action = failure.action;
  switch (action.kind) {
    case 'reply':
      if (row !== null) s.respond(now, row, false, s.config.timings.quickDelayUs, action.text);
      else {
        s.reply(action.text);
        s.commandLoop(now);
      }
      return true;
    case 'disconnect':
      s.end({ died: true });
      return true;
    case 'stall':
      s.busy(now, DAEMON_TIMEOUT_S * 1_000_000, () => {
        s.log('fatal: watchdog timeout');
        s.end({ died: true });
      });
      return true;
  }
}
