/* front/submission-proxy - the backend half of Dovecot's submission-login proxy: one reply line in, steps out
 *
 * dovecot/core src/submission-login/submission-proxy.c, submission_proxy_parse_line() and
 * proxy_handle_ehlo_reply() (2.3.17 .. HEAD). States: banner -> ehlo -> xclient -> xclient-ehlo
 * (STARTTLS and the AUTH-to-backend path are not modelled: Mailu's passdb always says
 * proxy_noauth=Y and the backend hop is plaintext). The sequencing policy is the one thing the
 * kinds change:
 *  - dovecot-2.3: after the EHLO reply, XCLIENT and then `EHLO` in the same turn (the bug);
 *    an XCLIENT failure is REMOTE, which login_proxy_failed() may retry.
 *  - dovecot-2.4: the same writes; XCLIENT failure is REMOTE_CONFIG, never retried (e4fd6e2fbb).
 *  - lockstep: nothing is written until the previous command's reply is complete; each XCLIENT
 *    part waits for its own reply, `EHLO` waits for the last one.
 */
import { buildXclientCommands, type XclientCommand, type XclientValues } from './xclient.ts';

export type ProxyFailureType = 'CONNECT' | 'INTERNAL' | 'INTERNAL_CONFIG' | 'REMOTE' | 'REMOTE_CONFIG' | 'PROTOCOL' | 'AUTH' | 'AUTH_TEMPFAIL';

export interface SequencingPolicy {
  readonly pipelineEhloAfterXclient: boolean;
  readonly xclientFailureType: 'REMOTE' | 'REMOTE_CONFIG';
}

export const SEQUENCING: Readonly<Record<'dovecot-2.3' | 'dovecot-2.4' | 'lockstep', SequencingPolicy>> = {
  'dovecot-2.3': { pipelineEhloAfterXclient: true, xclientFailureType: 'REMOTE' },
  'dovecot-2.4': { pipelineEhloAfterXclient: true, xclientFailureType: 'REMOTE_CONFIG' },
  lockstep: { pipelineEhloAfterXclient: false, xclientFailureType: 'REMOTE' },
};

export type HandshakeState = 'banner' | 'ehlo' | 'xclient' | 'xclient-ehlo';

export type HandshakeStep =
  /** One write() to the backend now, in the order given. */
  | { readonly kind: 'write'; readonly text: string }
  /** The pipelined `EHLO`: its own write() a moment after the XCLIENT writes. */
  | { readonly kind: 'writeAfterGap'; readonly text: string }
  | { readonly kind: 'fail'; readonly type: ProxyFailureType; readonly reason: string }
  /** proxy_noauth: answer the client `235 2.7.0 Logged in.` and relay from now on. */
  | { readonly kind: 'loggedIn' };

/**
 * lib/str-sanitize.c str_sanitize_append() (2.3.19.1): a byte below 32 becomes '?' (DEL, 0x7f, is
 * kept: the test is `(unsigned char)src[i] < 32`), long text is cut to max-3 bytes and "...".
 * Its UTF-8 check (an invalid sequence's bytes become '?') is not modelled: bytes from 0x80 stay.
 */
