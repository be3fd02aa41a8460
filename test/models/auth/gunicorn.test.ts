/* gunicorn - the answer headers gunicorn 22.0.0 cannot send, and Werkzeug's refusal of a newline (models/auth/gunicorn-response.ts) */
import { describe, expect, test } from 'vitest';
import { createAuthService } from '../../../models/auth/index.ts';
import { pythonRepr, sendableHeaderValue } from '../../../models/auth/gunicorn-response.ts';
import { DirectDriver } from '../front/direct-driver.ts';
import { auth, request } from './requests.ts';

/** The request Dovecot's login.lua sends before 2024.06.9: the login's UTF-8 bytes raw in the header. */
function requestFor(login: string): string {
  const raw = Buffer.from(login, 'utf8').toString('latin1');
  return `GET /internal/auth/email HTTP/1.1\r\nHost: admin\r\nAuth-Port: 465\r\nAuth-User: ${raw}\r\nAuth-Pass: secret\r\nAuth-Protocol: submission\r\nClient-IP: 203.0.113.7\r\nClient-Port: 4000\r\nAuth-SSL: TLS\r\nAuth-Method: PLAIN\r\n\r\n`;
}

function served(...requests: string[]) {
  const driver = new DirectDriver(createAuthService({ latencyUs: 10 })).input({ kind: 'accepted', conn: 'h1', local: { host: '192.0.2.2', port: 8080 }, remote: { host: '192.0.2.9', port: 50000 } });
  return driver.bytes('h1', requests.join('')).advanceBy(1_000);
}

describe('gunicorn 22.0.0 and an Auth-User it cannot send', () => {
  test('a printable character above U+00FF: the warning, nothing written, the connection closed, a pipelined request never answered', () => {
    const d = served(requestFor('𓐊_@example.test'), requestFor('alice@example.test'));
    expect(d.writes('h1')).toEqual([]);
    expect(d.of('close')).toHaveLength(1);
    expect(d.of('log').map((recorded) => recorded.output.line)).toContain(`Invalid request from ip=192.0.2.9: Invalid HTTP Header: "'𓐊_@example.test'"`);
  });

  test('a character above U+00FF that repr() escapes: the 400 page is Latin-1, so it is written, with Connection: close', () => {
    const d = served(requestFor('a\u2028b@example.test'));
    const [page] = d.writes('h1');
    expect(page).toMatch(/^HTTP\/1\.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text\/html\r\nContent-Length: (\d+)\r\n\r\n<html>\n/);
    expect(page).toContain(`    <h1><p>Bad Request</p></h1>\n    Invalid HTTP Header: &quot;&#x27;a\\\\u2028b@example.test&#x27;&quot;\n  </body>\n</html>\n`);
    const length = Number(/Content-Length: (\d+)/.exec(page!)![1]);
    expect(page!.length - page!.indexOf('\r\n\r\n') - 4).toBe(length);
    expect(d.of('close')).toHaveLength(1);
  });

  test("html.escape() of the message in the 400 page: & < > \" and '", () => {
    const [page] = served(requestFor('a&<>\u2028b@example.test')).writes('h1');
    expect(page).toContain(`Invalid HTTP Header: &quot;&#x27;a&amp;&lt;&gt;\\\\u2028b@example.test&#x27;&quot;\n`);
  });

  test('characters up to U+00FF pass: the answer carries them as Latin-1 bytes', () => {
    const d = served(requestFor('é@example.test'));
    expect(d.writes('h1')[0]).toContain('Auth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-User: \xe9@example.test\r\n');
    expect(d.of('close')).toHaveLength(0);
  });

  test('HEADER_VALUE_RE: space, tab, visible ASCII and 0x80-0xff only', () => {
    expect(sendableHeaderValue('a b\tc~\x80\xff')).toBe(true);
    for (const bad of ['\x00', '\x1f', '\x7f', '\u0100', '𓐊']) expect(sendableHeaderValue(`x${bad}`)).toBe(false);
  });
});

describe("Python's repr() of a str, as gunicorn's message quotes it", () => {
  test.each([
    ['plain', "'plain'"],
    ['a b', "'a b'"],
    ['\uffff\u{10000}', "'\\uffff𐀀'"],
    ["it's", `"it's"`],
    [`a'"b`, `'a\\'"b'`],
    ['back\\slash', "'back\\\\slash'"],
    ['\t\n\r\x01\x7f', "'\\t\\n\\r\\x01\\x7f'"],
    ['\x85\xad\xa0é', "'\\x85\\xad\\xa0é'"],
    ['\u200b\ue000\u2028', "'\\u200b\\ue000\\u2028'"],
    ['😀\u{e0001}', "'😀\\U000e0001'"],
  ])('repr(%j) is %s', (text, expected) => {
    expect(pythonRepr(text)).toBe(expected);
  });
});

describe("Werkzeug's Headers refuse a newline in a value", () => {
  test('a login whose %0D%0A Mailu decodes (before 2024.06.9) is a 500, not an answer', () => {
    const service = auth({ anyUserPassword: 'secret', mailuVersion: '2024.06.0' });
    expect(service.authenticate(request({ 'Auth-User': 'a%0D%0Ab@example.test' }), 0)).toEqual({ status: 500, reason: 'newline in the Auth-User header value' });
    expect(service.authenticate(request({ 'Auth-User': 'a%41b@example.test' }), 0)).toMatchObject({ status: 200 });
  });
});
