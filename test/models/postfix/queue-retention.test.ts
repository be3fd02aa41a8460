/* queue-retention - the queue keeps envelope, size and digest of every message it holds, content within a budget */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PostfixQueue, type QueuedMessage } from '../../../models/postfix/queue.ts';
import { MessageContent } from '../../../models/postfix/message-content.ts';

function message(id: string, text: string, keepBytes: number): QueuedMessage {
  const content = new MessageContent(keepBytes);
  for (let at = 0; at < text.length; at += 7) content.add(text.slice(at, at + 7));
  return { queueId: id, from: 'a@example.test', to: ['b@example.test'], size: text.length, saslUser: null, clientAddr: '127.0.0.1', ...content.finish() };
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
});