export function sanitize(text: string, maxLength: number): string {
  const clean = text.replace(/[\x00-\x1f]/g, '?');
  return clean.length <= maxLength ? clean : `${clean.slice(0, maxLength - 3)}...`;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** /^XCLIENT /i without a regex: letters compare case-folded (| 0x20), the space exactly. */
function startsWithXclient(text: string): boolean {
  if (text.length < 8 || text.charCodeAt(7) !== 0x20) return false;
  for (let i = 0; i < 7; i++) if ((text.charCodeAt(i) | 0x20) !== XCLIENT_LOWER.charCodeAt(i)) return false;
  return true;
}
const XCLIENT_LOWER = 'xclient';

export class SubmissionProxyHandshake {
  state: HandshakeState = 'banner';
  private replyStatus = 0;
  private xclientAttributes: string[] | null = null;
  private xclientRepliesExpected = 0;
  /** lock-step only: commands held back until the previous reply is complete. */
  private heldBack: XclientCommand[] = [];

  constructor(
    private readonly policy: SequencingPolicy,
    private readonly hostname: string,
    private readonly xclientValues: XclientValues,
  ) {}

  parseLine(line: string): HandshakeStep[] {
    // The reply-line shape /^(\d{3})([ -])/ and its leading digits, by char codes (one pass, no regex per line).
    let digits = 0;
    while (digits < line.length && isDigit(line.charCodeAt(digits))) digits++;
    const separator = line.charCodeAt(3);
    const match = digits >= 3 && (separator === 0x20 || separator === 0x2d);
    const status = match ? Number(line.slice(0, 3)) : digits > 0 ? Number(line.slice(0, digits)) : 0;
    const invalid = !match || status < 200 || status >= 560;
    const text = match ? line.slice(4) : '';
    if (this.replyStatus !== 0 && this.replyStatus !== status) {
      return [{ kind: 'fail', type: 'PROTOCOL', reason: `Inconsistent SMTP reply: ${sanitize(line, 160)} (status != ${this.replyStatus})` }];
    }
    const lastLine = line[3] === ' ';
    this.replyStatus = lastLine ? 0 : status;

    switch (this.state) {
      case 'banner':
        if (invalid || status !== 220) return [{ kind: 'fail', type: 'PROTOCOL', reason: `Invalid banner: ${sanitize(line, 160)}` }];
        if (!lastLine) return [];
        this.state = 'ehlo';
        return [{ kind: 'write', text: `EHLO ${this.hostname}\r\n` }];
      case 'ehlo':
      case 'xclient-ehlo':
        if (invalid || Math.floor(status / 100) !== 2) return [{ kind: 'fail', type: 'PROTOCOL', reason: `Invalid EHLO line: ${sanitize(line, 160)}` }];
        if (startsWithXclient(text)) this.xclientAttributes = text.slice(8).split(' ').filter((a) => a !== '');
        if (!lastLine) return [];
        return this.ehloReplyDone();
      case 'xclient':
        if (invalid || Math.floor(status / 100) !== 2) {
          return [{ kind: 'fail', type: this.policy.xclientFailureType, reason: `XCLIENT failed: ${sanitize(line, 160)}` }];
        }
        if (!lastLine) return [];
        if (--this.xclientRepliesExpected > 0) return this.releaseHeldBack();
        this.state = 'xclient-ehlo';
        return this.releaseHeldBack();
    }
  }

  /** proxy_handle_ehlo_reply() */
  private ehloReplyDone(): HandshakeStep[] {
    if (this.state === 'xclient-ehlo' || this.xclientAttributes === null) {
      // No XCLIENT offered (or already done): with proxy_noauth the login is complete.
      return [{ kind: 'loggedIn' }];
    }
    const commands = buildXclientCommands(this.xclientAttributes, this.xclientValues);
    this.xclientAttributes = null;
    this.xclientRepliesExpected = commands.length;
    this.state = 'xclient';
    const ehlo = `EHLO ${this.hostname}\r\n`;
    if (this.policy.pipelineEhloAfterXclient) {
      const steps: HandshakeStep[] = commands.flatMap((command) => command.map((text): HandshakeStep => ({ kind: 'write', text })));
      steps.push({ kind: 'writeAfterGap', text: ehlo });
      return steps;
    }
    this.heldBack = [...commands.slice(1), [ehlo]];
    return commands[0]!.map((text): HandshakeStep => ({ kind: 'write', text }));
  }

  private releaseHeldBack(): HandshakeStep[] {
    const next = this.heldBack.shift();
    return next ? next.map((text): HandshakeStep => ({ kind: 'write', text })) : [];
  }
}
