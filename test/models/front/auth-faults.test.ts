/* auth-faults - what the client gets from dovecot-2.3 when the Mailu auth service answers badly or not at all
 *
 * Chain: Mailu login.lua through Dovecot's lib-http (timeout 2000 ms, max_attempts 3): 200 + OK proxies,
 * 200 + any other Auth-Status is PASSWORD_MISMATCH ("535 5.7.8 Authentication failed."), anything else
 * is INTERNAL_FAILURE ("454 4.7.0 Temporary authentication failure. [host:time]"); failures reach the
 * client after auth_failure_delay (2 s).
 */
import { describe, expect, test } from 'vitest';
import { backendConnects, clientReceived, runChain, writeTimes } from './chain.ts';

const TEMPFAIL = /^454 4\.7\.0 Temporary authentication failure\. \[vm:2026-11-27 \d\d:\d\d:\d\d\]$/;

function authReply(run: ReturnType<typeof runChain>): { line: string; afterAuthS: number } {
  const auth = writeTimes(run.events, 'client', 'front', /^AUTH /)[0]!;
  const reply = run.events.find((e) => e.kind === 'write' && e.from === 'front' && e.to === 'client' && e.t > auth && /^[2-5]\d\d /.test(String(e.data)))!;
  return { line: String(reply.data).replace(/\r\n$/, ''), afterAuthS: (reply.t - auth) / 1e6 };
}

function authRequests(run: ReturnType<typeof runChain>): string[] {
  return run.events.filter((e) => e.kind === 'write' && e.from === 'front' && e.to === 'auth').map((e) => String(e.data));
}

describe('the passdb request', () => {
  test('GET /internal/auth/email with login.lua\'s headers in login.lua\'s order', () => {
    const run = runChain();
    const [request] = authRequests(run);
    const lines = request!.split('\r\n');
    expect(lines[0]).toBe('GET /internal/auth/email HTTP/1.1');
    expect(lines.slice(1, 3).map((l) => l.split(':')[0])).toEqual(['Host', 'Date']);
    expect(lines.slice(3, -2).map((l) => l.replace(/^Client-Port: \d+$/, 'Client-Port: <port>'))).toEqual([
      'Auth-Port: 1587', 'Auth-User: alice@example.test', 'Auth-Pass: secret', 'Auth-Protocol: submission',
      'Client-IP: 127.0.0.1', 'Client-Port: <port>', 'Auth-SSL: secured', 'Auth-Method: PLAIN',
    ]);
  });
});

describe('service answers and faults, as the client sees them', () => {
  test('OK: 235 and one backend connection', () => {
    const run = runChain();
    expect(authReply(run).line).toBe('235 2.7.0 Logged in.');
    expect(backendConnects(run.events)).toHaveLength(1);
  });

  test('bad password: 535 5.7.8 Authentication failed. after auth_failure_delay, no backend connection', () => {
    const run = runChain({ client: { password: 'wrong' } });
    const reply = authReply(run);
    expect(reply.line).toBe('535 5.7.8 Authentication failed.');
    expect(reply.afterAuthS).toBeGreaterThan(2);
    expect(reply.afterAuthS).toBeLessThan(2.1);
    expect(backendConnects(run.events)).toHaveLength(0);
  });

  test('rate limited (451 4.3.2 from the service): Lua sees "not OK", so 535 as for a bad password', () => {
    const run = runChain({ auth: { AUTH_RATELIMIT_USER: '0/day' } });
    expect(authReply(run).line).toBe('535 5.7.8 Authentication failed.');
  });

  test('HTTP 500: internal failure, 454 temporary failure after the delay, one request', () => {
    const run = runChain({ auth: { fault: 'http500' } });
    const reply = authReply(run);
    expect(reply.line).toMatch(TEMPFAIL);
    expect(reply.afterAuthS).toBeGreaterThan(2);
    expect(authRequests(run)).toHaveLength(1);
  });

  test('malformed answer: not retried, 454 temporary failure', () => {
    const run = runChain({ auth: { fault: 'malformed' } });
    expect(authReply(run).line).toMatch(TEMPFAIL);
    expect(authRequests(run)).toHaveLength(1);
  });

  test('timeout (never answers): 3 attempts of 2 s, then 454 temporary failure (~8 s after AUTH)', () => {
    const run = runChain({ auth: { fault: 'timeout' } });
    const reply = authReply(run);
    expect(reply.line).toMatch(TEMPFAIL);
    expect(authRequests(run)).toHaveLength(3);
    expect(reply.afterAuthS).toBeGreaterThan(8);
    expect(reply.afterAuthS).toBeLessThan(8.1);
  });

  test('connection refused (no listener): 3 attempts, then 454 temporary failure', () => {
    const run = runChain({ auth: 'absent' });
    expect(authReply(run).line).toMatch(TEMPFAIL);
    expect(run.events.filter((e) => e.kind === 'connect' && e.node === 'front' && (e.remote as { port: number }).port === 8080)).toHaveLength(3);
  });

  test('slow answer within the 2 s timeout: 235, later', () => {
    const run = runChain({ auth: { latencyUs: 1_500_000 } });
    const reply = authReply(run);
    expect(reply.line).toBe('235 2.7.0 Logged in.');
    expect(reply.afterAuthS).toBeGreaterThan(1.5);
  });

  test('slow answer beyond the timeout: every attempt times out, 454 temporary failure', () => {
    const run = runChain({ auth: { latencyUs: 2_500_000 } });
    expect(authReply(run).line).toMatch(TEMPFAIL);
  });

  test('AUTH LOGIN: the same lookup, Auth-Method: LOGIN', () => {
    const run = runChain({ client: { auth: 'LOGIN', authInitialResponse: false } });
    expect(authRequests(run)[0]).toContain('Auth-Method: LOGIN\r\n');
    expect(clientReceived(run.events)).toContain('235 2.7.0 Logged in.\r\n');
  });
});
