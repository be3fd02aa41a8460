/* run-session - `smtp-lab run` says how and when the client's session ended, and exits 1 when the client gave up waiting */
import { describe, expect, it } from 'vitest';
import { runSmtpLab } from './run-smtp-lab.ts';

const CWD = new URL('../..', import.meta.url).pathname;

async function runJson(...sets: string[]) {
  const result = await runSmtpLab(['run', '--scenario', 'haproxy-proxy-protocol', ...sets.flatMap((set) => ['--set', set]), '--json'], CWD);
  return { code: result.exitCode, json: result.stdout === '' ? null : JSON.parse(result.stdout), stderr: result.stderr };
}

describe('smtp-lab run: the end of the client session', () => {
  it('swaks dialogue: ended by QUIT, with the virtual time; exit 0', async () => {
    const { code, json } = await runJson();
    expect(code).toBe(0);
    expect(json.client.session).toEqual({ ended: 'quit', atMs: expect.any(Number), error: null });
    expect(json.client.session.atMs).toBeGreaterThan(13);
  });

  it('a reply slower than client.timeout_s: client-timeout at that time, exit 1', async () => {
    // smtpd sends its 220 after postfix.banner_delay_ms (13 ms); the client waits 5 ms.
    const { code, json } = await runJson('client.timeout_s=0.005');
    expect(code).toBe(1);
    expect(json.client.session).toEqual({ ended: 'client-timeout', atMs: expect.closeTo(5, 1), error: 'no reply within 5000 µs' });
    expect(json.client.replies).toEqual([]);
  });

  it('the server hangs up (a non-SMTP command): server-closed; a script without QUIT: client-closed; both exit 0', async () => {
    const hungUp = await runJson('client.script=EHLO lab; Subject:');
    expect(hungUp.code).toBe(0);
    expect(hungUp.json.client.replies.at(-1)).toBe('221 2.7.0 Error: I can break rules, too. Goodbye.');
    expect(hungUp.json.client.session.ended).toBe('server-closed');
    const noQuit = await runJson('client.script=EHLO lab; NOOP');
    expect(noQuit.code).toBe(0);
    expect(noQuit.json.client.session).toMatchObject({ ended: 'client-closed', error: null });
  });

  it('--repeat counts how the sessions ended beside the AUTH replies', async () => {
    const result = await runSmtpLab(['run', '--scenario', 'haproxy-proxy-protocol', '--set', 'client.timeout_s=0.005', '--repeat', '2', '--json'], CWD);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout).summary).toEqual({ authReply: { '(none)': 2 }, sessionEnded: { 'client-timeout': 2 } });
  });

  it('a malformed client.script is bad input: exit 2 naming the key and the column', async () => {
    const { code, stderr } = await runJson('client.script=EHLO lab; NOOP \\xZZ');
    expect(code).toBe(2);
    expect(stderr).toContain("client.script: 'EHLO lab; NOOP \\xZZ' is not allowed: column 16: \\x needs two hex digits, got 'ZZ'");
  });
});
