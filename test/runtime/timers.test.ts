/* timers - the wall-clock timer wheel: replacement, cancellation, deadline order */
import { describe, expect, it } from 'vitest';
import { WallClock } from '../../runtime/socket/clock.ts';
import { TimerWheel } from '../../runtime/socket/timers.ts';

describe('TimerWheel', () => {
  it('fires due timers in deadline order, honours replacement and cancellation, then stays quiet', async () => {
    const clock = new WallClock();
    const fired: string[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const wheel = new TimerWheel(clock, (owner, timer) => {
      fired.push(`${owner}/${timer}`);
      if (timer === 'last') done();
    });
    const now = clock.now();
    wheel.set('a', 'late', now + 3_000);
    wheel.set('a', 'cancelled', now + 1_000);
    wheel.set('b', 'early', now + 50); // under 1 ms: polled, not rounded up
    wheel.set('a', 'late', now + 2_000); // replaces the 3 ms deadline
    wheel.set('a', 'cancelled', null);
    wheel.set('b', 'last', now + 4_000);
    await finished;
    wheel.stop();
    expect(fired).toEqual(['b/early', 'a/late', 'b/last']);
  });
});
