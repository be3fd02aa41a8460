/* front/nginx-base64 - a SASL response as nginx's mail module decodes it
 *
 * src/core/ngx_string.c ngx_decode_base64() -> ngx_decode_base64_internal() with basis64, the same
 * at release-1.22.0 and release-1.29.8: it reads up to the first '=' only; each byte before it must
 * be in the alphabet (A-Z a-z 0-9 + /), and their number must not be one more than a multiple of 4.
 * Nothing after the first '=' is read, so the padding's length and whatever follows it are not
 * checked: 'YQ', 'YQ=', 'YQ==' and 'YQ=x!' all decode to 'a'. A remainder of 2 or 3 gives 1 or 2
 * bytes, its unused low bits dropped (as Buffer's decoder does).
 * An empty response is an empty argument, not a missing one (ngx_mail_smtp_parse_command()'s
 * sw_argument pushes it at the CR; ngx_mail_smtp_auth_state() set arg_start after AUTH), and
 * decodes to nothing: ngx_mail_auth_login_username() and _password() take it, ngx_mail_auth_plain()
 * then finds no NUL.
 */

/** The bytes (one character each) nginx decodes `encoded` to, or null where ngx_decode_base64() returns NGX_ERROR. */
export function ngxDecodeBase64(encoded: string): string | null {
  const padding = encoded.indexOf('=');
  const data = padding < 0 ? encoded : encoded.slice(0, padding);
  if (!/^[A-Za-z0-9+/]*$/.test(data) || data.length % 4 === 1) return null;
  return Buffer.from(data, 'base64').toString('latin1');
}
