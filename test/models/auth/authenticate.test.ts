/* authenticate - Mailu's /internal/auth/email decision: one test per status row, backend row and rate-limit rule
 *
 * Expected values are read off Mailu @648c98ab core/admin/mailu/internal/views/auth.py, nginx.py
 * and limiter.py.
 */
import { describe, expect, test } from 'vitest';
import { MailuAuthenticator, defaultAuthServiceConfig, type AuthServiceConfig } from '../../../models/auth/index.ts';

const HOUR = 3600 * 1_000_000;
const DAY = 24 * HOUR;

function auth(config: Partial<AuthServiceConfig> = {}) {
  return new MailuAuthenticator({ ...defaultAuthServiceConfig, anyUserPassword: null, ...config });
}

function request(overrides: Record<string, string | undefined> = {}): [string, string][] {
  const base: Record<string, string | undefined> = {
    'Auth-Port': '465', 'Auth-User': 'alice@example.test', 'Auth-Pass': 'secret', 'Auth-Protocol': 'submission',
    'Client-IP': '203.0.113.7', 'Client-Port': '40000', 'Auth-SSL': 'TLS', 'Auth-Method': 'PLAIN', ...overrides,
  };
  return Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined);
}

function headers(answer: ReturnType<MailuAuthenticator['authenticate']>): Record<string, string> {
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
  return Object.fromEntries(answer.headers);
}

describe('status table (nginx.py STATUSES) and backend choice (get_server)', () => {
  test('valid submission login: OK, SMTP_ADDRESS:10025', () => {
    expect(headers(auth().authenticate(request(), 0))).toEqual({
      'Auth-Status': 'OK', 'Auth-Server': '127.0.0.1', 'Auth-User': 'alice@example.test', 'Auth-User-Exists': 'True', 'Auth-Port': '10025',
    });
  });

  test('bad credentials: "Authentication credentials invalid" 535 5.7.8', () => {
    expect(headers(auth().authenticate(request({ 'Auth-Pass': 'wrong' }), 0))).toEqual({
      'Auth-Status': 'Authentication credentials invalid', 'Auth-Error-Code': '535 5.7.8', 'Auth-User': 'alice@example.test', 'Auth-User-Exists': 'True', 'Auth-Wait': '0',
    });
  });

  test('unknown user: the same status, Auth-User-Exists False', () => {
    const h = headers(auth().authenticate(request({ 'Auth-User': 'mallory@example.test' }), 0));
    expect([h['Auth-Status'], h['Auth-Error-Code'], h['Auth-User-Exists']]).toEqual(['Authentication credentials invalid', '535 5.7.8', 'False']);
  });

  test('TLS required (INBOUND_TLS_ENFORCE, port 25 without Auth-SSL: on): 530 5.7.0', () => {
    const h = headers(auth({ INBOUND_TLS_ENFORCE: true }).authenticate(request({ 'Auth-Port': '25', 'Auth-Method': 'none', 'Auth-Protocol': 'smtp', 'Auth-SSL': undefined }), 0));
    expect(h).toEqual({ 'Auth-Status': 'Must issue a STARTTLS command first', 'Auth-Error-Code': '530 5.7.0', 'Auth-Wait': '0' });
    const withTls = headers(auth({ INBOUND_TLS_ENFORCE: true }).authenticate(request({ 'Auth-Port': '25', 'Auth-Method': 'none', 'Auth-Protocol': 'smtp', 'Auth-SSL': 'on' }), 0));
    expect(withTls['Auth-Status']).toBe('OK');
  });

  test('rate limited: "Temporary authentication failure (rate-limit)" 451 4.3.2', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '1/hour' });
    service.authenticate(request({ 'Auth-User': 'nobody@example.test' }), 0);
    expect(headers(service.authenticate(request(), 1))).toEqual({ 'Auth-Status': 'Temporary authentication failure (rate-limit)', 'Auth-Error-Code': '451 4.3.2' });
  });

  test('AUTH on port 25: "AUTH not supported" 502 5.5.1', () => {
    expect(headers(auth().authenticate(request({ 'Auth-Port': '25', 'Auth-Protocol': 'smtp', 'Auth-Method': 'plain' }), 0))).toEqual({ 'Auth-Status': 'AUTH not supported', 'Auth-Error-Code': '502 5.5.1' });
  });

  test('port 25 delivery (smtp, none): OK to SMTP_ADDRESS:25; authenticated smtp: 10025', () => {
    expect(headers(auth().authenticate(request({ 'Auth-Port': '25', 'Auth-Protocol': 'smtp', 'Auth-Method': 'none' }), 0))).toEqual({ 'Auth-Status': 'OK', 'Auth-Server': '127.0.0.1', 'Auth-Port': '25' });
    expect(headers(auth().authenticate(request({ 'Auth-Port': '587', 'Auth-Protocol': 'smtp', 'Auth-Method': 'login' }), 0))['Auth-Port']).toBe('10025');
  });

  test('imap and pop3 go to IMAP_ADDRESS:143 / :110', () => {
    const service = auth({ IMAP_ADDRESS: '10.0.0.9' });
    expect(headers(service.authenticate(request({ 'Auth-Protocol': 'imap', 'Auth-Port': '993' }), 0))).toMatchObject({ 'Auth-Server': '10.0.0.9', 'Auth-Port': '143' });
    expect(headers(service.authenticate(request({ 'Auth-Protocol': 'pop3', 'Auth-Port': '995' }), 0))).toMatchObject({ 'Auth-Server': '10.0.0.9', 'Auth-Port': '110' });
  });

  test('Flask errors: a missing header is 400, an unknown method or a bad client IP is 500', () => {
    expect(auth().authenticate(request({ 'Client-IP': undefined }), 0).status).toBe(400);
    expect(auth().authenticate(request({ 'Auth-Pass': undefined }), 0).status).toBe(400);
    expect(auth().authenticate(request({ 'Auth-Method': 'cram-md5' }), 0).status).toBe(500);
    expect(auth().authenticate(request({ 'Client-IP': 'not-an-ip' }), 0).status).toBe(500);
  });

  test('accounts: the table, disabled accounts, and the anyUserPassword rule', () => {
    expect(headers(auth({ accounts: { 'alice@example.test': { password: 'secret', enabled: false } } }).authenticate(request(), 0))['Auth-Status']).not.toBe('OK');
    const any = auth({ anyUserPassword: 'secret' });
    expect(headers(any.authenticate(request({ 'Auth-User': 'zed@example.test' }), 0))['Auth-Status']).toBe('OK');
    expect(headers(any.authenticate(request({ 'Auth-User': 'no-at-sign' }), 0))['Auth-Status']).not.toBe('OK');
    expect(headers(auth().authenticate(request({ 'Auth-User': 'zed@example.test' }), 0))['Auth-Status']).not.toBe('OK');
  });

  test('percent-encoded user and password are unquoted (urllib.parse.unquote)', () => {
    expect(headers(auth().authenticate(request({ 'Auth-User': 'alice%40example.test', 'Auth-Pass': 's%65cret' }), 0))['Auth-Status']).toBe('OK');
  });
});

