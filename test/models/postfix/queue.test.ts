/* queue - queue IDs in Postfix's short form: the microseconds of the creation time, then the "inode", in hex */
import { describe, expect, it } from 'vitest';
import { PostfixQueue } from '../../../models/postfix/queue.ts';

describe('queue IDs (global/mail_queue.c MQID_SH_*)', () => {
  it('are 5 hex digits of the microseconds within the second, then an inode number that grows by one per message', () => {
    const queue = new PostfixQueue();
    // 3.234567 s: 234567 µs = 0x39447.
    expect(queue.allocateId(3_234_567)).toBe('3944720C000');
    expect(queue.allocateId(3_234_567)).toBe('3944720C001');
    expect(queue.allocateId(5)).toBe('0000520C002');
  });
});
