/* scripted-server - drives one SmtpClient against a server written in the test, no sim
 *
 * The pump feeds `connected` for the client's connect, hands every client write to the
 * test's server function (which answers with chunks, an eof or a reset), and jumps the
 * clock to the next timer when nothing else is pending. Every loop is bounded.
 */
import { bytesToLatin1, type Micros, type Output } from '../../../models/contract.ts';
import type { SmtpClient } from '../../../models/client/client.ts';

export type ServerAnswer = { readonly bytes: string } | { readonly eof: true } | { readonly reset: true };

export interface ServerContext {
  /** Index of this write among all client writes (0 = first). */
  readonly writeIndex: number;
  readonly now: Micros;
}

export interface ScriptedServer {
  /** What the server sends when the client has connected (the greeting, usually). */
  onConnect(): ServerAnswer[];
  /** What the server sends after one client write (latin1 text). */
  onWrite(text: string, context: ServerContext): ServerAnswer[];
}

export interface RecordedWrite {
  readonly at: Micros;
  readonly text: string;
}

export interface PumpRun {
  readonly writes: RecordedWrite[];
  readonly outputs: Output[];
  readonly now: Micros;
}

const CONN = 'client:smtp';

export function runClient(client: SmtpClient, server: ScriptedServer, maxSteps = 10_000): PumpRun {
  const timers = new Map<string, Micros>();
  const writes: RecordedWrite[] = [];
  const outputs: Output[] = [];
  let now: Micros = 0;
  let serverGone = false;

  const deliver = (answers: ServerAnswer[]): void => {
    for (const answer of answers) {
      if (serverGone) return;
      if ('bytes' in answer) client.handle(now, { kind: 'bytes', conn: CONN, bytes: Buffer.from(answer.bytes, 'latin1') });
      else if ('eof' in answer) {
        serverGone = true;
        client.handle(now, { kind: 'eof', conn: CONN });
      } else {
        serverGone = true;
        client.handle(now, { kind: 'reset', conn: CONN });
      }
    }
  };

  client.start(now);
  for (let step = 0; step < maxSteps; step++) {
    const output = client.poll();
    if (output !== undefined) {
      outputs.push(output);
      if (output.kind === 'connect') {
        client.handle(now, { kind: 'connected', conn: output.conn, local: { host: '127.0.0.1', port: 40000 }, remote: output.to });
        deliver(server.onConnect());
      } else if (output.kind === 'write' && !serverGone) {
        const text = bytesToLatin1(output.bytes);
        writes.push({ at: now, text });
        deliver(server.onWrite(text, { writeIndex: writes.length - 1, now }));
      } else if (output.kind === 'timer') {
        if (output.at === null) timers.delete(output.timer);
        else timers.set(output.timer, output.at);
      }
      continue;
    }
    const next = [...timers.entries()].sort((a, b) => a[1] - b[1])[0];
    if (next === undefined) return { writes, outputs, now };
    timers.delete(next[0]);
    now = Math.max(now, next[1]);
    client.handle(now, { kind: 'timeout', timer: next[0] });
  }
  throw new Error(`client pump did not settle within ${maxSteps} steps`);
}

/** A server that answers each command line by the first matching rule (verb or exact line). */
export function ruleServer(greeting: string, rules: ReadonlyArray<readonly [RegExp, string | ServerAnswer[]]>): ScriptedServer {
  return {
    onConnect: () => [{ bytes: greeting }],
    onWrite(text) {
      const answers: ServerAnswer[] = [];
      // A write may hold several pipelined lines (or a whole message): answer each line a rule matches.
      for (const line of text.split('\r\n').slice(0, -1)) {
        const rule = rules.find(([pattern]) => pattern.test(line));
        if (rule === undefined) continue;
        const [, answer] = rule;
        answers.push(...(typeof answer === 'string' ? [{ bytes: answer }] : answer));
      }
      return answers;
    },
  };
}
