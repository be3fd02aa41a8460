/* codec - header lookups fold case as toLowerCase() does; the head parser reads each line, whole or byte by byte */
import { describe, expect, it } from 'vitest';
import { asciiBytes } from '../../../models/contract.ts';
import { HttpParser, headerValue } from '../../../models/http/codec.ts';

describe('headerValue', () => {
  it('finds a header whatever the case of its ASCII letters, the first of several', () => {
    const headers = [['auth-status', 'OK'], ['AUTH-SERVER', '10.0.0.1'], ['Auth-Server', '10.0.0.2']] as const;
    expect(headerValue(headers, 'Auth-Status')).toBe('OK');
    expect(headerValue(headers, 'Auth-Server')).toBe('10.0.0.1');
    expect(headerValue(headers, 'Auth-Port')).toBeUndefined();
    expect(headerValue([['Auth-Statu', 'x'], ['Auth-Statuss', 'y']], 'Auth-Status')).toBeUndefined();
  });

  it('folds letters only: "[" is not "{" although their codes differ by 0x20 like "A" and "a"', () => {
    expect(headerValue([['X[y', 'v']], 'X{y')).toBeUndefined();
    expect(headerValue([['X@y', 'v']], 'X`y')).toBeUndefined();
  });

  it('compares a name with other characters as toLowerCase() does: KELVIN SIGN lowers to "k", "É" to "é"', () => {
    expect(headerValue([['\u212Aey', 'kelvin']], 'Key')).toBe('kelvin');
    expect(headerValue([['\u00C9t\u00E9', 'latin1']], '\u00E9T\u00C9')).toBe('latin1');
    expect(headerValue([['\u00C9t\u00E9', 'latin1']], 'Ete')).toBeUndefined();
  });

  it('matches names of other lengths when toLowerCase() makes them one: "\u0130" lowers to "i" and a combining dot', () => {
    expect(headerValue([['X-\u0130d', 'dotted']], 'x-i\u0307d')).toBe('dotted');
    expect(headerValue([['x-i\u0307d', 'dotted']], 'X-\u0130D')).toBe('dotted');
    expect(headerValue([['X-\u0130d', 'dotted']], 'x-id')).toBeUndefined();
  });
});

describe('HttpParser head', () => {
  const request = 'GET /internal/auth/email HTTP/1.1\r\nAuth-Method: plain\r\nAuth-User:  alice@example.test \r\nHost: admin\r\n\r\n';

  it('reads the start line and each header, trimmed, whole and byte by byte', () => {
    const whole = new HttpParser('request');
    whole.feed(asciiBytes(request));
    const expected = { method: 'GET', target: '/internal/auth/email', headers: [['Auth-Method', 'plain'], ['Auth-User', 'alice@example.test'], ['Host', 'admin']] };
    expect(whole.nextRequest()).toEqual({ kind: 'message', message: expected });
    const bytewise = new HttpParser('request');
    for (let i = 0; i < request.length - 1; i++) {
      bytewise.feed(asciiBytes(request[i]!));
      expect(bytewise.nextRequest()).toEqual({ kind: 'incomplete' });
    }
    bytewise.feed(asciiBytes(request.slice(-1)));
    expect(bytewise.nextRequest()).toEqual({ kind: 'message', message: expected });
  });

  it('takes a request without headers, and refuses a header line without a name or with a blank in it', () => {
    const bare = new HttpParser('request');
    bare.feed(asciiBytes('GET / HTTP/1.1\r\n\r\n'));
    expect(bare.nextRequest()).toEqual({ kind: 'message', message: { method: 'GET', target: '/', headers: [] } });
    for (const line of [': x', 'Auth User: x', 'no colon']) {
      const parser = new HttpParser('request');
      parser.feed(asciiBytes(`GET / HTTP/1.1\r\nHost: a\r\n${line}\r\n\r\n`));
      expect(parser.nextRequest()).toEqual({ kind: 'error', reason: `bad header line: ${line}` });
    }
  });
});
