/* lab-side - the same lock-step session against the Postfix model, in process through its sans-I/O interface
 *
 * The model gets the bytes of each step at the virtual time it has reached and runs its own
 * timers (the reply delays, the error sleep) until a whole reply is out or it closes. Silence
 * longer than the real side's timeout (real-side.ts REPLY_TIMEOUT_MS; smtpd_timeout's 300 s is)
 * is "no reply", and the session ends there as it does on the real side.
 */
import { asciiBytes, bytesToLatin1, type Micros, type Model } from '../../models/contract.ts';
import { REPLY_TIMEOUT_MS } from './real-side.ts';
import { lockStep, replyComplete, ReplyReader, type Step, type StepResult } from './session.ts';

const CONN = 'diff';

export function runLabSession(model: Model, steps: readonly Step[], clientPort = 40000): Promise<StepResult[]> {
  const timers = new Map<string, Micros>();
  let now: Micros = 0;
  const reader = new ReplyReader();
  let closed = false;
  const drain = () => {
    for (let out = model.poll(); out; out = model.poll()) {
      if (out.kind === 'timer') {
        if (out.at === null) timers.delete(out.timer);
        else timers.set(out.timer, out.at);
      } else if (out.kind === 'write' && out.conn === CONN) {
        reader.push(bytesToLatin1(out.bytes));
      } else if ((out.kind === 'close' || out.kind === 'abort') && out.conn === CONN) closed = true;
    }
  };
  model.handle(now, { kind: 'accepted', conn: CONN, local: { host: '127.0.0.1', port: 10025 }, remote: { host: '127.0.0.1', port: clientPort } });
  drain();
  return lockStep(
    {
      send: (bytes) => {
        if (closed) return;
        model.handle(now, { kind: 'bytes', conn: CONN, bytes: asciiBytes(bytes) });
        drain();
      },
      awaitReply: async () => {
        // As on the real side, silence is timed: each line that comes moves the deadline.
        let deadline = now + REPLY_TIMEOUT_MS * 1000;
        for (let seen = reader.count; !reader.complete && !closed; ) {
          if (reader.count !== seen) [seen, deadline] = [reader.count, now + REPLY_TIMEOUT_MS * 1000];
          let next: [string, Micros] | undefined;
          for (const entry of timers) if (!next || entry[1] < next[1]) next = entry;
          if (!next || next[1] > deadline) break;
          timers.delete(next[0]);
          now = Math.max(now, next[1]);
          model.handle(now, { kind: 'timeout', timer: next[0] });
          drain();
        }
        const reply = reader.take();
        return { reply, closed, timedOut: !replyComplete(reply) && !closed };
      },
    },
    steps,
  );
}
