/* lab-side - the same session against the Postfix model, in process through its sans-I/O interface
 *
 * The model gets the bytes of each step at the virtual time it has reached, all of a burst in one
 * `bytes` input as a link that delivers the write at once, and runs its own timers (the reply
 * delays, the error sleep) until the replies owed are out or it closes. Silence
 * longer than the real side's timeout (real-side.ts REPLY_TIMEOUT_MS; smtpd_timeout's 300 s is)
 * is "no reply", and the session ends there as it does on the real side.
 */
import { asciiBytes, bytesToLatin1, type Micros, type Model } from '../../models/contract.ts';
import { REPLY_TIMEOUT_MS, SASL_REPLY_TIMEOUT_MS } from './real-side.ts';
import { lockStep, replyComplete, ReplyReader, type SessionRun, type Step } from './session.ts';

const CONN = 'diff';

export async function runLabSession(model: Model, steps: readonly Step[], clientPort = 40000): Promise<SessionRun> {
  const timers = new Map<string, Micros>();
  const log: string[] = [];
  let now: Micros = 0;
  const reader = new ReplyReader();
  let closed = false;
  const drain = () => {
    for (let out = model.poll(); out; out = model.poll()) {
      if (out.kind === 'timer') {
        if (out.at === null) timers.delete(out.timer);
        else timers.set(out.timer, out.at);
      } else if (out.kind === 'log' && out.program === 'postfix/smtpd') {
        log.push(out.line);
      } else if (out.kind === 'write' && out.conn === CONN) {
        reader.push(bytesToLatin1(out.bytes));
      } else if ((out.kind === 'close' || out.kind === 'abort') && out.conn === CONN) closed = true;
    }
  };
  model.handle(now, { kind: 'accepted', conn: CONN, local: { host: '127.0.0.1', port: 10025 }, remote: { host: '127.0.0.1', port: clientPort } });
  drain();
  const results = await lockStep(
    {
      send: (bytes) => {
        if (closed) return;
        model.handle(now, { kind: 'bytes', conn: CONN, bytes: asciiBytes(bytes) });
        drain();
      },
      awaitReply: async (owed, patient) => {
        // As on the real side, silence is timed: each line that comes moves the deadline.
        const silenceUs = (patient ? SASL_REPLY_TIMEOUT_MS : REPLY_TIMEOUT_MS) * 1000;
        let deadline = now + silenceUs;
        for (let seen = reader.count; !reader.complete(owed) && !closed; ) {
          if (reader.count !== seen) [seen, deadline] = [reader.count, now + silenceUs];
          let next: [string, Micros] | undefined;
          for (const entry of timers) if (!next || entry[1] < next[1]) next = entry;
          if (!next || next[1] > deadline) break;
          timers.delete(next[0]);
          now = Math.max(now, next[1]);
          model.handle(now, { kind: 'timeout', timer: next[0] });
          drain();
        }
        const reply = reader.take();
        return { reply, closed, timedOut: !replyComplete(reply, owed) && !closed };
      },
    },
    steps,
  );
  return { results, log };
}
