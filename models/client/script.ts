/* script - what the SMTP client says and how it groups it: the type the property generators produce
 *
 * A ClientScript is plain data. The client model (client.ts) plays it against a server
 * and never changes it, so a generated script shrinks like any other fast-check value.
 *
 * Steps are grouped. All steps of a group are written without waiting for a reply
 * (RFC 2920 pipelining); the client waits for every reply of a group before it writes
 * the next group. A group of one step is the classic lock-step dialogue. Nothing here
 * stops a script from being illegal (EHLO not last in its group, talking before the
 * greeting, pipelining without the PIPELINING capability): rfc2920.ts says which
 * scripts are, and the generators make both kinds on purpose.
 */
import type { Micros, SocketAddress } from '../contract.ts';

export type AuthMechanism = 'PLAIN' | 'LOGIN';

export type ClientStep =
  | { readonly kind: 'ehlo'; readonly domain: string }
  | { readonly kind: 'helo'; readonly domain: string }
  /**
   * SASL login. PLAIN with initialResponse sends `AUTH PLAIN <base64>`; without it,
   * `AUTH PLAIN` and the blob after the server's empty `334 `. LOGIN sends the user and
   * the password as two base64 continuations; with initialResponse the user rides on
   * the AUTH line (swaks' LOGIN-INITIAL). Credentials are any Unicode text, sent as
   * their UTF-8 bytes in base64.
   */
  | { readonly kind: 'auth'; readonly mechanism: AuthMechanism; readonly user: string; readonly password: string; readonly initialResponse: boolean }
  | { readonly kind: 'mail'; readonly from: string }
  | { readonly kind: 'rcpt'; readonly to: string }
  | { readonly kind: 'data' }
  /** The message after 354: the client dot-stuffs it and ends it with `.` (RFC 5321 §4.5.2). */
  | { readonly kind: 'message'; readonly content: string }
  | { readonly kind: 'rset' }
  | { readonly kind: 'noop' }
  | { readonly kind: 'quit' }
  /** Any other command line sent verbatim (without CRLF), e.g. a client's own `XCLIENT LOGIN=mallory`. */
  | { readonly kind: 'line'; readonly text: string }
  /**
   * Bytes sent exactly as given (one character per byte, latin1), line ends included: what a
   * `client.script` step is (script-text.ts). It is owed a reply when it ends a line (its last
   * byte is LF); a piece of a line is not, the step that completes the line is.
   */
  | { readonly kind: 'raw'; readonly latin1: string };

export interface ClientGroup {
  readonly steps: readonly ClientStep[];
  /** 'one': the whole group is one write() (swaks' send buffer); 'separate': one write per step, back to back. */
  readonly writes: 'one' | 'separate';
  /** Time between the reply that releases this group and its write; default: the script's thinkTimeUs. */
  readonly delayUs?: Micros;
}

export interface ClientScript {
  readonly connectTo: SocketAddress;
  /** TCP_NODELAY on the client socket. swaks leaves Nagle on (it never sets TCP_NODELAY). */
  readonly noDelay: boolean;
  /** false: write the first group right after connect, before the 220 greeting (RFC 5321 §3.1 says wait). */
  readonly waitForGreeting: boolean;
  /**
   * Time the client takes to react to a reply (the next write, a continuation, QUIT, the close).
   * swaks reacted in 98-200 µs on loopback (raw/A1-forbid-yes-default-plain.segments.txt).
   */
  readonly thinkTimeUs: Micros;
  /** No reply for this long ends the session (swaks --timeout, default 30s). */
  readonly replyTimeoutUs: Micros;
  readonly groups: readonly ClientGroup[];
}

/** One group per step: the lock-step dialogue swaks has without --pipeline. */
export function lockstepGroups(steps: readonly ClientStep[]): ClientGroup[] {
  return steps.map((step) => ({ steps: [step], writes: 'one' as const }));
}
