/* mailu-auth-release - the Mailu release on the auth path, end to end (auth.mailu_version; models/auth/releases.ts)
 *
 * From 2024.06.9 Mailu's login.lua percent-encodes the login and nginx.py only unquotes it; before,
 * the raw bytes are unquoted and then read as ISO 8859-1 bytes of UTF-8 (`git diff 2024.06.8 2024.06.9`
 * of core/nginx/dovecot/login.lua and core/admin/mailu/internal/nginx.py). The lab's accounts take any
 * address with '@' (anyUserPassword), so what differs is whether the service can read the login at all.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.ts';
import { runScenario } from '../../scenarios/run.ts';

const authReply = (scenario: string, ...sets: string[]) => runScenario(loadScenario({ scenario, sets }), { seed: 1 }).client.authReply;

describe('a literal %FF in the login', () => {
  it('is refused up to 2024.06.8 (unquoted to a byte that is no UTF-8) and logs in from 2024.06.9', () => {
    expect(authReply('mailu-2024.06', 'client.user=%FF@example.test', 'auth.mailu_version=2024.06.8')).toMatch(/^535 /);
    expect(authReply('mailu-2024.06', 'client.user=%FF@example.test', 'auth.mailu_version=2024.06.9')).toMatch(/^235 /);
  });

  it('the presets carry their release: mailu-2024.06 (2024.06.0) refuses it, mailu-2024.06.57 serves it', () => {
    expect(loadScenario({ scenario: 'mailu-2024.06' }).get('auth.mailu_version')).toBe('2024.06.0');
    expect(loadScenario({ scenario: 'mailu-2.0' }).get('auth.mailu_version')).toBe('2.0.43');
    expect(authReply('mailu-2024.06', 'client.user=%FF@example.test')).toMatch(/^535 /);
    expect(authReply('mailu-2024.06.57', 'client.user=%FF@example.test')).toMatch(/^235 /);
  });
});

describe('a UTF-8 login', () => {
  it('logs in on both sides of the change (raw bytes read back by the double decode; percent-escapes by unquote)', () => {
    for (const release of ['2024.06.8', '2024.06.9']) expect([release, authReply('mailu-2024.06', 'client.user=¡é@example.test', `auth.mailu_version=${release}`)]).toEqual([release, expect.stringMatching(/^235 /)]);
  });
});