describe('rate limiter (limiter.py, views/auth.py)', () => {
  const bad = (user: string, pass = 'wrong', ip = '203.0.113.7') => request({ 'Auth-User': user, 'Auth-Pass': pass, 'Client-IP': ip });
  const isLimited = (answer: ReturnType<MailuAuthenticator['authenticate']>) => headers(answer)['Auth-Error-Code'] === '451 4.3.2';

  test('per client network: AUTH_RATELIMIT_IP 5/hour counts failures of unknown users per /24', () => {
    const service = auth();
    for (let i = 0; i < 5; i++) expect(isLimited(service.authenticate(bad(`u${i}@example.test`, 'x', `203.0.113.${10 + i}`), i))).toBe(false);
    expect(isLimited(service.authenticate(request({ 'Client-IP': '203.0.113.200' }), 10))).toBe(true);
    expect(isLimited(service.authenticate(request({ 'Client-IP': '203.0.114.1' }), 11))).toBe(false);
  });

  test('the window moves: an hour after the fifth failure the network may try again', () => {
    const service = auth();
    for (let i = 0; i < 5; i++) service.authenticate(bad(`u${i}@example.test`), i);
    expect(isLimited(service.authenticate(request(), HOUR - 10))).toBe(true);
    expect(isLimited(service.authenticate(request(), HOUR + 10))).toBe(false);
  });

  test('IPv6 clients are grouped per /48', () => {
    const service = auth();
    for (let i = 0; i < 5; i++) service.authenticate(bad(`u${i}@example.test`, 'x', `2001:db8:1:${i}::1`), i);
    expect(isLimited(service.authenticate(request({ 'Client-IP': '2001:db8:1:ffff::9' }), 10))).toBe(true);
    expect(isLimited(service.authenticate(request({ 'Client-IP': '2001:db8:2::9' }), 11))).toBe(false);
  });

  test('de-duplication: the same unknown user from the same network counts once', () => {
    const service = auth();
    for (let i = 0; i < 20; i++) service.authenticate(bad('same@example.test', `p${i}`), i);
    expect(isLimited(service.authenticate(request(), 100))).toBe(false);
  });

  test('per user: AUTH_RATELIMIT_USER 50/day, repeated identical bad passwords count once', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '1000/hour' });
    for (let i = 0; i < 100; i++) service.authenticate(bad('alice@example.test', 'same-wrong'), i);
    for (let i = 0; i < 48; i++) service.authenticate(bad('alice@example.test', `wrong${i}`), 200 + i);
    // 49 hits so far: the right password from another address still gets in.
    expect(headers(service.authenticate(request({ 'Client-IP': '198.51.100.1' }), 300))['Auth-Status']).toBe('OK');
    service.authenticate(bad('alice@example.test', 'one-more'), 301);
    expect(isLimited(service.authenticate(request({ 'Client-IP': '198.51.100.2' }), 302))).toBe(true);
    expect(isLimited(service.authenticate(request({ 'Auth-User': 'bob@example.test', 'Client-IP': '198.51.100.2' }), 303))).toBe(false);
    expect(isLimited(service.authenticate(request({ 'Client-IP': '198.51.100.2' }), DAY + 400))).toBe(false);
  });

  test('exemption: a successful login exempts its IP for AUTH_RATELIMIT_EXEMPTION_LENGTH', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '1/hour' });
    expect(headers(service.authenticate(request(), 0))['Auth-Status']).toBe('OK');
    for (let i = 0; i < 10; i++) service.authenticate(bad(`u${i}@example.test`, 'x', '203.0.113.8'), 1 + i);
    expect(isLimited(service.authenticate(request(), 20))).toBe(false);
    expect(isLimited(service.authenticate(request({ 'Client-IP': '203.0.113.9' }), 21))).toBe(true);
    service.authenticate(bad('late@example.test', 'x', '203.0.113.8'), DAY + 30);
    expect(isLimited(service.authenticate(request(), DAY + 31))).toBe(true);
  });

  test('exemption: AUTH_RATELIMIT_EXEMPTION networks are never limited', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '1/hour', AUTH_RATELIMIT_EXEMPTION: '203.0.113.0/24, 2001:db8::/32' });
    for (let i = 0; i < 10; i++) service.authenticate(bad(`u${i}@example.test`), i);
    expect(isLimited(service.authenticate(request(), 20))).toBe(false);
  });

  test('the IP check is skipped for ports 25, 10025 and 10143 (webmail) and for app tokens', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '1/hour' });
    service.authenticate(bad('x@example.test'), 0);
    expect(isLimited(service.authenticate(request(), 1))).toBe(true);
    expect(isLimited(service.authenticate(request({ 'Auth-Port': '10025' }), 2))).toBe(false);
    expect(isLimited(service.authenticate(request({ 'Auth-Port': '10143', 'Auth-Protocol': 'imap' }), 3))).toBe(false);
    expect(isLimited(service.authenticate(request({ 'Auth-Port': '25', 'Auth-Protocol': 'smtp', 'Auth-Method': 'none' }), 4))).toBe(false);
    expect(isLimited(service.authenticate(request({ 'Auth-Pass': '0123456789abcdef0123456789abcdef' }), 5))).toBe(false);
  });

  test('AUTH on port 25 counts against the network without de-duplication', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '2/hour' });
    for (let i = 0; i < 2; i++) service.authenticate(request({ 'Auth-Port': '25', 'Auth-Protocol': 'smtp', 'Auth-Method': 'plain' }), i);
    expect(isLimited(service.authenticate(request(), 10))).toBe(true);
  });

  test('a rate-limited existing user is refused even with the right password', () => {
    const service = auth({ AUTH_RATELIMIT_USER: '2/day', AUTH_RATELIMIT_IP: '100/hour' });
    service.authenticate(bad('alice@example.test', 'a'), 0);
    service.authenticate(bad('alice@example.test', 'b'), 1);
    expect(isLimited(service.authenticate(request(), 2))).toBe(true);
  });
});
