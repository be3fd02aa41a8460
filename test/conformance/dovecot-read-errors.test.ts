/* dovecot-read-errors - what the real Dovecot logs when a client resets its connection, against the model's text
 *
 * The client's istream holds LOGIN_MAX_INBUF_SIZE bytes and a failed read() names the room left
 * in it (models/front/dovecot-read-error.ts): before login lib-smtp reports it as the disconnect
 * reason, after login the relay as "Disconnected by client". Each case resets the connection
 * (RST) after a known number of client bytes and compares the real line with the model's.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealStack } from '../../conformance/real-stack.ts';
import { closedAfterReadFailed, LOGIN_MAX_INBUF_SIZE, readFailed } from '../../models/front/dovecot-read-error.ts';
import { realStackSkipReason } from './real-stack-env.ts';

const RESET = 'Connection reset by peer';
const EHLO = 'EHLO x\r\n';
const AUTH = `AUTH PLAIN ${Buffer.from('\0alice@example.test\0secret').toString('base64')}\r\n`;
/** A relayed line long enough that two of them take the client's istream past one full buffer. */
const LONG_NOOP = `NOOP ${'a'.repeat(543)}\r\n`;

/** A client that writes lines, each after the reply it waits for, then resets the connection; returns the bytes it sent. */
async function resetAfter(port: number, steps: readonly (readonly [line: string, reply: RegExp])[]): Promise<number> {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (data: Buffer) => { received += data.toString('latin1'); });
  const waitFor = async (reply: RegExp) => {
    for (let waited = 0; !reply.test(received); waited += 5) {
      if (waited > 10_000) throw new Error(`no ${reply} from Dovecot; got: ${received}`);
      await sleep(5);
    }
  };
  await waitFor(/^220 /m);
  let sent = 0;
  for (const [line, reply] of steps) {
    received = '';
    socket.write(line);
    sent += line.length;
    await waitFor(reply);
  }
  socket.resetAndDestroy();
  return sent;
}

describe.skipIf(realStackSkipReason !== null)('real Dovecot 2.3: a client reset, and the read error it logs', () => {
  let stack: RealStack;

  beforeAll(async () => {
    stack = await RealStack.start({ netns: null });
    await stack.configure({ forbid: false, tcpMode: 'default', xclientLookupMs: null }, { fresh: true });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function loggedAfter(steps: readonly (readonly [string, RegExp])[], pattern: RegExp): Promise<{ line: string; sent: number }> {
    const mark = stack.mark();
    const sent = await resetAfter(stack.ports.dovecot, steps);
    for (let waited = 0; waited < 5_000; waited += 20) {
      const line = stack.dovecotLogSince(mark).find((entry) => pattern.test(entry));
      if (line !== undefined) return { line, sent };
      await sleep(20);
    }
    throw new Error(`Dovecot logged no ${pattern}: ${stack.dovecotLogSince(mark).join('\n')}`);
  }

  it('before login: lib-smtp\'s reason is "Connection closed: read(size=1026 - bytes read) failed"', async () => {
    const { line, sent } = await loggedAfter([[EHLO, /^250 /m]], /Info: Disconnected: /);
    expect(line).toContain(`Disconnected: ${closedAfterReadFailed(LOGIN_MAX_INBUF_SIZE, sent, RESET)} (`);
  }, 30_000);

  it('relaying: "Disconnected by client: read(size=...) failed", also once the reads have gone past one full buffer', async () => {
    const login = [[EHLO, /^250 /m], [AUTH, /^235 /m]] as const;
    const short = await loggedAfter(login, /Disconnected by client: /);
    expect(short.line).toContain(`Disconnected by client: ${readFailed(LOGIN_MAX_INBUF_SIZE, short.sent, RESET)} (`);
    const long = await loggedAfter([...login, [LONG_NOOP, /^250 /m], [LONG_NOOP, /^250 /m]], /Disconnected by client: /);
    expect(long.sent).toBeGreaterThan(LOGIN_MAX_INBUF_SIZE);
    expect(long.line).toContain(`Disconnected by client: ${readFailed(LOGIN_MAX_INBUF_SIZE, long.sent, RESET)} (`);
  }, 30_000);
});
