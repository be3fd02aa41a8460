/* kit/sasl - the base64 of SMTP AUTH (RFC 4954 §4) as the fronts read and write it
 *
 * Both Dovecot (lib base64_decode via sasl-server) and nginx (ngx_decode_base64) refuse text
 * outside the alphabet or of an impossible length; nginx also refuses an empty response where
 * Dovecot reads it as empty credentials, so that choice is the caller's.
 */

/** The latin1 text `encoded` stands for, or null when it is not base64. */
export function decodeSaslBase64(encoded: string, options: { readonly allowEmpty: boolean }): string | null {
  if (encoded === '' && !options.allowEmpty) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 === 1) return null;
  return Buffer.from(encoded, 'base64').toString('latin1');
}

export function encodeSaslBase64(text: string): string {
  return Buffer.from(text, 'latin1').toString('base64');
}
