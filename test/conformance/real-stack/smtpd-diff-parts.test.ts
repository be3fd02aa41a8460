/* smtpd-diff-parts - the smtpd differential's pieces that need no daemon: how many replies a burst is owed, where two
 * sessions part (a burst's part, the pipelining log lines), the model's side of a burst, the real log's smtpd lines
 */
import { describe, expect, it } from 'vitest';
import { firstDisagreement, LOG_STEP, pipeliningLog } from '../../../conformance/smtpd-diff/compare.ts';
import { runLabSession } from '../../../conformance/smtpd-diff/lab-side.ts';
import { smtpdLines } from '../../../conformance/smtpd-diff/real-side.ts';
import { burst, replyComplete, startsSasl, type SessionRun, type Step, type StepResult } from '../../../conformance/smtpd-diff/session.ts';
import { createPostfix } from '../../../models/postfix/smtpd.ts';
import { builtinScenario } from '../../../scenarios/builtin.ts';
import { resolveScenario } from '../../../scenarios/scenario.ts';
import { postfixConfigOf } from '../../../scenarios/topology.ts';

const CONFIG = postfixConfigOf(resolveScenario(builtinScenario('real-stack')!));
const line = (text: string): Step => ({ kind: 'line', bytes: `${text}\r\n` });
const SYNC = '554 5.5.0 Error: SMTP protocol synchronization';
const result = (sent: string, reply: string[], parts = [sent], closed = false): StepResult => ({ sent, reply, closed, skipped: false, parts });
const run = (results: StepResult[], log: string[] = []): SessionRun => ({ results, log });

describe('smtpd differential parts', () => {
  it('a burst is owed one whole reply per part: a multi-line reply counts once, a continued last line not at all', () => {
    expect(replyComplete(['250-a', '250 b', '250 c'], 2)).toBe(true);
    expect(replyComplete(['250-a', '250 b', '250 c'], 3)).toBe(false);
    expect(replyComplete(['250 a', '250-b'], 1)).toBe(false);
    expect(replyComplete([], 1)).toBe(false);
  });

  it('AUTH PLAIN or LOGIN anywhere in a write starts a SASL exchange (the longer wait); AUTH alone and other lines do not', () => {
    expect(startsSasl(line('AUTH PLAIN AGFAYgBj'))).toBe(true);
    expect(startsSasl(burst(['NOOP\r\n', 'auth login\r\n']))).toBe(true);
    expect(startsSasl(line('AUTH'))).toBe(false);
    expect(startsSasl(line('NOOP AUTH PLAIN'))).toBe(false);
  });

  it("names the burst's part whose reply differs first, with the whole write", () => {
    const parts = ['MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<b@example.test>\r\n', 'DATA\r\n'];
    const sent = parts.join('');
    const real = run([result('', ['220 x']), result(sent, ['250 2.1.0 Ok', '250 2.1.5 Ok', '354 go'], parts)]);
    const lab = run([result('', ['220 x']), result(sent, ['250 2.1.0 Ok', '550 no', SYNC], parts, true)]);
    expect(firstDisagreement(real, lab)).toEqual({ step: 1, sent: parts[1], burst: sent, real: '250 2.1.5 Ok', lab: '550 no' });
    // A close where the other side went on is the part's difference too.
    const closed = run([result('', ['220 x']), result(sent, ['250 2.1.0 Ok', '250 2.1.5 Ok'], parts, true)]);
    expect(firstDisagreement(real, closed)).toMatchObject({ sent: parts[2], real: '354 go', lab: '(closed)' });
  });

  it('compares the pipelining log lines, and only those, once every reply agrees', () => {
    const results = [result('', ['220 x'])];
    const logged = 'improper command pipelining after EHLO from localhost[127.0.0.1]: NO';
    expect(firstDisagreement(run(results, ['connect from a[1.2.3.4]', logged]), run(results, ['connect from b[1.2.3.4]', logged]))).toBeNull();
    expect(firstDisagreement(run(results, [logged]), run(results, []))).toEqual({ step: 1, sent: LOG_STEP, real: logged, lab: '(none)' });
    expect(pipeliningLog(['disconnect from x', logged, logged])).toBe(`${logged}\n${logged}`);
  });

  it("reads smtpd's lines out of the real log, without the syslog prefix", () => {
    const lines = ['Nov 30 20:07:47 backend postfix/smtpd[6142]: connect from localhost[127.0.0.1]', 'Nov 30 20:07:47 backend postfix/cleanup[6150]: 1A2B: message-id=<x>', 'Nov 30 20:07:47 backend postfix/smtpd[6142]: disconnect from localhost[127.0.0.1] commands=0'];
    expect(smtpdLines(lines)).toEqual(['connect from localhost[127.0.0.1]', 'disconnect from localhost[127.0.0.1] commands=0']);
  });

  it("gives the model a burst as one input: a partial line after EHLO is what smtpd's check sees, and logs", async () => {
    const piped = await runLabSession(createPostfix(CONFIG), [burst(['EHLO client.example.test\r\n'], 'NO'), line('OP')]);
    // The check runs before EHLO does (smtpd_proto()); the close shows at the next write.
    expect(piped.results.slice(1).map((r) => [r.reply, r.closed])).toEqual([[[SYNC], false], [[], true]]);
    expect(pipeliningLog(piped.log)).toBe('improper command pipelining after EHLO from localhost[127.0.0.1]: NO');
    // The same bytes lock-step: no check fires.
    const lockStep = await runLabSession(createPostfix(CONFIG), [line('EHLO client.example.test'), line('NOOP')]);
    expect(lockStep.results.at(-2)!.reply).toEqual(['250 2.0.0 Ok']);
    expect(pipeliningLog(lockStep.log)).toBe('(none)');
  });

  it("waits for every reply a burst is owed: the RFC 2920 group after EHLO gets all three, then the message's", async () => {
    const steps: Step[] = [line('EHLO client.example.test'), burst(['MAIL FROM:<alice@example.test>\r\n', 'RCPT TO:<bob@example.test>\r\n', 'DATA\r\n']), { kind: 'content', bytes: 'Subject: t\r\n\r\nhi\r\n.\r\n' }];
    const { results } = await runLabSession(createPostfix(CONFIG), steps);
    expect(results[2]!.reply).toEqual(['250 2.1.0 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>']);
    expect(results[3]!.reply[0]).toMatch(/^250 2\.0\.0 Ok: queued as /);
  });
});
