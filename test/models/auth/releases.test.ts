/* releases - what each Mailu release changes on the auth path, at the releases either side of each gate
 *
 * The request is the one the Dovecot front's login.lua builds (models/front/passdb-lookup.ts), parsed
 * off the wire and answered by the auth service of the same release, so both ends of Mailu's change
 * are in each test. credentials_url_encoded: `git diff 2024.06.8 2024.06.9` of core/nginx/dovecot/login.lua,
 * core/admin/mailu/internal/nginx.py and views/auth.py.
 */
import { describe, expect, test } from 'vitest';
import type { Output } from '../../../models/contract.ts';
import { HttpParser, headerValue } from '../../../models/http/codec.ts';
import { labDovecotConfig } from '../../../models/front/index.ts';
import { loginLuaUrlEncode, PassdbLookup, type PassdbHost } from '../../../models/front/passdb-lookup.ts';
import { isMailuRelease, mailuHas, MAILU_RELEASES } from '../../../models/auth/releases.ts';
import { auth, request } from './requests.ts';

const BEFORE = '2024.06.8';
const SINCE = '2024.06.9';

/** The header lines login.lua at `release` sends for a PLAIN login; `user` and `password` hold one byte per character. */
function luaRequest(release: string, user: string, password: string | null): [string, string][] {
  const writes: Uint8Array[] = [];
  const host: PassdbHost = {
    newConnId: () => 'http-1' as never,
    bind: () => {},
    emit: (output: Output) => {
      if (output.kind === 'write') writes.push(output.bytes);
    },
    setTimer: () => {},
    finished: () => {},
  };
  const lookup = new PassdbLookup({ ...labDovecotConfig.authHttp, mailuVersion: release }, {
    user, password, service: 'submission', localPort: 465, remoteIp: '203.0.113.7', remotePort: 40000, secured: 'secured', mechanism: 'PLAIN',
  }, { epochSeconds: 0, phaseUs: 0 }, host);
  lookup.start(0);
  lookup.connected(0);
  const parser = new HttpParser('request');
  parser.feed(writes[0]!);
  const parsed = parser.nextRequest();
  if (parsed.kind !== 'message') throw new Error(`request did not parse: ${parsed.kind}`);
  return parsed.message.headers.map(([name, value]) => [name, value]);
}

/** The auth service of `release`, with one account, answering login.lua's request of the same release. */
function login(release: string, account: { user: string; password: string }, sent: { user: string; password: string | null }) {
  const service = auth({ mailuVersion: release, accounts: { [account.user]: { password: account.password } } });
  const answer = service.authenticate(luaRequest(release, sent.user, sent.password), 0);
  return answer.status === 200 ? Object.fromEntries(answer.headers) : { status: String(answer.status) };
}

const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('the modelled releases', () => {
  test('2.0.43 and every 2024.06 tag, in order; anything else is refused', () => {
    expect(MAILU_RELEASES[0]).toBe('2.0.43');
    expect(MAILU_RELEASES.slice(1, 3)).toEqual(['2024.06.0', '2024.06.1']);
    expect(MAILU_RELEASES.at(-1)).toBe('2024.06.57');
    expect([isMailuRelease('2024.06.57'), isMailuRelease('2024.06.58'), isMailuRelease('1.9.50')]).toEqual([true, false, false]);
    expect(() => mailuHas('2024.07.0', 'credentials_url_encoded')).toThrow(/not a modelled Mailu release: 2024.07.0/);
  });

  test('credentials_url_encoded: 2.0.43 and 2024.06.0-2024.06.8 without, 2024.06.9 on with (2024.06.10 after 2024.06.9, not before)', () => {
    expect(['2.0.43', '2024.06.0', BEFORE, SINCE, '2024.06.10', '2024.06.57'].map((r) => mailuHas(r, 'credentials_url_encoded'))).toEqual([false, false, false, true, true, true]);
  });
});

