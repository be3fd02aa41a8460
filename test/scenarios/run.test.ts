/* run - the whole chain in the simulator: the real stack's outcomes, the trigger, the fix, determinism */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.ts';
import { runScenario } from '../../scenarios/run.ts';

const run = (scenario: string, sets: string[] = [], seed = 1, trace = false) => runScenario(loadScenario({ scenario, sets }), { seed, trace });

describe('runScenario', () => {
  it('mailu-2024.06 on linux-default TCP: 235, one backend connection, no improper-pipelining line (the real stack, T1: 20/20)', () => {
    const report = run('mailu-2024.06', ['tcp.profile=linux-default']);
    expect(report.client.authReply).toBe('235 2.7.0 Logged in.');
    expect(report.backend.connections).toBe(1);
    expect(report.postfix.log.join('\n')).not.toMatch(/improper command pipelining/);
    expect(report.queue).toHaveLength(1);
    expect(report.client.replies.at(-2)).toBe(`250 2.0.0 Ok: queued as ${report.queue[0]!.id}`);
  });

  it('with the 100 ms xclient lookup: 454 after 4 backend connections, ~3.8 s after AUTH (E1: 3.82 s)', () => {
    const report = run('mailu-2024.06', ['postfix.xclient_lookup_ms=100']);
    expect(report.client.authReply).toBe('454 4.7.0 Account is temporarily unavailable.');
    expect(report.backend.connections).toBe(4);
    expect(report.postfix.log.filter((line) => line.includes('improper command pipelining after XCLIENT'))).toHaveLength(4);
    expect(report.client.authToReplyMs).toBeGreaterThan(3820 * 0.9);
    expect(report.client.authToReplyMs).toBeLessThan(3820 * 1.1);
    expect(report.queue).toHaveLength(0);
  });

  it('the lock-step proxy under the same trigger gets 235 on its first connection', () => {
    const report = run('lockstep', ['postfix.xclient_lookup_ms=100']);
    expect(report.client.authReply).toBe('235 2.7.0 Logged in.');
    expect(report.backend.connections).toBe(1);
    expect(report.improperPipelining).toEqual([]);
  });

  it('PR 3322 (forbid=no) under the trigger: 235, Postfix logs the pipelining once and goes on (E2)', () => {
    const report = run('mailu-2024.06-pr3322', ['postfix.xclient_lookup_ms=100']);
    expect(report.client.authReply).toBe('235 2.7.0 Logged in.');
    expect(report.improperPipelining).toEqual(['EHLO front.example.test\\r\\n']);
    expect(report.queue).toHaveLength(1);
  });

  it('Postfix 3.7 defaults (forbid=no) behave like the workaround', () => {
    expect(run('postfix-3.7', ['postfix.xclient_lookup_ms=100']).client.authReply).toBe('235 2.7.0 Logged in.');
  });

  it('nginx on port 25 delivers without AUTH through XCLIENT', () => {
    const report = run('nginx-port25');
    expect(report.client.authReply).toBeNull();
    expect(report.queue).toHaveLength(1);
    expect(report.client.replies.at(-1)).toMatch(/^221/);
  });

  it('auth service refused: the client gets a temporary failure, no backend connection', () => {
    const report = run('mailu-2024.06', ['auth.fault=refused']);
    expect(report.client.authReply).toMatch(/^454 4\.7\.0 Temporary authentication failure/);
    expect(report.backend.connections).toBe(0);
  });

  it('the same seed gives the same trace, byte for byte; another seed another one', () => {
    const lines = (seed: number) => JSON.stringify(run('mailu-2024.06', ['tcp.profile=quickack'], seed, true).trace);
    expect(lines(11)).toBe(lines(11));
    expect(lines(11)).not.toBe(lines(12));
  });
});
