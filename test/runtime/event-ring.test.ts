/* event-ring - the runtime's recent events: O(1) recording, bounded by count and bytes, oldest dropped first */
import { describe, expect, it } from 'vitest';
import { EventRing, eventBytes } from '../../runtime/socket/event-ring.ts';
import type { RuntimeEvent } from '../../runtime/socket/events.ts';

const recv = (t: number, data = ''): RuntimeEvent => ({ t, kind: 'recv', node: 'n', conn: 'c', len: data.length, data });

describe('EventRing', () => {
  it('keeps the newest maxEvents, oldest first, across many wraps', () => {
    const ring = new EventRing(3, Infinity);
    for (let t = 0; t < 10; t++) ring.push(recv(t));
    expect(ring.toArray().map((e) => e.t)).toEqual([7, 8, 9]);
    expect(ring.find((e) => e.t === 8)?.t).toBe(8);
    expect(ring.find((e) => e.t === 6)).toBeUndefined();
  });

  it('drops the oldest events while their bytes are over the budget, but always keeps the newest', () => {
    const big = recv(0, 'x'.repeat(1000));
    const ring = new EventRing(100, eventBytes(big) * 2);
    ring.push(big);
    ring.push(recv(1, 'x'.repeat(1000)));
    ring.push(recv(2, 'x'.repeat(1000)));
    expect(ring.toArray().map((e) => e.t)).toEqual([1, 2]);
    expect(ring.heldBytes).toBe(eventBytes(big) * 2);
    const alone = new EventRing(100, 10);
    alone.push(big);
    expect(alone.length).toBe(1);
  });

  it('refuses a ring without room', () => {
    expect(() => new EventRing(0, 1)).toThrow(/maxEvents must be a positive integer/);
  });
});
