/* nginx-client-buffer - the client's command buffer (s->buffer) of an nginx mail session
 *
 * nginx/nginx src/mail/ngx_mail_handler.c ngx_mail_read_command() (reads up to the buffer's end; a full
 * buffer without a line is "client sent too long command" quoting the whole buffer) and
 * ngx_mail_smtp_handler.c ngx_mail_smtp_init_protocol() (client_buffer_size, 4096 by default); the same at
 * release-1.22.0 and release-1.29.8.
 */
import { describe, expect, test } from 'vitest';
import { CLIENT_BUFFER_SIZE, NginxClientBuffer } from '../../../models/front/nginx-client-buffer.ts';

function buffer(text: string): NginxClientBuffer {
  const lines = new NginxClientBuffer();
  lines.push(Buffer.from(text, 'latin1'));
  return lines;
}

describe('NginxClientBuffer', () => {
  test('a line ends at LF, a CR before it dropped; LF alone at the buffer\'s first byte is an empty line', () => {
    const lines = buffer('\nNOOP\nRSET\r\nQU');
    expect([lines.next(), lines.next(), lines.next(), lines.next()]).toEqual([
      { kind: 'line', line: '' },
      { kind: 'line', line: 'NOOP' },
      { kind: 'line', line: 'RSET' },
      undefined,
    ]);
  });

  test('a full buffer without a line ending in it is too long, quoting the buffer and not the bytes beyond it', () => {
    expect(buffer('a'.repeat(CLIENT_BUFFER_SIZE - 1)).next()).toBeUndefined();
    expect(buffer('a'.repeat(CLIENT_BUFFER_SIZE)).next()).toEqual({ kind: 'too-long', buffer: 'a'.repeat(CLIENT_BUFFER_SIZE) });
    expect(buffer(`${'a'.repeat(CLIENT_BUFFER_SIZE)}bbb\r\n`).next()).toEqual({ kind: 'too-long', buffer: 'a'.repeat(CLIENT_BUFFER_SIZE) });
  });

  test('size counts what is not yet taken; takeRest hands over only that and leaves the buffer empty', () => {
    const lines = buffer('AUTH PLAIN x\r\nEHLO y\r\n');
    lines.next();
    expect(lines.size).toBe('EHLO y\r\n'.length);
    expect(lines.takeRest()).toBe('EHLO y\r\n');
    expect([lines.size, lines.next()]).toEqual([0, undefined]);
  });
});
