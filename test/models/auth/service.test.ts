/* service - the auth service model over HTTP: framing, keep-alive, latency and the service's own faults */
import { describe, expect, test } from 'vitest';
import { createAuthService } from '../../../models/auth/index.ts';
import { DirectDriver } from '../front/direct-driver.ts';

const REQUEST = 'GET /internal/auth/email HTTP/1.1\r\nHost: admin\r\nAuth-Port: 465\r\nAuth-User: alice@example.test\r\nAuth-Pass: secret\r\nAuth-Protocol: submission\r\nClient-IP: 203.0.113.7\r\nClient-Port: 4000\r\nAuth-SSL: TLS\r\nAuth-Method: PLAIN\r\n\r\n';

function open(config: Parameters<typeof createAuthService>[0] = {}) {
  return new DirectDriver(createAuthService(config)).input({ kind: 'accepted', conn: 'h1', local: { host: '127.0.0.1', port: 8080 }, remote: { host: '127.0.0.1', port: 50000 } });
}

describe('auth service over HTTP', () => {
  test('answers after latencyUs with Flask\'s headers', () => {
    const d = open({ latencyUs: 5_000 });
    d.bytes('h1', REQUEST).advanceBy(4_999);
    expect(d.writes('h1')).toEqual([]);
    d.advanceBy(1);
    expect(d.writes('h1')).toEqual(['HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-User: alice@example.test\r\nAuth-User-Exists: True\r\nAuth-Port: 10025\r\nContent-Length: 0\r\n\r\n']);
  });

  test('two requests on one connection, the second split across reads, answered in order', () => {
    const d = open({ latencyUs: 10 });
    d.bytes('h1', REQUEST + REQUEST.slice(0, 30)).bytes('h1', REQUEST.slice(30).replace('secret', 'wrong')).advanceBy(100);
    const answers = d.writes('h1');
    expect(answers).toHaveLength(2);
    expect(answers[0]).toContain('Auth-Status: OK');
    expect(answers[1]).toContain('Auth-Status: Authentication credentials invalid');
  });

  test('faults: http500, malformed answer and close, timeout never answers', () => {
    const http500 = open({ fault: 'http500' });
    http500.bytes('h1', REQUEST).advanceBy(10_000);
    expect(http500.writes('h1')[0]).toMatch(/^HTTP\/1\.1 500 INTERNAL SERVER ERROR\r\n/);
    const malformed = open({ fault: 'malformed' });
    malformed.bytes('h1', REQUEST).advanceBy(10_000);
    expect(malformed.writes('h1')[0]).not.toMatch(/^HTTP\//);
    expect(malformed.of('close')).toHaveLength(1);
    const silent = open({ fault: 'timeout' });
    silent.bytes('h1', REQUEST).advanceBy(60_000_000);
    expect(silent.writes('h1')).toEqual([]);
  });

  test('a garbage request is 400 and the connection closes; other paths are 404', () => {
    const garbage = open();
    garbage.bytes('h1', 'HELLO\r\n\r\n').advanceBy(10_000);
    expect(garbage.writes('h1')[0]).toMatch(/^HTTP\/1\.1 400 /);
    expect(garbage.of('close')).toHaveLength(1);
    const other = open();
    other.bytes('h1', 'GET /internal/auth/admin HTTP/1.1\r\n\r\n').advanceBy(10_000);
    expect(other.writes('h1')[0]).toMatch(/^HTTP\/1\.1 404 /);
  });
});

describe('the route and the log (Flask\'s url map, views/auth.py)', () => {
  test('the path is the target before its query string', () => {
    const d = open({ latencyUs: 10 });
    d.bytes('h1', REQUEST.replace('/internal/auth/email', '/internal/auth/email?from=nginx')).advanceBy(100);
    expect(d.writes('h1')[0]).toContain('Auth-Status: OK');
    const other = open();
    other.bytes('h1', 'GET /internal/auth/admin?/internal/auth/email HTTP/1.1\r\n\r\n').advanceBy(10_000);
    expect(other.writes('h1')[0]).toMatch(/^HTTP\/1\.1 404 /);
  });

  test('each answer logs its own lines once', () => {
    const d = open({ latencyUs: 10, AUTH_RATELIMIT_IP: '1/hour' });
    const unknown = REQUEST.replace('alice@example.test', 'nobody@example.test').replace('secret', 'wrong');
    for (let i = 0; i < 3; i++) d.bytes('h1', unknown).advanceBy(100);
    expect(d.of('log').map((o) => o.output.line)).toEqual([
      'Authentication attempt from 203.0.113.7 has been rate-limited.',
      'Authentication attempt from 203.0.113.7 has been rate-limited.',
    ]);
  });
});
