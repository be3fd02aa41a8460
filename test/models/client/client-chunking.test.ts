import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { SmtpClient } from '../../../models/client/client.ts';
import type { Input, Output } from '../../../models/contract.ts';
import { swaksScript } from '../../../models/client/swaks.ts';
import { runClient, type ScriptedServer, type ServerAnswer } from './scripted-server.ts';

const FRONT = { host: '127.0.0.1', port: 587 };
const script = swaksScript({ connectTo: FRONT, user: 'alice@example.test', password: 'secret', helo: 'client.example.test', auth: 'LOGIN', pipelining: true });

const REPLIES = [
  '220 front.example.test ESMTP\r\n',
  '250-front.example.test\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n',
  '334 VXNlcm5hbWU6\r\n',
  '334 UGFzc3dvcmQ6\r\n',
  '235 2.7.0 Logged in.\r\n',
  '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n',
  '250 2.0.0 Ok: queued as 4XyZ\r\n',
  '221 2.0.0 Bye\r\n',
];

/** Sends the n-th reply for the n-th write, cut into chunks by `cut`. */
function choppedServer(cut: (reply: string) => string[]): ScriptedServer {
  const answer = (reply: string | undefined): ServerAnswer[] => (reply === undefined ? [] : cut(reply).map((bytes) => ({ bytes })));
  return { onConnect: () => answer(REPLIES[0]), onWrite: (_t, { writeIndex }) => answer(REPLIES[writeIndex + 1]) };
}

function play(cut: (reply: string) => string[]) {
  const client = new SmtpClient(script);
  const run = runClient(client, choppedServer(cut));
  return { writes: run.writes.map((w) => w.text), result: client.result() };
}

const whole = play((reply) => [reply]);

test('the whole-reply run is a full session', () => {
  expect(whole.result).toMatchObject({ authReply: '235 2.7.0 Logged in.', queuedIds: ['4XyZ'], closedBy: 'client', done: true });
  expect(whole.result.replies).toHaveLength(10);
});

test('replies split byte by byte give the same writes and results', () => {
  expect(play((reply) => [...reply])).toEqual(whole);
});

test.prop([fc.array(fc.nat(200), { maxLength: 12 })])('replies cut at any points give the same writes and results', (cuts) => {
  const cut = (reply: string): string[] => {
    const points = [...new Set(cuts.map((c) => c % (reply.length + 1)))].sort((a, b) => a - b);
    return [0, ...points].map((start, i) => reply.slice(start, points[i] ?? reply.length)).filter((c) => c !== '');
  };
  expect(play(cut)).toEqual(whole);
});

const serverEvent = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes): Input => ({ kind: 'bytes', conn: 'client:smtp', bytes })) },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom('220 x\r\n', '250-a\r\n', '250 b\r\n', '334 \r\n', '235 ok\r\n', '421 bye\r\n', '354 go\r\n', '\n', '\r')
      .map((text): Input => ({ kind: 'bytes', conn: 'client:smtp', bytes: Buffer.from(text) })),
  },
  { weight: 1, arbitrary: fc.constant<Input>({ kind: 'eof', conn: 'client:smtp' }) },
  { weight: 1, arbitrary: fc.constant<Input>({ kind: 'reset', conn: 'client:smtp' }) },
  { weight: 2, arbitrary: fc.constantFrom('client:think', 'client:reply', 'other').map((timer): Input => ({ kind: 'timeout', timer })) },
);

test.prop([fc.array(serverEvent, { maxLength: 60 })])('arbitrary server bytes and events never crash the client', (events) => {
  const client = new SmtpClient(script);
  client.start(0);
  client.handle(0, { kind: 'connected', conn: 'client:smtp', local: { host: '127.0.0.1', port: 40000 }, remote: FRONT });
  const outputs: Output[] = [];
  let now = 0;
  for (const event of events) {
    now += 100;
    client.handle(now, event);
    for (let o = client.poll(); o !== undefined; o = client.poll()) outputs.push(o);
  }
  const result = client.result();
  expect(result.replies.length).toBeLessThanOrEqual(events.length * 64);
  // Once done, the client never writes again and closes at most once.
  expect(outputs.filter((o) => o.kind === 'close').length).toBeLessThanOrEqual(1);
  const closeAt = outputs.findIndex((o) => o.kind === 'close' || o.kind === 'abort');
  if (closeAt !== -1) expect(outputs.slice(closeAt).some((o) => o.kind === 'write')).toBe(false);
  if (result.done) expect(result.closedBy).not.toBeNull();
});
