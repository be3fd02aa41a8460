/* nginx-auth-http-answer - the auth server's answer as ngx_mail_auth_http_module.c reads it
 *
 * nginx/nginx src/mail/ngx_mail_auth_http_module.c ngx_mail_auth_http_read_handler() (the 1024-byte
 * buffer), ngx_mail_auth_http_ignore_status_line(), ngx_mail_auth_http_parse_header_line(),
 * ngx_mail_auth_http_process_headers(): the same functions at release-1.22.0 and release-1.29.8.
 */
import { describe, expect, test } from 'vitest';
import { authHttpFields, authHttpResult, parseNginxAuthHttpAnswer } from '../../../models/front/nginx-auth-http-answer.ts';

const OK = 'HTTP/1.0 200 OK\r\nAuth-Status: OK\r\nAuth-Server: 127.0.0.1\r\nAuth-Port: 10025\r\n\r\n';

describe('parseNginxAuthHttpAnswer', () => {
  test('an answer ends at the empty line: no body is read, whatever Content-Length says', () => {
    expect(parseNginxAuthHttpAnswer(OK)).toEqual({ kind: 'answer', headers: [['Auth-Status', 'OK'], ['Auth-Server', '127.0.0.1'], ['Auth-Port', '10025']] });
    expect(parseNginxAuthHttpAnswer('HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\n').kind).toBe('answer');
  });

  test('every cut of an answer before the end of its empty line is incomplete', () => {
    for (let i = 0; i < OK.length; i++) expect([i, parseNginxAuthHttpAnswer(OK.slice(0, i)).kind]).toEqual([i, 'incomplete']);
  });

  test('LF alone ends lines; the status line is skipped whatever it says once it starts "HTTP/"', () => {
    expect(parseNginxAuthHttpAnswer('HTTP/9 \x01 anything\nAuth-Status: OK\n\n')).toEqual({ kind: 'answer', headers: [['Auth-Status', 'OK']] });
  });

  test('a first line not starting "HTTP/" is no status line: the headers start at the first byte', () => {
    expect(parseNginxAuthHttpAnswer('Auth-Status: OK\r\n\r\n')).toEqual({ kind: 'answer', headers: [['Auth-Status', 'OK']] });
    expect(parseNginxAuthHttpAnswer('HTX: 1\r\n\r\n')).toEqual({ kind: 'answer', headers: [['HTX', '1']] });
    expect(parseNginxAuthHttpAnswer('<html>upstream exploded\r\n\r\n')).toEqual({ kind: 'invalid-header', headers: [] });
  });

  test('a CR not followed by LF: in the status line "invalid response", in a header "invalid header" with the headers before it', () => {
    expect(parseNginxAuthHttpAnswer('HTTP/1.0 200 OK\rX')).toEqual({ kind: 'invalid-response' });
    expect(parseNginxAuthHttpAnswer('HTTP/1.0 200 OK\r')).toEqual({ kind: 'incomplete' });
    expect(parseNginxAuthHttpAnswer('HTTP/1.0 200 OK\r\nAuth-User: a\r\nAuth-Status: OK\rX')).toEqual({ kind: 'invalid-header', headers: [['Auth-User', 'a']] });
    expect(parseNginxAuthHttpAnswer('HTTP/1.0 200 OK\r\nAuth-Status\rX')).toEqual({ kind: 'invalid-header', headers: [] });
    expect(parseNginxAuthHttpAnswer('HTTP/1.0 200 OK\r\n\rX')).toEqual({ kind: 'invalid-header', headers: [] });
  });

  test('a name is a letter or digit, then letters, digits and "-"; a name alone is a header with an empty value', () => {
    for (const bad of ['-Auth: x', 'Auth_Status: x', 'Auth Status: x', ' Auth: x', '\u00e9: x']) {
      expect([bad, parseNginxAuthHttpAnswer(`HTTP/1.0 200 OK\r\n${bad}\r\n\r\n`).kind]).toEqual([bad, 'invalid-header']);
    }
    expect(parseNginxAuthHttpAnswer('HTTP/1.0 200 OK\r\n9-x\r\n\r\n')).toEqual({ kind: 'answer', headers: [['9-x', '']] });
    // the next header starts after the name's line, LF-ended or CR LF-ended
    for (const eol of ['\r\n', '\n']) {
      expect(parseNginxAuthHttpAnswer(`HTTP/1.0 200 OK${eol}9-x${eol}Auth-Status: OK${eol}${eol}`)).toEqual({ kind: 'answer', headers: [['9-x', ''], ['Auth-Status', 'OK']] });
    }
  });

  test('a first byte LF is the empty line (sw_start: LF is header_done): an answer without headers', () => {
    expect(parseNginxAuthHttpAnswer('\n')).toEqual({ kind: 'answer', headers: [] });
  });

  test('spaces around a value are dropped (tabs are not), spaces inside kept; any other byte is taken', () => {
    expect(parseNginxAuthHttpAnswer('HTTP/1.0 200 OK\r\nAuth-Status:   Invalid  login  \r\nX:\t1\r\nY:\r\nZ: \xff:\x01\r\n\r\n')).toEqual({
      kind: 'answer',
      headers: [['Auth-Status', 'Invalid  login'], ['X', '\t1'], ['Y', ''], ['Z', '\xff:\x01']],
    });
  });

  test('the 1024-byte buffer: an answer must end inside it; what follows is not read', () => {
    const head = 'HTTP/1.0 200 OK\r\nX: ';
    const exact = `${head}${'p'.repeat(1024 - head.length - 4)}\r\n\r\n`;
    expect(parseNginxAuthHttpAnswer(exact).kind).toBe('answer');
    expect(parseNginxAuthHttpAnswer(`${exact}garbage\r`).kind).toBe('answer');
    const filled = `${head}${'p'.repeat(1024 - head.length)}`;
    expect(parseNginxAuthHttpAnswer(filled).kind).toBe('incomplete');
    expect(parseNginxAuthHttpAnswer(`${filled}p\r\n\r\n`).kind).toBe('full');
  });
});

