/* session-timers - a timer name read back: its session and kind, or null outside the front's set; the same answer however often it is asked */
import { describe, expect, it } from 'vitest';
import { SessionTimerKinds } from '../../../../models/front/kit/session-timers.ts';

const timers = new SessionTimerKinds(['greeting', 'relay'] as const);

describe('SessionTimerKinds', () => {
  it('names a session timer "<conn>/<kind>" and reads it back, the conn up to the last slash', () => {
    expect(timers.name('front:c1', 'relay')).toBe('front:c1/relay');
    expect(timers.parse('front:c1/relay')).toEqual({ conn: 'front:c1', kind: 'relay' });
    expect(timers.parse('a/b/greeting')).toEqual({ conn: 'a/b', kind: 'greeting' });
  });

  it('refuses a name without a slash or with a kind outside the set', () => {
    expect(timers.parse('greeting')).toBeNull();
    expect(timers.parse('c1/busy')).toBeNull();
    expect(timers.parse('c1/')).toBeNull();
  });

  it('answers the same when asked again, and after more names than it keeps answers have been asked', () => {
    const first = timers.parse('c7/greeting');
    expect(timers.parse('c7/greeting')).toEqual(first);
    expect(timers.parse('c7/busy')).toBeNull();
    expect(timers.parse('c7/busy')).toBeNull();
    for (let i = 0; i < 10_000; i++) expect(timers.parse(`c${i}/${i % 2 === 0 ? 'relay' : 'busy'}`)).toEqual(i % 2 === 0 ? { conn: `c${i}`, kind: 'relay' } : null);
    expect(timers.parse('c7/greeting')).toEqual({ conn: 'c7', kind: 'greeting' });
    expect(timers.parse('c7/busy')).toBeNull();
  });
});
