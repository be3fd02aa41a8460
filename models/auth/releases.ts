/* auth/releases - the Mailu releases the auth path imitates, and what each release changed on it
 *
 * The auth path is Mailu's own code at both ends: core/nginx/dovecot/login.lua (the Dovecot
 * front's passdb, which builds the request) and core/admin/mailu/internal/nginx.py
 * handle_authentication with views/auth.py nginx_authentication (which read it). Modelled: 2.0.43
 * (the last 2.0 release, the mailu-2.0 preset) and every 2024.06 tag (Mailu/Mailu `git tag`),
 * oldest first; the rest of the service follows 2024.06 (models/auth/authenticate.ts) but for the
 * gates below, and 2.0.43 reads the credentials as 2024.06.0 does (nginx.py, `git diff 2.0.43 2024.06.0`: the same unquote
 * and double decode). Each gate names the first release with the behaviour and where it is read;
 * docs/versions.md lists them with their tests (test/models/auth/releases.test.ts).
 */

export const MAILU_RELEASES: readonly string[] = ['2.0.43', ...Array.from({ length: 58 }, (_, patch) => `2024.06.${patch}`)];

/** The release of the lab's Mailu scenarios that name none (mailu-2024.06 is tag 2024.06.0). */
export const DEFAULT_MAILU_RELEASE = '2024.06.0';

export const MAILU_RELEASES_TEXT = `2.0.43, 2024.06.0-2024.06.57`;

export function isMailuRelease(version: string): boolean {
  return MAILU_RELEASES.includes(version);
}

export const MAILU_GATES = {
  credentials_url_encoded: {
    behaviour:
      "login.lua percent-encodes Auth-User, Auth-Pass and Client-Ip (every byte outside [%w_] and '.'..'~': 0x00-0x2d and 0x7f-0xff) " +
      'and nginx.py only unquotes them (urllib.parse.unquote: UTF-8 with replacement, never raises); views/auth.py then reads the ' +
      "password for the user limiter's de-duplication from handle_authentication's answer, which has none, so every failure of a " +
      "known user counts. Before: the Lua sends the bytes raw (header Client-IP) and nginx.py unquotes, then .encode('iso8859-1')" +
      ".decode('utf8') inside a bare except (a literal %XX is decoded, bytes that are no UTF-8 make the user 'invalid'), and the " +
      'limiter de-duplicates a repeated password',
    since: '2024.06.9',
    source:
      'commits 3d4a9ac2 "Fix #3364", 00ef3cb9 "Remove this insanity since we don\'t use nginx", a5af42a6, 1366ee3f, 14196e50 "Do the same with Client-Ip" ' +
      '(first tag 2024.06.9): core/nginx/dovecot/login.lua urlEncode(), core/admin/mailu/internal/nginx.py handle_authentication(), ' +
      'core/admin/mailu/internal/views/auth.py nginx_authentication() (`git diff 2024.06.8 2024.06.9`)',
  },
  ratelimit_answer_without_auth_wait: {
    behaviour:
      "views/auth.py's rate-limited answer (the IP or the user limiter) is Auth-Status and Auth-Error-Code only. Before: it adds " +
      "Auth-Wait: 3 while int(Auth-Login-Attempt) < 10 (nginx's counter; a request without the header is a 400, one int() refuses a 500), " +
      'so nginx sleeps 3 s and keeps the session instead of closing it',
    since: '2024.06.0',
    source:
      'commit c66934e6 "Auth-Login-Attempt is no more since we don\'t use nginx" (first tag 2024.06.0): core/admin/mailu/internal/views/auth.py ' +
      'nginx_authentication() (`git diff 2.0.43 2024.06.0`)',
  },
} as const;

export type MailuGateName = keyof typeof MAILU_GATES;

/** Whether `version` (a modelled release, isMailuRelease) has the gate's behaviour: the list is in release order. */
export function mailuHas(version: string, gate: MailuGateName): boolean {
  const index = MAILU_RELEASES.indexOf(version);
  if (index < 0) throw new Error(`not a modelled Mailu release: ${version} (modelled: ${MAILU_RELEASES_TEXT})`);
  return index >= MAILU_RELEASES.indexOf(MAILU_GATES[gate].since);
}
