/* discard-verdict - a message an smtpd access table DISCARDs is reported as a discard by policy, not as delivered nor as lost
 *
 * smtpd_check.c check_table_result() DISCARD and cleanup_api.c cleanup_flush() (v3.7.11): the client gets
 * 250 ... queued as <id>, and cleanup removes the queue file. safety (properties/verdicts.ts) promises that
 * an acknowledged message is queued once; for a discarded one it fails with the discard named.
 */
import { describe, expect, it } from 'vitest';
import { runCase, type LabCase } from '../../properties/lab-case.ts';
import { safety } from '../../properties/verdicts.ts';
import { loadScenario } from '../../scenarios/index.ts';

const scenario = (sets: readonly string[]) => loadScenario({ scenario: 'lockstep', sets: [...sets] });
const DISCARD = 'postfix.smtpd_sender_restrictions=check_sender_access inline:{ {spam@example.test = DISCARD} }';

function labCase(from: string): LabCase {
  const base = scenario([]);
  const user = base.get('client.user');
  const password = base.get('client.password');
  const steps = [
    { kind: 'ehlo', domain: 'client.example.test' },
    { kind: 'auth', mechanism: 'PLAIN', user, password, initialResponse: false },
    { kind: 'mail', from },
    { kind: 'rcpt', to: 'rcpt0-0@example.test' },
    { kind: 'data' },
    { kind: 'message', content: 'Subject: lab\r\n\r\nhi\r\n' },
    { kind: 'quit' },
  ] as const;
  return {
    overrides: {},
    client: { user, password, helo: 'client.example.test', waitForGreeting: true, thinkTimeUs: 0, groups: steps.map((step) => ({ steps: [step as LabCase['client']['groups'][number]['steps'][number]], writes: 'one' as const })) },
    faults: {},
    seed: 1,
  };
}

describe("the verdicts on a message the operator's access table discards", () => {
  it('safety fails naming the discard by policy, not "queued 0 times"', () => {
    const ran = scenario([DISCARD]);
    const spam = labCase('spam@example.test');
    const report = runCase(ran, spam);
    expect(report.client.acceptedMessages).toHaveLength(1);
    expect(report.queue).toEqual([]);
    const id = report.discarded[0]!.id;
    expect(safety(spam, report)).toBe(`message acknowledged as ${id} was discarded by policy (an smtpd access table's DISCARD), not queued: the configuration's order, not a fault`);
  });

  it('another sender under the same table is queued, and safety passes', () => {
    const ran = scenario([DISCARD]);
    const ham = labCase('ham@example.test');
    const report = runCase(ran, ham);
    expect([report.queue.length, report.discarded.length]).toEqual([1, 0]);
    expect(safety(ham, report)).toBeNull();
  });
});
