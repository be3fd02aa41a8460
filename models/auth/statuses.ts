/* auth/statuses - Mailu's status table and backend table (core/admin/mailu/internal/nginx.py STATUSES, get_server)
 *
 * Kept as data so a reader checks it line by line against nginx.py. A protocol missing from a
 * status row is a KeyError in Mailu (HTTP 500); lookupStatus returns null for it.
 */
import type { AuthServiceConfig } from './config.ts';

export type StatusName = 'authentication' | 'encryption' | 'ratelimit';

export const STATUSES: Readonly<Record<StatusName, readonly [string, Readonly<Record<string, string>>]>> = {
  authentication: ['Authentication credentials invalid', {
    imap: 'AUTHENTICATIONFAILED', smtp: '535 5.7.8', submission: '535 5.7.8', pop3: '-ERR Authentication failed', sieve: 'AuthFailed',
  }],
  encryption: ['Must issue a STARTTLS command first', { smtp: '530 5.7.0' }],
  ratelimit: ['Temporary authentication failure (rate-limit)', {
    imap: 'LIMIT', smtp: '451 4.3.2', submission: '451 4.3.2', pop3: '-ERR [LOGIN-DELAY] Retry later', sieve: 'AuthFailed',
  }],
};

/** views/auth.py, port 25 with a real AUTH method. */
export const AUTH_NOT_SUPPORTED = { status: 'AUTH not supported', code: '502 5.5.1' } as const;

export function lookupStatus(protocol: string, name: StatusName): { status: string; code: string } | null {
  const [status, codes] = STATUSES[name];
  const code = codes[protocol];
  return code === undefined ? null : { status, code };
}

/** get_server: which backend and port serve a protocol; 'smtp' depends on whether the client authenticated. */
export function backendFor(protocol: string, authenticated: boolean, addresses: Pick<AuthServiceConfig, 'SMTP_ADDRESS' | 'IMAP_ADDRESS' | 'smtpPorts'>): { server: string; port: number } | null {
  switch (protocol) {
    case 'imap': return { server: addresses.IMAP_ADDRESS, port: 143 };
    case 'pop3': return { server: addresses.IMAP_ADDRESS, port: 110 };
    case 'smtp': return { server: addresses.SMTP_ADDRESS, port: authenticated ? addresses.smtpPorts.authenticated : addresses.smtpPorts.unauthenticated };
    case 'submission': return { server: addresses.SMTP_ADDRESS, port: addresses.smtpPorts.authenticated };
    case 'lmtp': return { server: addresses.IMAP_ADDRESS, port: 2525 };
    case 'sieve': return { server: addresses.IMAP_ADDRESS, port: 4190 };
    default: return null; // Python: hostname unbound -> UnboundLocalError -> HTTP 500
  }
}

/** nginx.py WEBMAIL_PORTS (credential check) and views/auth.py is_from_webmail (rate-limit bypass). */
export const WEBMAIL_PORTS = ['14190', '10143', '10025'];
export const RATELIMIT_BYPASS_PORTS = ['10143', '10025'];
