/* front/dovecot-auth-username - the user name Dovecot's auth process makes of the one a client sent
 *
 * The PLAIN and LOGIN mechanisms hand the name to auth_request_set_username()
 * (src/auth/mech-plain.c mech_plain_auth_continue(), mech-login.c mech_login_auth_continue()), which
 * runs auth_request_fix_username() (src/auth/auth-request-fields.c, the same at 2.3.17, 2.3.19.1,
 * 2.3.21.1 and 2.4.3):
 *   - auth_username_chars: Mailu's proxy.conf sets it empty (every byte allowed), so no check here;
 *   - auth_username_format: default "%Lu" (auth-settings.c; 2.4.3 "%{user | lower}"), which Mailu
 *     does not set: the name is lower-cased, ASCII letters only (var-expand.c m_str_lcase(),
 *     t_str_lcase() -> i_tolower()); the passdb (Mailu's login.lua req.user), the login log's user=<>
 *     and XCLIENT LOGIN= all get this name;
 *   - an empty result is refused ("Empty username"): mech_login fails the request at the user name,
 *     before asking for the password, and mech_plain as soon as it has split the response.
 * The name is a C string: LOGIN takes it with t_strndup(), so it ends at a NUL the client sent.
 */

/** The name the auth process goes on with, or null where it fails the request ("Empty username"). */
export function dovecotAuthUsername(sent: string): string | null {
  const name = cString(sent).replace(/[A-Z]/g, (letter) => letter.toLowerCase());
  return name === '' ? null : name;
}

/** t_strndup()/p_strndup() of the client's bytes: up to the first NUL. */
export function cString(bytes: string): string {
  const end = bytes.indexOf('\0');
  return end < 0 ? bytes : bytes.slice(0, end);
}
