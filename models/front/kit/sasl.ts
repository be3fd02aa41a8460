/* kit/sasl - the base64 of SMTP AUTH (RFC 4954 §4) as Dovecot's auth process reads it and the fronts write it
 *
 * Dovecot's auth process decodes an initial or continued response with base64_decode()
 * (src/auth/auth-request-handler.c; src/lib/base64.c base64_decode_more() and
 * base64_decode_finish() with flags 0, the same at 2.3.17 and 2.4.3): whitespace (space, tab, CR,
 * LF) anywhere is skipped, and padding is required: the rest is whole groups of four, the last may
 * end in "==" or "=", and nothing may follow the padding. An empty response is empty credentials.
 * nginx decodes by its own rule (../nginx-base64.ts).
 */

/** The latin1 text `encoded` stands for, or null where base64_decode() fails. */
export function decodeSaslBase64(encoded: string): string | null {
  const data = encoded.replace(/[ \t\r\n]/g, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(data)) return null;
  return Buffer.from(data, 'base64').toString('latin1');
}

export function encodeSaslBase64(text: string): string {
  return Buffer.from(text, 'latin1').toString('base64');
}
