/* front/nginx-client-buffer - the client's command buffer of an nginx mail session (s->buffer)
 *
 * src/mail/ngx_mail_smtp_handler.c ngx_mail_smtp_init_protocol() makes it client_buffer_size bytes (one page,
 * 4096); src/mail/ngx_mail_handler.c ngx_mail_read_command() reads into it up to its end, and
 * ngx_mail_smtp_auth_state() and ngx_mail_auth() move pos and last back to its start only when every byte
 * read has been taken (pos == last). Nothing moves the bytes down: after pipelined commands the next one
 * has only what is left of the 4096 bytes, and when the buffer is full with no line ended in it,
 * ngx_mail_read_command() logs `client sent too long command "<the whole buffer from its start>"`
 * (the commands already answered included) and sets s->quit: the 500 goes and the connection closes.
 * The same at release-1.22.0 and release-1.29.8. Checked on Debian's nginx 1.22.1: "NOOP " and 4089 bytes
 * with CRLF (4096) is answered 250, one byte more is too long; "NOOP\r\n" and a 4093-byte line in one
 * write is 250, then too long, and the logged text starts "NOOP\r\nNOOP ccc".
 */
import { bytesToLatin1 } from '../contract.ts';

/** client_buffer_size's default (ngx_mail_smtp_merge_srv_conf(): ngx_pagesize). */
export const CLIENT_BUFFER_SIZE = 4096;

/**
 * smtp_client_buffer's bytes as ngx_conf_set_size_slot() reads them (src/core/ngx_parse.c ngx_parse_size(),
 * release-1.22.1: digits, then k/K or m/M for 1024 or 1024 * 1024), or what is wrong. nginx takes 0, whose
 * buffer reads nothing (recv() of 0 bytes is the client's close in ngx_mail_read_command()): not modelled.
 */
export function smtpClientBufferProblem(text: string): string | null {
  const bytes = parseSmtpClientBuffer(text);
  if (bytes === null) return '"smtp_client_buffer" directive invalid value';
  return bytes === 0 ? 'a buffer of 0 bytes reads nothing and nginx closes every session at its first read; the lab takes 1 byte or more' : null;
}

/** ngx_parse_size(): the bytes, or null where nginx says "invalid value". */
export function parseSmtpClientBuffer(text: string): number | null {
  const match = /^(\d+)([kKmM]?)$/.exec(text);
  if (!match) return null;
  const bytes = Number(match[1]) * (match[2] === '' ? 1 : /k/i.test(match[2]!) ? 1024 : 1024 * 1024);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

export type NginxClientLine = { readonly kind: 'line'; readonly line: string } | { readonly kind: 'too-long'; readonly buffer: string };

export class NginxClientBuffer {
  /** @param capacity smtp_client_buffer (sscf->client_buffer_size): the bytes the buffer holds. */
  constructor(private readonly capacity: number = CLIENT_BUFFER_SIZE) {}

  /** The bytes since the buffer was last moved back to its start: nginx's buffer, then what waits in the socket. */
  private bytes = '';
  /** s->buffer->pos: where the next command starts. */
  private pos = 0;

  push(bytes: Uint8Array): void {
    this.bytes += bytesToLatin1(bytes);
  }

  /** The next line (CR LF or LF stripped) whose LF lies inside the buffer, a full buffer without one, or undefined. */
  next(): NginxClientLine | undefined {
    const lf = this.bytes.indexOf('\n', this.pos);
    if (lf >= 0 && lf < this.capacity) {
      const raw = this.bytes.slice(this.pos, lf);
      this.pos = lf + 1;
      return { kind: 'line', line: raw.endsWith('\r') ? raw.slice(0, -1) : raw };
    }
    if (this.bytes.length < this.capacity) return undefined;
    return { kind: 'too-long', buffer: this.bytes.slice(0, this.capacity) };
  }

  /**
   * After a command: pos == last moves both back to the start, else the buffer stays as it is. nginx's
   * last is what it has read, at most the buffer's end; bytes beyond it still wait in the socket.
   */
  commandDone(): void {
    if (this.pos < Math.min(this.bytes.length, this.capacity)) return;
    this.bytes = this.bytes.slice(this.pos);
    this.pos = 0;
  }

  /** Whatever is buffered and not yet taken as lines (handed to the relay after login). */
  takeRest(): string {
    const rest = this.bytes.slice(this.pos);
    this.bytes = '';
    this.pos = 0;
    return rest;
  }

  get size(): number {
    return this.bytes.length - this.pos;
  }
}
