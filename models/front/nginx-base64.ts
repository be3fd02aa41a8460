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

/**
 * A response the AUTH handlers refuse: the line they log at info (ngx_log_error(NGX_LOG_INFO, c->log, 0, ...))
 * before returning NGX_MAIL_PARSE_INVALID_COMMAND, which ngx_mail_smtp_auth_state() answers with 500 and no
 * count against max_errors (src/mail/ngx_mail_handler.c, the same texts at release-1.22.0 and release-1.29.8;
 * each checked on Debian's nginx 1.22.1: "client sent invalid base64 encoding in AUTH LOGIN command while in
 * auth state, client: 127.0.0.1, server: 127.0.0.1:12625").
 */
export interface SaslRefusal {
  readonly refused: string;
}

/**
 * ngx_mail_auth_login_username(), ngx_mail_auth_login_password() (LOGIN) and ngx_mail_auth_external()
 * (EXTERNAL): the decoded response, or the refusal naming the mechanism.
 */
export function ngxAuthBase64(encoded: string, mechanism: 'LOGIN' | 'EXTERNAL'): { readonly value: string } | SaslRefusal {
  const value = ngxDecodeBase64(encoded);
  return value === null ? { refused: `client sent invalid base64 encoding in AUTH ${mechanism} command` } : { value };
}

/**
 * ngx_mail_auth_plain(): the authzid is skipped up to and with its NUL, the login runs to the next NUL and
 * the password is the rest (empty ones are taken). "invalid login" when no byte follows the first NUL
 * (none, or it is the last byte: `while (p < last && *p++)` leaves p at last), "invalid password" when
 * no NUL follows the login.
 */
export function ngxAuthPlain(encoded: string): { readonly login: string; readonly passwd: string } | SaslRefusal {
  const decoded = ngxDecodeBase64(encoded);
  if (decoded === null) return { refused: 'client sent invalid base64 encoding in AUTH PLAIN command' };
  const loginStart = decoded.indexOf('\0') + 1;
  if (loginStart === 0 || loginStart === decoded.length) return { refused: 'client sent invalid login in AUTH PLAIN command' };
  const loginEnd = decoded.indexOf('\0', loginStart);
  if (loginEnd < 0) return { refused: 'client sent invalid password in AUTH PLAIN command' };
  return { login: decoded.slice(loginStart, loginEnd), passwd: decoded.slice(loginEnd + 1) };
}
