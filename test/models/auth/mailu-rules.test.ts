/* mailu-rules - the branches of Mailu's /internal/auth/email that the status and limiter tests do not reach
 *
 * Read off Mailu @648c98ab core/admin/mailu/internal/views/auth.py nginx_authentication, nginx.py
 * handle_authentication / check_credentials / get_server / get_status, limiter.py and utils.py
 * (is_app_token, extract_network_from_ip). Flask answers an exception with HTTP 500, a missing
 * request header (BadRequestKeyError) with 400.
 */
import { describe, expect, test } from 'vitest';
import { answer, auth, request } from './requests.ts';

const limited = (h: Record<string, string>) => h['Auth-Error-Code'] === '451 4.3.2';
const TOKEN = '0123456789abcdef0123456789abcdef';
const SECOND = 1_000_000;
const DELIVERY = { 'Auth-Port': '25', 'Auth-Protocol': 'smtp', 'Auth-Method': 'none' };

describe('handle_authentication: which method and protocol go where', () => {
  test("an empty Auth-Method is delivery like 'none' (method in ['', 'none']), but not on port 25 (!= 'none')", () => {
    expect(answer(auth(), { ...DELIVERY, 'Auth-Port': '2525', 'Auth-Method': '' })).toEqual({ 'Auth-Status': 'OK', 'Auth-Server': '127.0.0.1', 'Auth-Port': '25' });
    expect(answer(auth(), { ...DELIVERY, 'Auth-Method': '' })['Auth-Status']).toBe('AUTH not supported');
  });

  test('lmtp delivery goes to IMAP_ADDRESS:2525', () => {
    expect(answer(auth({ IMAP_ADDRESS: '10.0.0.9' }), { ...DELIVERY, 'Auth-Protocol': 'lmtp' })).toEqual({ 'Auth-Status': 'OK', 'Auth-Server': '10.0.0.9', 'Auth-Port': '2525' });
  });

  test("'none' for a protocol other than smtp/lmtp is no branch at all: SHOULD NOT HAPPEN, 500", () => {
    expect(auth().authenticate(request({ 'Auth-Method': 'none', 'Auth-Protocol': 'imap' }), 0)).toEqual({ status: 500, reason: 'SHOULD NOT HAPPEN imap none' });
  });

  test('get_server takes Auth-Protocol as sent: SMTP in capitals has no backend (UnboundLocalError), 500', () => {
    expect(auth().authenticate(request({ 'Auth-Protocol': 'SMTP' }), 0)).toEqual({ status: 500, reason: 'no backend for protocol SMTP' });
  });

  test('a protocol without a row in STATUSES is a KeyError when refused: lmtp with a wrong password, 500', () => {
    expect(auth().authenticate(request({ 'Auth-Protocol': 'lmtp', 'Auth-Pass': 'wrong' }), 0)).toEqual({ status: 500, reason: 'no authentication status for protocol lmtp' });
  });

  test('a missing header names itself; an unknown method is SHOULD NOT HAPPEN', () => {
    expect(auth().authenticate(request({ 'Auth-Port': undefined }), 0)).toEqual({ status: 400, reason: 'missing header Auth-Port' });
    expect(auth().authenticate(request({ 'Auth-Method': 'CRAM-MD5' }), 0)).toEqual({ status: 500, reason: 'SHOULD NOT HAPPEN submission cram-md5' });
  });

  test('AUTH_REQUIRE_TOKENS: a right password is refused for submission (only web and sso may use one)', () => {
    expect(answer(auth({ AUTH_REQUIRE_TOKENS: true }), {})['Auth-Status']).toBe('Authentication credentials invalid');
  });
});

describe('bad client addresses (ipaddress raises: 500)', () => {
  test('AUTH on port 25 counts the address first: a bad one is a 500', () => {
    expect(auth().authenticate(request({ 'Auth-Port': '25', 'Auth-Protocol': 'smtp', 'Client-IP': 'bad' }), 0)).toEqual({ status: 500, reason: 'bad client IP bad' });
  });

  test('with exemption networks configured, a bad address is still a 500', () => {
    expect(auth({ AUTH_RATELIMIT_EXEMPTION: '10.0.0.0/8' }).authenticate(request({ 'Client-IP': 'bad' }), 0)).toEqual({ status: 500, reason: 'bad client IP bad' });
  });
});