describe(`credentials_url_encoded: ${BEFORE} vs ${SINCE}`, () => {
  test('a literal %41 in the password: decoded to A before (refused), kept since (logged in)', () => {
    const account = { user: 'alice@example.test', password: 'p%41ss' };
    const sent = { user: 'alice@example.test', password: 'p%41ss' };
    expect(login(BEFORE, account, sent)['Auth-Status']).toBe('Authentication credentials invalid');
    expect(login(BEFORE, { ...account, password: 'pAss' }, sent)['Auth-Status']).toBe('OK');
    expect(login(SINCE, account, sent)['Auth-Status']).toBe('OK');
    expect(login(SINCE, { ...account, password: 'pAss' }, sent)['Auth-Status']).toBe('Authentication credentials invalid');
  });

  test('a UTF-8 password logs in on both: raw bytes read back by the double decode, percent-escapes by unquote', () => {
    const account = { user: 'alice@example.test', password: 'sécret€' };
    const sent = { user: 'alice@example.test', password: utf8Bytes('sécret€') };
    expect(headerValue(luaRequest(BEFORE, sent.user, sent.password), 'Auth-Pass')).toBe(utf8Bytes('sécret€'));
    expect(headerValue(luaRequest(SINCE, sent.user, sent.password), 'Auth-Pass')).toBe('s%C3%A9cret%E2%82%AC');
    expect(login(BEFORE, account, sent)['Auth-Status']).toBe('OK');
    expect(login(SINCE, account, sent)['Auth-Status']).toBe('OK');
  });

  test('a literal %FF in the login: undecodable before (user "invalid"), an existing user since', () => {
    const account = { user: '%FF@example.test', password: 'secret' };
    const sent = { user: '%FF@example.test', password: 'secret' };
    expect([login(BEFORE, account, sent)['Auth-User'], login(BEFORE, account, sent)['Auth-Status']]).toEqual(['invalid', 'Authentication credentials invalid']);
    expect([login(SINCE, account, sent)['Auth-User'], login(SINCE, account, sent)['Auth-Status']]).toEqual(['%FF@example.test', 'OK']);
  });

  test('a login that is no UTF-8 (a raw 0xFF byte): undecodable before; since, unquote replaces it with U+FFFD', () => {
    const answer = (release: string) => login(release, { user: '\ufffd@example.test', password: 'secret' }, { user: '\u00ff@example.test', password: 'secret' });
    expect(answer(BEFORE)['Auth-User']).toBe('invalid');
    expect([answer(SINCE)['Auth-User'], answer(SINCE)['Auth-Status']]).toEqual(['\ufffd@example.test', 'OK']);
  });

  test('the client address: header Client-IP before, Client-Ip since (an address has no byte urlEncode changes)', () => {
    expect(luaRequest(BEFORE, 'a', 'b').filter(([name]) => name.toLowerCase() === 'client-ip')).toEqual([['Client-IP', '203.0.113.7']]);
    expect(luaRequest(SINCE, 'a', 'b').filter(([name]) => name.toLowerCase() === 'client-ip')).toEqual([['Client-Ip', '203.0.113.7']]);
    expect(loginLuaUrlEncode('2001:db8::1')).toBe('2001:db8::1');
  });

  test("the user limiter: a repeated wrong password of a known user counts once before, every time since (auth.py reads it from the answer, where it is '')", () => {
    const failures = (release: string) => {
      const service = auth({ mailuVersion: release, AUTH_RATELIMIT_USER: '2/day', AUTH_RATELIMIT_IP: '100/hour' });
      const wrong = luaRequest(release, 'alice@example.test', 'wrong');
      for (let i = 0; i < 3; i++) service.authenticate(wrong, i);
      const right = service.authenticate(luaRequest(release, 'alice@example.test', 'secret'), 3);
      return right.status === 200 ? headerValue(right.headers, 'Auth-Status') : String(right.status);
    };
    expect(failures(BEFORE)).toBe('OK');
    expect(failures(SINCE)).toBe('Temporary authentication failure (rate-limit)');
  });

  test('a request without Auth-Pass: a 400 before (read outside the try), an authentication failure naming the user since', () => {
    expect(auth({ mailuVersion: BEFORE }).authenticate(luaRequest(BEFORE, 'alice@example.test', null), 0)).toMatchObject({ status: 400 });
    const since = auth({ mailuVersion: SINCE }).authenticate(luaRequest(SINCE, 'alice%40example.test', null), 0);
    expect(since.status === 200 && Object.fromEntries(since.headers)).toMatchObject({ 'Auth-Status': 'Authentication credentials invalid', 'Auth-User': 'alice%40example.test', 'Auth-User-Exists': 'False' });
  });
});

