/* trace-file - serve's --trace: 0600, rotated at its size, credentials redacted unless asked for */
import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RuntimeEvent } from '../../runtime/socket/index.ts';
import { CredentialRedactor, TraceFile } from '../../runtime/trace-file.ts';

const recv = (conn: string, data: string): RuntimeEvent => ({ t: 1, kind: 'recv', node: 'front', conn, len: data.length, data });
const write = (conn: string, data: string): RuntimeEvent => ({ t: 1, kind: 'write', node: 'front', conn, len: data.length, data });
const dataOf = (event: RuntimeEvent) => (event as { data: string }).data;

describe('CredentialRedactor', () => {
  it('redacts an AUTH initial response, the line after a 334 challenge, and an Auth-Pass header; keeps everything else', () => {
    const r = new CredentialRedactor();
    expect(dataOf(r.redact(recv('c1', 'EHLO x\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nMAIL FROM:<a@b>\r\n')))).toBe('EHLO x\r\nAUTH PLAIN <redacted>\r\nMAIL FROM:<a@b>\r\n');
    expect(dataOf(r.redact(recv('c2', 'AUTH LOGIN\r\n')))).toBe('AUTH LOGIN\r\n');
    r.redact(write('c2', '334 VXNlcm5hbWU6\r\n'));
    expect(dataOf(r.redact(recv('c2', 'YWxpY2U=\r\n')))).toBe('<redacted>\r\n');
    r.redact(write('c2', '334 UGFzc3dvcmQ6\r\n'));
    expect(dataOf(r.redact(recv('c2', 'c2VjcmV0\r\nQUIT\r\n')))).toBe('<redacted>\r\nQUIT\r\n');
    expect(dataOf(r.redact(recv('c1', 'QUIT\r\n')))).toBe('QUIT\r\n');
    expect(dataOf(r.redact(write('http', 'GET /internal/auth/email HTTP/1.1\r\nAuth-User: alice\r\nAuth-Pass: secret\r\n\r\n')))).toBe(
      'GET /internal/auth/email HTTP/1.1\r\nAuth-User: alice\r\nAuth-Pass: <redacted>\r\n\r\n',
    );
  });
});

describe('TraceFile', () => {
  it('replaces an existing world-readable file with a 0600 one and rotates at its size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-'));
    const path = join(dir, 'trace.jsonl');
    writeFileSync(path, 'old');
    chmodSync(path, 0o644);
    const trace = new TraceFile(path, { maxBytes: 400, secrets: false });
    for (let i = 0; i < 6; i++) trace.write(recv('c1', `line ${i} ${'x'.repeat(60)}\r\n`));
    trace.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(`${path}.1`).mode & 0o777).toBe(0o600);
    const lines = [...readFileSync(`${path}.1`, 'latin1').trim().split('\n'), ...readFileSync(path, 'latin1').trim().split('\n')];
    expect(lines.map((l) => (JSON.parse(l) as { data: string }).data.slice(0, 6))).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5'].slice(6 - lines.length));
    expect(statSync(path).size).toBeLessThanOrEqual(400);
  });

  it('keeps credentials with secrets: true', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-'));
    const path = join(dir, 'trace.jsonl');
    const trace = new TraceFile(path, { maxBytes: 1 << 20, secrets: true });
    trace.write(recv('c1', 'AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n'));
    trace.close();
    expect(readFileSync(path, 'latin1')).toContain('AGFsaWNlAHNlY3JldA==');
  });
});
