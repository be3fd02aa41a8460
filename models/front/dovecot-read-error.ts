/* front/dovecot-read-error - the text of a failed read() on one of the login process's sockets
 *
 * Dovecot 2.3.19.1 reads each socket through a file-descriptor istream (src/lib/istream-file.c
 * i_stream_file_read()), whose error is "read(size=%zu) failed: %m", size being what
 * i_stream_try_alloc() (src/lib/istream.c) offered: buffer_size - pos. The buffer is the stream's
 * maximum size at once (i_stream_grow_buffer(): the initial I_STREAM_MIN_SIZE, 8192, is capped
 * by it), and pos counts every byte read since the last i_stream_compress(), which runs only when
 * the buffer is full and the reader has consumed what it holds, as the login process always has.
 * Measured on the real Dovecot (2026-11-30, a client RST): after 8 client bytes "read(size=1018)",
 * after 75 "read(size=951)", after 1157 "read(size=895)". The formats and both sizes are the same
 * in every modelled release: read at 2.3.17, 2.3.21.1, 2.4.1 and 2.4.3 (2.4 renames
 * MASTER_AUTH_MAX_DATA_SIZE to lib-login's LOGIN_REQUEST_MAX_DATA_SIZE, of the same value).
 */

/**
 * The client's input stream (login-common/client-common.c i_stream_create_fd()), client-common.h:
 * MASTER_AUTH_MAX_DATA_SIZE (1024 + 128 + 64 + 2) - LOGIN_MAX_MASTER_PREFIX_LEN (128) - LOGIN_MAX_SESSION_ID_LEN (64).
 */
export const LOGIN_MAX_INBUF_SIZE = 1026;

/** The backend's input stream (login-proxy.c MAX_PROXY_INPUT_SIZE); a longer backend line is "Too long input line". */
export const MAX_PROXY_INPUT_SIZE = 4096;

/** How a socket's input ended for the login process: the peer's FIN, or a read() that failed with this errno. */
export type InputEnd = 'eof' | 'ECONNRESET' | 'ETIMEDOUT';

/** The end a driver input reports: eof, or a reset with the kernel's errno (ETIMEDOUT when its keepalive or retransmissions gave up). */
export function inputEndOf(input: { readonly kind: 'eof' } | { readonly kind: 'reset'; readonly errno?: 'ETIMEDOUT' }): InputEnd {
  return input.kind === 'eof' ? 'eof' : input.errno ?? 'ECONNRESET';
}

/** strerror() of a failed read's errno, as %m prints it (glibc). */
export function strerror(errno: Exclude<InputEnd, 'eof'>): string {
  return errno === 'ETIMEDOUT' ? 'Connection timed out' : 'Connection reset by peer';
}

/** The stream's error after `bytesRead` bytes came through a buffer of `bufferSize`, when read() failed with `errno`'s text. */
export function readFailed(bufferSize: number, bytesRead: number, errno: string): string {
  return `read(size=${bufferSize - (bytesRead % bufferSize)}) failed: ${errno}`;
}

/** io_stream_get_disconnect_reason() (src/lib/iostream.c) of a stream whose read() failed: how lib-smtp and the proxy's handshake name it. */
export function closedAfterReadFailed(bufferSize: number, bytesRead: number, errno: string): string {
  return `Connection closed: ${readFailed(bufferSize, bytesRead, errno)}`;
}