describe("login.lua urlEncode() ('[^%w_.-~]': '.-~' is a range in a Lua set)", () => {
  test("keeps letters, digits, '_' and 0x2e-0x7e; encodes 0x00-0x2d and 0x7f-0xff as %XX, upper case", () => {
    expect(loginLuaUrlEncode('aZ09_.@/:~[]{}|^`')).toBe('aZ09_.@/:~[]{}|^`');
    expect(loginLuaUrlEncode(' !"#$%&\'()*+,-')).toBe('%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2D');
    expect(loginLuaUrlEncode('\u0000\r\n\u007f\u0080\u00ff')).toBe('%00%0D%0A%7F%80%FF');
  });

  test('every byte: encoded exactly when outside the kept set, and unquote gives it back', () => {
    for (let byte = 0; byte < 256; byte++) {
      const c = String.fromCharCode(byte);
      const kept = /[A-Za-z0-9_]/.test(c) || (byte >= 0x2e && byte <= 0x7e);
      expect([byte, loginLuaUrlEncode(c)]).toEqual([byte, kept ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`]);
    }
  });
});

describe('ratelimit_answer_without_auth_wait: 2.0.43 vs 2024.06.0', () => {
  // views/auth.py nginx_authentication() at 2.0.43: `if int(flask.request.headers['Auth-Login-Attempt']) < 10:
  // response.headers['Auth-Wait'] = '3'` after each rate-limited answer; gone at 2024.06.0 (commit c66934e6).
  const RATE_LIMITED = { 'Auth-Status': 'Temporary authentication failure (rate-limit)', 'Auth-Error-Code': '451 4.3.2' };
  /** The answer to a second login from the same address, after a failed one, with AUTH_RATELIMIT_IP 1/hour. */
  const limited = (release: string, attempt: string | undefined) => {
    const service = auth({ mailuVersion: release, AUTH_RATELIMIT_IP: '1/hour' });
    service.authenticate(request({ 'Auth-User': 'nobody@example.test', 'Auth-Login-Attempt': '1' }), 0);
    const answer = service.authenticate(request({ 'Auth-Login-Attempt': attempt }), 1_000_000);
    return answer.status === 200 ? Object.fromEntries(answer.headers) : { status: answer.status };
  };

  test('the gate: 2.0.43 without, 2024.06.0 on with', () => {
    expect(['2.0.43', '2024.06.0', '2024.06.57'].map((r) => mailuHas(r, 'ratelimit_answer_without_auth_wait'))).toEqual([false, true, true]);
  });

  test('2.0.43: Auth-Wait: 3 while nginx counts fewer than 10 attempts, none from the 10th', () => {
    expect(limited('2.0.43', '1')).toEqual({ ...RATE_LIMITED, 'Auth-Wait': '3' });
    expect(limited('2.0.43', '9')).toEqual({ ...RATE_LIMITED, 'Auth-Wait': '3' });
    expect(limited('2.0.43', '10')).toEqual(RATE_LIMITED);
  });

  test('2.0.43: a request without Auth-Login-Attempt (login.lua sends none) is a 400, one int() refuses a 500; only when rate-limited', () => {
    expect(limited('2.0.43', undefined)).toEqual({ status: 400 });
    expect(limited('2.0.43', 'x')).toEqual({ status: 500 });
    expect(auth({ mailuVersion: '2.0.43' }).authenticate(request(), 0).status).toBe(200);
  });

  test("2.0.43: int()'s ValueError is Flask's 500, and the model's reason names the header", () => {
    const service = auth({ mailuVersion: '2.0.43', AUTH_RATELIMIT_IP: '1/hour' });
    service.authenticate(request({ 'Auth-User': 'nobody@example.test', 'Auth-Login-Attempt': '1' }), 0);
    expect(service.authenticate(request({ 'Auth-Login-Attempt': 'x' }), 1_000_000)).toEqual({ status: 500, reason: 'Auth-Login-Attempt is not an integer' });
  });

  test("2024.06.9 on: a missing Auth-User is read inside handle_authentication's try, so it is the 'invalid' user's failure, not an error", () => {
    const answer = auth({ mailuVersion: '2024.06.9' }).authenticate(request({ 'Auth-User': undefined }), 0);
    expect(answer.status === 200 ? Object.fromEntries(answer.headers) : answer).toMatchObject({ 'Auth-Status': 'Authentication credentials invalid', 'Auth-User': 'invalid' });
  });

  test("the user limiter's answer too (a known user's failures)", () => {
    for (const [release, wait] of [['2.0.43', { 'Auth-Wait': '3' }], ['2024.06.0', {}]] as const) {
      const service = auth({ mailuVersion: release, AUTH_RATELIMIT_USER: '1/day', AUTH_RATELIMIT_IP: '100/hour' });
      service.authenticate(request({ 'Auth-Pass': 'wrong', 'Auth-Login-Attempt': '1' }), 0);
      const answer = service.authenticate(request({ 'Auth-Pass': 'wrong again', 'Auth-Login-Attempt': '2' }), 1_000_000);
      expect(answer.status === 200 ? Object.fromEntries(answer.headers) : answer).toEqual({ ...RATE_LIMITED, ...wait });
    }
  });

  test("behind the Dovecot front (login.lua sends no Auth-Login-Attempt), 2.0.43's rate-limited answer is a 400, which login.lua takes as PASSDB_RESULT_INTERNAL_FAILURE", () => {
    const service = auth({ mailuVersion: '2.0.43', AUTH_RATELIMIT_IP: '1/hour' });
    service.authenticate(luaRequest('2.0.43', 'nobody@example.test', 'x'), 0);
    expect(service.authenticate(luaRequest('2.0.43', 'alice@example.test', 'secret'), 1_000_000).status).toBe(400);
  });

  test('2024.06.0: the status and code only, with or without the header', () => {
    expect(limited('2024.06.0', '1')).toEqual(RATE_LIMITED);
    expect(limited('2024.06.0', undefined)).toEqual(RATE_LIMITED);
  });
});
