/* requests - an authenticator and the auth_http requests the Mailu rule tests send it */
import { MailuAuthenticator, defaultAuthServiceConfig, type AuthServiceConfig } from '../../../models/auth/index.ts';

/** Mailu's defaults with a strict account table (alice@example.test / secret). */
export function auth(config: Partial<AuthServiceConfig> = {}): MailuAuthenticator {
  return new MailuAuthenticator({ ...defaultAuthServiceConfig, anyUserPassword: null, ...config });
}

/** A PLAIN submission login by alice from 203.0.113.7; an undefined override leaves the header out. */
export function request(overrides: Record<string, string | undefined> = {}): [string, string][] {
  const base: Record<string, string | undefined> = {
    'Auth-Port': '465', 'Auth-User': 'alice@example.test', 'Auth-Pass': 'secret', 'Auth-Protocol': 'submission',
    'Client-IP': '203.0.113.7', 'Client-Port': '40000', 'Auth-Method': 'plain', ...overrides,
  };
  return Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined);
}

/** The answer's headers; a 4xx/5xx fails the test with its reason. */
export function answer(service: MailuAuthenticator, overrides: Record<string, string | undefined>, now = 0): Record<string, string> {
  const result = service.authenticate(request(overrides), now);
  if (result.status !== 200) throw new Error(`HTTP ${result.status}: ${result.reason}`);
  return Object.fromEntries(result.headers);
}