describe('who skips which limit (views/auth.py)', () => {
  test('an app token skips the per-network check (is_app_token: 32 lowercase hex digits)', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '1/hour' });
    answer(service, { 'Auth-User': 'nobody@example.test' }, 0);
    expect(limited(answer(service, { 'Auth-Pass': TOKEN }, 1))).toBe(false);
  });

  test.each([
    ['33 characters, token at the end', `x${TOKEN}`],
    ['33 characters, token at the start', `${TOKEN}x`],
    ['capital hex digits', TOKEN.toUpperCase()],
    ['one hex digit', 'a'],
    ['32 characters that are no hex digits', 'g'.repeat(32)],
  ])('not an app token: %s', (_what, pass) => {
    const service = auth({ AUTH_RATELIMIT_IP: '1/hour' });
    answer(service, { 'Auth-User': 'nobody@example.test' }, 0);
    expect(limited(answer(service, { 'Auth-Pass': pass }, 1))).toBe(true);
  });

  test('an app token and the webmail ports skip the per-user check', () => {
    const service = auth({ AUTH_RATELIMIT_USER: '1/day', AUTH_RATELIMIT_IP: '100/hour' });
    answer(service, { 'Auth-Pass': 'wrong' }, 0);
    expect(limited(answer(service, {}, 1))).toBe(true);
    expect(limited(answer(service, { 'Auth-Pass': TOKEN }, 2))).toBe(false);
    expect(answer(service, { 'Auth-Port': '10025' }, 3)['Auth-Status']).toBe('OK');
  });

  test('a failure through a webmail port is not counted against the network', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '1/hour' });
    answer(service, { 'Auth-Port': '10025', 'Auth-User': 'nobody@example.test' }, 0);
    expect(limited(answer(service, {}, 1))).toBe(false);
  });

  test('delivery on port 25 does not exempt its address ("successful email delivery isn\'t enough")', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '1/hour' });
    answer(service, DELIVERY, 0);
    answer(service, { 'Auth-User': 'nobody@example.test' }, 1);
    expect(limited(answer(service, {}, 2))).toBe(true);
  });
});

describe('an exempt address is not counted (limiter.is_subject_to_rate_limits)', () => {
  test('its failures do not count against its network', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '1/hour' });
    answer(service, {}, 0); // success: 203.0.113.7 exempt
    answer(service, { 'Auth-User': 'nobody@example.test' }, 1);
    expect(limited(answer(service, { 'Client-IP': '203.0.113.9' }, 2))).toBe(false);
  });

  test('its failures do not count against the user', () => {
    const service = auth({ AUTH_RATELIMIT_USER: '1/day' });
    answer(service, {}, 0);
    answer(service, { 'Auth-Pass': 'wrong' }, 1);
    expect(answer(service, { 'Client-IP': '198.51.100.1' }, 2)['Auth-Status']).toBe('OK');
  });

  test('until the exemption runs out (AUTH_RATELIMIT_EXEMPTION_LENGTH)', () => {
    const service = auth({ AUTH_RATELIMIT_IP: '1/hour', AUTH_RATELIMIT_EXEMPTION_LENGTH: 60 });
    answer(service, {}, 0);
    answer(service, { 'Auth-User': 'nobody@example.test' }, 61 * SECOND);
    expect(limited(answer(service, {}, 62 * SECOND))).toBe(true);
  });
});

describe('de-duplication keys (limiter.py)', () => {
  test("an empty password is never de-duplicated for the user (if password and ...)", () => {
    const service = auth({ AUTH_RATELIMIT_USER: '2/day', AUTH_RATELIMIT_IP: '100/hour' });
    answer(service, { 'Auth-Pass': '' }, 0);
    answer(service, { 'Auth-Pass': '' }, 1);
    expect(limited(answer(service, { 'Client-IP': '198.51.100.1' }, 2))).toBe(true);
  });

  test("AUTH on port 25 keys its de-duplication by the user None, as f'{None}' spells it", () => {
    const service = auth({ AUTH_RATELIMIT_IP: '2/hour' });
    answer(service, { 'Auth-Port': '25', 'Auth-Protocol': 'smtp' }, 0); // counted, key dedup-203.0.113.0-None
    answer(service, { 'Auth-User': 'None' }, 1); // the same key: not counted again
    expect(limited(answer(service, {}, 2))).toBe(false);
  });
});
