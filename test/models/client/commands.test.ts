import { describe, expect, it } from 'vitest';
import { authContinuations, messageBytes, stepBytes } from '../../../models/client/commands.ts';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describe('stepBytes', () => {
  it('encodes AUTH as swaks does, with "=" for an empty initial response (RFC 4954 §4)', () => {
    expect(text(stepBytes({ kind: 'auth', mechanism: 'PLAIN', user: 'alice@example.test', password: 'secret', initialResponse: true }))).toBe('AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n');
    expect(text(stepBytes({ kind: 'auth', mechanism: 'LOGIN', user: '', password: 'x', initialResponse: true }))).toBe('AUTH LOGIN =\r\n');
    expect(text(stepBytes({ kind: 'auth', mechanism: 'LOGIN', user: 'u', password: 'x', initialResponse: false }))).toBe('AUTH LOGIN\r\n');
  });

  it('lists the continuations each AUTH form still owes', () => {
    expect(authContinuations({ kind: 'auth', mechanism: 'PLAIN', user: 'u', password: 'p', initialResponse: true })).toEqual([]);
    expect(authContinuations({ kind: 'auth', mechanism: 'PLAIN', user: 'u', password: 'p', initialResponse: false })).toEqual(['AHUAcA==']);
    expect(authContinuations({ kind: 'auth', mechanism: 'LOGIN', user: 'u', password: '', initialResponse: false })).toEqual(['dQ==', '']);
    expect(authContinuations({ kind: 'auth', mechanism: 'LOGIN', user: 'u', password: 'p', initialResponse: true })).toEqual(['cA==']);
  });

  it('sends envelope addresses and raw lines as UTF-8', () => {
    expect(Buffer.from(stepBytes({ kind: 'mail', from: 'jürgen@x' })).toString('utf8')).toBe('MAIL FROM:<jürgen@x>\r\n');
    expect(text(stepBytes({ kind: 'line', text: 'XCLIENT LOGIN=mallory' }))).toBe('XCLIENT LOGIN=mallory\r\n');
  });
});

describe('messageBytes', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['', '.\r\n'],
    ['\r\n', '\r\n.\r\n'],
    ['a', 'a\r\n.\r\n'],
    ['a\r\n', 'a\r\n.\r\n'],
    ['a\nb\n', 'a\r\nb\r\n.\r\n'],
    ['.', '..\r\n.\r\n'],
    ['x\r\n.\r\n..y\r\n', 'x\r\n..\r\n...y\r\n.\r\n'],
  ];
  for (const [content, wire] of cases) {
    it(`${JSON.stringify(content)} -> ${JSON.stringify(wire)}`, () => {
      expect(text(messageBytes(content))).toBe(wire);
    });
  }
});
