/* kit/sasl - the base64 of SMTP AUTH (RFC 4954 §4) as the fronts read and write it
 *
 * Dovecot (lib base64_decode via sasl-server) refuses text outside the alphabet or of an
 * impossible length and reads an empty response as empty credentials; nginx decodes by its own
 * rule (../nginx-base64.ts).
 */

/** The latin1 text `encoded` stands for, or null when it is not base64. */
export function decodeSaslBase64(encoded: string): string | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 === 1) return null;
  return Buffer.from(encoded, 'base64').toString('latin1');
}

export function encodeSaslBase64(text: string): string {
  return Buffer.from(text, 'latin1').toString('base64');
}
