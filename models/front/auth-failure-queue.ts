/* front/auth-failure-queue - the Dovecot auth process's delayed-failure queue, shared by all sessions of the service
 *
 * dovecot/core 2.3.21 src/auth/auth-request-handler.c: a failed request is appended to
 * `auth_failures` with last_access = ioloop_time (whole seconds); a 500 ms repeating timeout
 * (AUTH_FAILURE_DELAY_CHECK_MSECS) is started when the queue was idle. Each tick flushes, from the
 * head, the requests with ioloop_time - last_access >= auth_failure_delay and stops at the first
 * that is not due; a tick that finds the queue empty removes the timeout. So the delay seen by a
 * client lies between auth_failure_delay - 0.5 s and + 0.5 s, depending on where in the second the
 * failure fell: with the default 2 s, 1.5 s in its second half, 2 s in its first (the real W1:
 * 1502, 1505 and 2001 ms). Where the second begins is the clock's phase (wall-clock.ts), which
 * the simulator draws per run (decision wallClockPhaseUs). From 2.4.1, auth_failure_delay = 0 answers at once
 * (releases.ts auth_failure_delay_zero_immediate): the check runs at the failure's own time. Compromise: Dovecot shuffles the flushed requests with random() against timing
 * attacks; the model keeps them in order (no randomness in models).
 */
import type { Micros } from '../contract.ts';
import { wallSeconds, type WallClock } from './wall-clock.ts';

export const AUTH_FAILURE_DELAY_CHECK_US = 500_000;

export interface QueuedFailure {
  readonly lastAccessSeconds: number;
  readonly deliver: (now: Micros) => void;
}

export class AuthFailureQueue {
  private readonly queue: QueuedFailure[] = [];
  private ticking = false;

  constructor(
    private readonly delaySeconds: number,
    private readonly clock: WallClock,
    /** Arms the one repeating check timer of the auth process. */
    private readonly armTick: (at: Micros) => void,
    /** auth_request_want_failure_delay() (2.4.1 on): a delay of 0 is no delay at all. */
    private readonly zeroIsImmediate = false,
  ) {}

  add(now: Micros, deliver: (now: Micros) => void): void {
    this.queue.push({ lastAccessSeconds: wallSeconds(this.clock, now), deliver });
    if (this.zeroIsImmediate && this.delaySeconds === 0) {
      // Every queued failure is due at once: the check at this very time answers it (after the command that failed).
      this.ticking = true;
      this.armTick(now);
    } else if (!this.ticking) {
      this.ticking = true;
      this.armTick(now + AUTH_FAILURE_DELAY_CHECK_US);
    }
  }

  /** auth_failure_timeout() -> auth_request_handler_flush_failures(FALSE) */
  tick(now: Micros): void {
    if (this.queue.length === 0) {
      this.ticking = false;
      return;
    }
    const nowSeconds = wallSeconds(this.clock, now);
    let due = 0;
    while (due < this.queue.length && nowSeconds - this.queue[due]!.lastAccessSeconds >= this.delaySeconds) due++;
    for (const failure of this.queue.splice(0, due)) failure.deliver(now);
    this.armTick(now + AUTH_FAILURE_DELAY_CHECK_US);
  }
}