describe('authHttpFields (ngx_mail_auth_http_process_headers)', () => {
  test('names without case; the last of a name wins; an empty Auth-Server is none', () => {
    const fields = authHttpFields([['auth-server', '10.0.0.1'], ['AUTH-SERVER', '10.0.0.2'], ['Auth-Port', '25'], ['Auth-User', 'a'], ['auth-user', 'b']]);
    expect(fields).toMatchObject({ server: '10.0.0.2', port: '25', user: 'b', pass: undefined, refusal: null, wait: false });
    expect(authHttpFields([['Auth-Server', '']]).server).toBe('');
  });

  test('an OK or WAIT after a refusal does not clear it; "ok" is a refusal; any WAIT sets the wait', () => {
    expect(authHttpFields([['Auth-Status', 'Invalid'], ['Auth-Status', 'OK']]).refusal).toBe('Invalid');
    expect(authHttpFields([['Auth-Status', 'ok']]).refusal).toBe('ok');
    expect(authHttpFields([['Auth-Status', 'WAIT'], ['Auth-Status', 'OK']]).wait).toBe(true);
  });

  test('only an Auth-Status "WAIT" waits: the same value under another name is nothing', () => {
    expect(authHttpFields([['X-Status', 'WAIT'], ['Auth-Wait', 'WAIT']]).wait).toBe(false);
  });

  test('Auth-Wait: the last one ngx_atoi() takes', () => {
    expect(authHttpFields([['Auth-Wait', '3'], ['Auth-Wait', 'x']]).sleep).toBe(3);
    expect(authHttpFields([['Auth-Wait', '-1']]).sleep).toBe(0);
  });
});

describe('authHttpResult (what ngx_mail_auth_http_process_headers() does with the headers)', () => {
  const answer = (...headers: [string, string][]) => authHttpResult({ kind: 'answer', headers });
  const ok: [string, string] = ['Auth-Status', 'OK'];

  test('Auth-Server and Auth-Port name the upstream', () => {
    expect(answer(ok, ['Auth-Server', '127.0.0.1'], ['Auth-Port', '10025']).outcome).toEqual({ kind: 'proxy', server: '127.0.0.1', address: '127.0.0.1', port: 10025, portText: '10025' });
  });

  test('no Auth-Port is "did not send server or port" (ctx->port.len == 0), not an invalid port', () => {
    expect(answer(ok, ['Auth-Server', '127.0.0.1']).outcome).toEqual({ kind: 'failed', failure: 'did not send server or port' });
  });

  test('a port ngx_atoi() refuses or outside 1..65535 is "sent invalid server port"', () => {
    for (const port of ['x', '0', '65536', '+25']) {
      expect(answer(ok, ['Auth-Server', '127.0.0.1'], ['Auth-Port', port]).outcome).toEqual({ kind: 'failed', failure: `sent invalid server port:"${port}"` });
    }
    expect(answer(ok, ['Auth-Server', '127.0.0.1'], ['Auth-Port', '65535']).outcome).toMatchObject({ kind: 'proxy', port: 65535 });
  });
});
