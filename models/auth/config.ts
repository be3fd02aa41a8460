/* auth/config - settings of the Mailu auth service model, named as in Mailu's configuration.py
 *
 * Keys in CAPITALS are Mailu's own settings (core/admin/mailu/configuration.py, DEFAULT_CONFIG).
 * The account table stands in for Mailu's user database. The lab's accounts:
 *   - `accounts`: exact users and passwords (alice@example.test / secret by default);
 *   - `anyUserPassword`: when set, every address containing '@' is an existing, enabled account
 *     with this password. Scenarios that draw arbitrary client users ("any client.user is a valid
 *     account") set it; the lab default is 'secret'. Set it to null for a strict table.
 * Service-side faults are what a scenario may ask of the service itself; "connection refused"
 * is not a fault here: it is simply no listener in the simulation.
 */
import type { Micros } from '../contract.ts';
import { DEFAULT_MAILU_RELEASE } from './releases.ts';

export interface AuthAccount {
  readonly password: string;
  readonly enabled?: boolean;
}

export type AuthServiceFault =
  /** Answer normally (after latencyUs). */
  | 'none'
  /** Accept the request and never answer (the caller's timeout decides). */
  | 'timeout'
  /** HTTP 500 Internal Server Error, as Flask answers an unhandled exception. */
  | 'http500'
  /** Bytes that are not an HTTP response, then close. */
  | 'malformed';

export interface AuthServiceConfig {
  /** Model name in traces. */
  readonly name: string;
  /** The Mailu release whose auth code this is (auth.mailu_version; what each changes: ./releases.ts MAILU_GATES). */
  readonly mailuVersion: string;
  readonly AUTH_RATELIMIT_IP: string;
  readonly AUTH_RATELIMIT_IP_V4_MASK: number;
  readonly AUTH_RATELIMIT_IP_V6_MASK: number;
  readonly AUTH_RATELIMIT_USER: string;
  /** Comma-separated CIDRs never rate limited. */
  readonly AUTH_RATELIMIT_EXEMPTION: string;
  /** Seconds a successful login exempts its IP. */
  readonly AUTH_RATELIMIT_EXEMPTION_LENGTH: number;
  readonly AUTH_REQUIRE_TOKENS: boolean;
  readonly INBOUND_TLS_ENFORCE: boolean;
  /** Already resolved: Mailu resolves these names with socrate.system.resolve_hostname. */
  readonly SMTP_ADDRESS: string;
  readonly IMAP_ADDRESS: string;
  /**
   * Postfix's ports in the answer (`Auth-Port`). Mailu's get_server hard-codes them: 10025 for
   * authenticated mail, 25 for port-25 delivery. The socket runtime puts the ports its backend
   * actually bound here, so that several labs can run on one machine.
   */
  readonly smtpPorts: { readonly authenticated: number; readonly unauthenticated: number };
  readonly accounts: Readonly<Record<string, AuthAccount>>;
  readonly anyUserPassword: string | null;
  /**
   * gunicorn's `keepalive` (seconds, default 2; Mailu's start.py does not set --keep-alive): an
   * answered connection left idle this long is closed (workers/gthread.py murder_keepalived).
   */
  readonly keepalive: number;
  /** Time the service takes to answer one request (slow answer = a large value). */
  readonly latencyUs: Micros;
  readonly fault: AuthServiceFault;
}

/** Mailu's defaults, with the lab's addresses and accounts. */
export const defaultAuthServiceConfig: AuthServiceConfig = {
  name: 'auth',
  mailuVersion: DEFAULT_MAILU_RELEASE,
  AUTH_RATELIMIT_IP: '5/hour',
  AUTH_RATELIMIT_IP_V4_MASK: 24,
  AUTH_RATELIMIT_IP_V6_MASK: 48,
  AUTH_RATELIMIT_USER: '50/day',
  AUTH_RATELIMIT_EXEMPTION: '',
  AUTH_RATELIMIT_EXEMPTION_LENGTH: 86400,
  AUTH_REQUIRE_TOKENS: false,
  INBOUND_TLS_ENFORCE: false,
  SMTP_ADDRESS: '127.0.0.1',
  IMAP_ADDRESS: '127.0.0.1',
  smtpPorts: { authenticated: 10025, unauthenticated: 25 },
  accounts: { 'alice@example.test': { password: 'secret' } },
  anyUserPassword: 'secret',
  keepalive: 2,
  latencyUs: 4_500,
  fault: 'none',
};
