/* decoding - how Mailu reads Auth-User and Auth-Pass, and the request headers handle_authentication needs
 *
 * Read off Mailu @648c98ab core/admin/mailu/internal/nginx.py handle_authentication (urllib.parse.unquote,
 * then .encode("iso8859-1").decode("utf8") inside a bare try) and limiter.py rate_limit_ip. Werkzeug hands
 * header bytes over as ISO 8859-1 characters, so a UTF-8 password sent as raw bytes arrives as 'sÃ©'.
 */
import { describe, expect, test } from 'vitest';
import { answer, auth, request } from './requests.ts';

const withPassword = (password: string) => auth({ accounts: { 'alice@example.test': { password } } });

describe('Auth-User and Auth-Pass: unquote, then ISO 8859-1 bytes read as UTF-8', () => {
  test('a UTF-8 password sent as raw bytes logs in', () => {
    expect(answer(withPassword('sé'), { 'Auth-Pass': 's\u00c3\u00a9' })['Auth-Status']).toBe('OK');
  });

  test('the same password percent-escaped does not: unquote already decodes %C3%A9 to é, whose one byte is no UTF-8', () => {
    const h = answer(withPassword('sé'), { 'Auth-Pass': 's%C3%A9' });
    expect([h['Auth-Status'], h['Auth-User-Exists']]).toEqual(['Authentication credentials invalid', 'False']);
  });

  test('a percent-escaped character beyond ISO 8859-1 (€) cannot be encoded back: refused', () => {
    expect(answer(withPassword('€'), { 'Auth-Pass': '%E2%82%AC' })['Auth-Status']).toBe('Authentication credentials invalid');
  });

  test('a percent-escaped letter beyond ISO 8859-1 is refused even when its low byte would spell the password (Ł, U+0141)', () => {
    expect(answer(withPassword('A'), { 'Auth-Pass': '%C5%81' })['Auth-Status']).toBe('Authentication credentials invalid');
  });

  test('a % without two hex digits after it stays a %', () => {
    expect(answer(withPassword('100%'), { 'Auth-Pass': '100%' })['Auth-Status']).toBe('OK');
    expect(answer(withPassword('%zz!'), { 'Auth-Pass': '%zz!' })['Auth-Status']).toBe('OK');
  });

  test('escaped ASCII next to raw ISO 8859-1 bytes: each part read its way', () => {
    expect(answer(withPassword('a b é'), { 'Auth-Pass': 'a%20b \u00c3\u00a9' })['Auth-Status']).toBe('OK');
  });

  test('a byte-order mark is part of the password (bytes.decode("utf8") keeps U+FEFF)', () => {
    const bom = '\u00ef\u00bb\u00bf';
    expect(answer(withPassword('secret'), { 'Auth-Pass': `${bom}secret` })['Auth-Status']).toBe('Authentication credentials invalid');
    expect(answer(withPassword('\ufeffsecret'), { 'Auth-Pass': `${bom}secret` })['Auth-Status']).toBe('OK');
  });

  test('a percent-escaped byte-order mark is U+FEFF after unquote, beyond ISO 8859-1: refused', () => {
    expect(answer(withPassword('secret'), { 'Auth-Pass': '%EF%BB%BFsecret' })['Auth-Status']).toBe('Authentication credentials invalid');
  });

  test('raw bytes that are no UTF-8 (0x80 alone, 0xFF) make the credentials undecodable: the user is not looked up', () => {
    for (const pass of ['x\u0080', '\u00ff']) {
      const h = answer(auth(), { 'Auth-Pass': pass });
      expect([pass, h['Auth-Status'], h['Auth-User-Exists']]).toEqual([pass, 'Authentication credentials invalid', 'False']);
    }
  });

  test('when only the password fails to decode, the answer names the decoded user (user_email was already set)', () => {
    const h = answer(auth(), { 'Auth-User': 'alice%40example.test', 'Auth-Pass': '%FF' });
    expect([h['Auth-User'], h['Auth-User-Exists']]).toEqual(['alice@example.test', 'False']);
    expect(answer(auth(), { 'Auth-User': '%FF', 'Auth-Pass': 'secret' })['Auth-User']).toBe('invalid');
  });
});

describe('headers handle_authentication reads', () => {
  test('a password login without Client-Port is a 400 (check_credentials gets headers["Client-Port"])', () => {
    expect(auth().authenticate(request({ 'Client-Port': undefined }), 0)).toMatchObject({ status: 400 });
  });

  test('Client-Port is not read for port-25 delivery, nor when the credentials do not decode', () => {
    expect(answer(auth(), { 'Client-Port': undefined, 'Auth-Port': '25', 'Auth-Method': 'none', 'Auth-Protocol': 'smtp' })['Auth-Status']).toBe('OK');
    expect(answer(auth(), { 'Client-Port': undefined, 'Auth-Pass': '%FF' })['Auth-Status']).toBe('Authentication credentials invalid');
    expect(answer(auth(), { 'Client-Port': undefined, 'Auth-User': '%FF' })['Auth-Status']).toBe('Authentication credentials invalid');
  });
});

describe('limiter.rate_limit_ip de-duplication (`if username and ...`)', () => {
  const limited = (h: Record<string, string>) => h['Auth-Error-Code'] === '451 4.3.2';

  test('an empty user name is never de-duplicated: every failure counts', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '2/hour' });
    answer(service, { 'Auth-User': '' }, 0);
    answer(service, { 'Auth-User': '' }, 1);
    expect(limited(answer(service, {}, 2))).toBe(true);
  });

  test('a non-empty unknown user counts once per network', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '2/hour' });
    answer(service, { 'Auth-User': 'x' }, 0);
    answer(service, { 'Auth-User': 'x' }, 1);
    expect(limited(answer(service, {}, 2))).toBe(false);
  });
});

describe('what the service logs and when it parses', () => {
  test('a rate-limited request logs as limiter.py warns: per address, and per user', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '1/hour', AUTH_RATELIMIT_USER: '1/day' });
    answer(service, { 'Auth-User': 'nobody@example.test' }, 0);
    answer(service, {}, 1);
    answer(service, { 'Auth-Pass': 'wrong', 'Client-IP': '198.51.100.1' }, 2);
    answer(service, { 'Client-IP': '192.0.2.2' }, 3);
    expect(service.logs).toEqual([
      'Authentication attempt from 203.0.113.7 has been rate-limited.',
      'Authentication attempt from 192.0.2.2 for alice@example.test has been rate-limited.',
    ]);
  });

  test('each request parses its own client address: a bad one after a good one is still a 500', () => {
    const service = auth();
    expect(service.authenticate(request(), 0).status).toBe(200);
    expect(service.authenticate(request({ 'Client-IP': 'not-an-ip' }), 1).status).toBe(500);
  });

  test('a bad AUTH_RATELIMIT_EXEMPTION network stops the service at start (configuration.py ip_network raises)', () => {
    expect(() => auth({ AUTH_RATELIMIT_EXEMPTION: '10.0.0.0/8, nonsense' })).toThrow(/AUTH_RATELIMIT_EXEMPTION: bad network nonsense/);
  });
});
