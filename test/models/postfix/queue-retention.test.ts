/* queue-retention - the queue keeps envelope, size and digest of every message it holds, content within a budget */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PostfixQueue, type QueuedMessage } from '../../../models/postfix/queue.ts';
import { MessageContent } from '../../../models/postfix/message-content.ts';

function message(id: string, text: string, keepBytes: number): QueuedMessage {
  const content = new MessageContent(keepBytes);
  for (let at = 0; at < text.length; at += 7) content.add(text.slice(at, at + 7));
  return { queueId: id, from: 'a@example.test', to: ['b@example.test'], size: text.length, saslUser: null, clientAddr: '127.0.0.1', actions: null, ...content.finish() };
}

describe('PostfixQueue retention', () => {
  it('digests the content as node:crypto does for its latin1 bytes, whole or in pieces, and keeps the text within the budget', () => {
    const text = 'Subject: \u00e9t\u00e9\r\n\r\n' + 'x'.repeat(200) + '\r\n';
    const kept = message('A', text, Infinity);
    expect(kept.sha256).toBe(createHash('sha256').update(Buffer.from(text, 'latin1')).digest('hex'));
    expect(kept.content).toBe(text);
    const over = message('B', text, 100);
    expect(over.content).toBeNull();
    expect(over.sha256).toBe(kept.sha256);
  });

  it('drops the oldest content first over the byte budget and the oldest records over the count', () => {
    const queue = new PostfixQueue({ keepMessages: 3, keepContentBytes: 25 });
    for (const id of ['A', 'B', 'C', 'D']) queue.enqueue(message(id, '0123456789', Infinity));
    expect(queue.messages.map((m) => [m.queueId, m.content !== null])).toEqual([['B', false], ['C', true], ['D', true]]);
    expect(queue.messages.every((m) => m.size === 10 && m.sha256.length === 64)).toBe(true);
  });

  const ids = (queue: PostfixQueue) => queue.messages.map((m) => [m.queueId, m.content !== null]);

  it('keeps content up to the budget exactly', () => {
    const queue = new PostfixQueue({ keepMessages: 10, keepContentBytes: 20 });
    for (const id of ['A', 'B']) queue.enqueue(message(id, '0123456789', Infinity));
    expect(ids(queue)).toEqual([['A', true], ['B', true]]);
  });

  it('a message that came without its content (over its own budget) counts nothing and is passed over', () => {
    const queue = new PostfixQueue({ keepMessages: 10, keepContentBytes: 15 });
    queue.enqueue(message('A', '0123456789', 5));
    for (const id of ['B', 'C']) queue.enqueue(message(id, '0123456789', Infinity));
    expect(ids(queue)).toEqual([['A', false], ['B', false], ['C', true]]);
  });

  it('a record dropped over the count gives its content bytes back to the budget', () => {
    const queue = new PostfixQueue({ keepMessages: 2, keepContentBytes: 35 });
    for (const id of ['A', 'B', 'C', 'D']) queue.enqueue(message(id, '0123456789', Infinity));
    expect(ids(queue)).toEqual([['C', true], ['D', true]]);
  });

  it('after records are dropped, the oldest kept one is the next to lose its content', () => {
    const tight = new PostfixQueue({ keepMessages: 2, keepContentBytes: 25 });
    for (const id of ['A', 'B', 'C', 'D']) tight.enqueue(message(id, '0123456789', Infinity));
    expect(ids(tight)).toEqual([['C', true], ['D', true]]);
    const one = new PostfixQueue({ keepMessages: 1, keepContentBytes: 100 });
    one.enqueue(message('A', '0123456789', Infinity));
    one.enqueue(message('B', '0123456789', Infinity));
    one.enqueue(message('C', 'x'.repeat(95), Infinity));
    expect(ids(one)).toEqual([['C', true]]);
  });
});
