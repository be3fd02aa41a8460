/* auth/authenticate - the decision of Mailu's GET /internal/auth/email (views/auth.py nginx_authentication + nginx.py handle_authentication)
 *
 * Input: the request headers and `now`; output: the HTTP answer Flask would give, and the log lines.
 * The Python code reads headers with flask.request.headers["X"] in places: a missing header is a
 * BadRequestKeyError, i.e. HTTP 400. An exception anywhere else (bad IP for the limiter, unknown
 * Auth-Method, a protocol missing from a status row) is HTTP 500. The order of the checks below is
 * the order of the Python statements, because it decides which limiter keys a request touches.
 */
import type { Micros } from '../contract.ts';
import { headerValue } from '../http/codec.ts';
import type { AuthAccount, AuthServiceConfig } from './config.ts';
import { cidrContains, clientNetwork, parseCidr, parseIp, type Cidr, type IpAddress } from './ip-network.ts';
import { LimiterStorage, parseRateLimit, type RateLimit } from './rate-limiter.ts';
import { pythonInt } from './python-int.ts';
import { mailuHas } from './releases.ts';
import { AUTH_NOT_SUPPORTED, backendFor, lookupStatus, RATELIMIT_BYPASS_PORTS, type StatusName } from './statuses.ts';

export type AuthAnswer =
  | { readonly status: 200; readonly headers: ReadonlyArray<readonly [string, string]> }
  | { readonly status: 400 | 404 | 405 | 500; readonly reason: string };

type Headers = ReadonlyArray<readonly [string, string]>;

/** Raised inside a decision for what Flask turns into a 4xx/5xx; caught in authenticate(). */
class HttpAbort {
  constructor(readonly status: 400 | 500, readonly reason: string) {}
}

/** The value of `name` among the handler's result pairs (a function, not a closure per request). */
function resultValue(result: readonly (readonly [string, string])[], name: string): string | undefined {
  return result.find(([key]) => key === name)?.[1];
}

function required(headers: Headers, name: string): string {
  const value = headerValue(headers, name);
  if (value === undefined) throw new HttpAbort(400, `missing header ${name}`);
  return value;
}

/**
 * How handle_authentication reads Auth-User and Auth-Pass before 2024.06.9 (gate credentials_url_encoded):
 * urllib.parse.unquote(text).encode('iso8859-1').decode('utf8'); null where Python raises (Mailu's bare
 * except). From 2024.06.9, urllib.parse.unquote(text) alone (pythonUnquote), which never raises.
 */
function unquoteUtf8(text: string): string | null {
  // Fast path: without '%' escapes and bytes >= 0x80 both steps give the text back unchanged.
  if (isPlainAscii(text)) return text;
  const unquoted = pythonUnquote(text);
  const bytes = new Uint8Array(unquoted.length);
  for (let i = 0; i < unquoted.length; i++) {
    const code = unquoted.charCodeAt(i);
    if (code > 0xff) return null; // UnicodeEncodeError: not ISO 8859-1
    bytes[i] = code;
  }
  try {
    // bytes.decode('utf8') keeps a leading BOM as U+FEFF
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null; // UnicodeDecodeError
  }
}

/**
 * urllib.parse.unquote with its defaults (encoding='utf-8', errors='replace'): each run of ASCII is
 * unquoted to bytes (a '%' not followed by two hex digits stays) and decoded as UTF-8, a bad sequence
 * becoming U+FFFD; characters >= 0x80 (header bytes as Werkzeug reads them, ISO 8859-1) stay as they are.
 * So a percent-escaped UTF-8 letter comes back as one character, not as its bytes.
 */
function pythonUnquote(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/[\x00-\x7f]+/g, (run) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(unquoteToBytes(run)));
}

/** urllib.parse.unquote_to_bytes of an ASCII run. */
function unquoteToBytes(run: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < run.length; i++) {
    const hex = run.slice(i + 1, i + 3);
    if (run[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(run.charCodeAt(i));
    }
  }
  return Uint8Array.from(bytes);
}

function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80 || code === 0x25 /* % */) return false;
  }
  return true;
}

/** How handle_authentication() reads Auth-User and Auth-Pass at a Mailu release (gate credentials_url_encoded); null where it raises. */
function credentialDecoder(mailuVersion: string): (text: string) => string | null {
  return mailuHas(mailuVersion, 'credentials_url_encoded') ? pythonUnquote : unquoteUtf8;
}

/** The account of an address (models.User.get): a listed one, or any address when the config opens every one with one password. */
function accountOf(config: AuthServiceConfig, email: string): AuthAccount | null {
  const listed = config.accounts[email];
  if (listed) return listed;
  return config.anyUserPassword === null ? null : { password: config.anyUserPassword };
}

/**
 * The user_email handle_authentication() reads from an Auth-User header value as a front wrote it,
 * which its answer echoes, when an account has it; null when the release's decoding raised (user
 * 'invalid': before 2024.06.9 a literal %FF in the login, Mailu #3364), the name has no '@', or no
 * account has it. Such a login fails on every front, however it sequences (properties/verdicts.ts).
 */
export function mailuUserEmailFor(config: AuthServiceConfig, authUserHeader: string): string | null {
  const user = credentialDecoder(config.mailuVersion)(authUserHeader);
  return user !== null && user.includes('@') && accountOf(config, user) !== null ? user : null;
}

/** utils.is_app_token: 32 lowercase hex characters. */
function isAppToken(candidate: string): boolean {
  return /^[0-9a-f]{32}$/.test(candidate);
}

export class MailuAuthenticator {
  private readonly storage = new LimiterStorage();
  private readonly ipLimit: RateLimit;
  private readonly userLimit: RateLimit;
  private readonly exemptions: Cidr[];
  readonly logs: string[] = [];
  /** Gate credentials_url_encoded of the Mailu release (./releases.ts). */
  private readonly credentialsUrlEncoded: boolean;
  /** Before gate ratelimit_answer_without_auth_wait: a rate-limited answer asks nginx to wait (rateLimited()). */
  private readonly rateLimitedWaits: boolean;
  private readonly decodeCredential: (text: string) => string | null;

  constructor(private readonly config: AuthServiceConfig) {
    this.credentialsUrlEncoded = mailuHas(config.mailuVersion, 'credentials_url_encoded');
    this.rateLimitedWaits = !mailuHas(config.mailuVersion, 'ratelimit_answer_without_auth_wait');
    this.decodeCredential = credentialDecoder(config.mailuVersion);
    this.ipLimit = parseRateLimit(config.AUTH_RATELIMIT_IP);
    this.userLimit = parseRateLimit(config.AUTH_RATELIMIT_USER);
    this.exemptions = config.AUTH_RATELIMIT_EXEMPTION.split(',').map((c) => c.trim()).filter((c) => c !== '').map((c) => {
      const cidr = parseCidr(c);
      if (!cidr) throw new Error(`AUTH_RATELIMIT_EXEMPTION: bad network ${c}`);
      return cidr;
    });
  }

  authenticate(headers: Headers, now: Micros): AuthAnswer {
    try {
      return { status: 200, headers: this.decide(headers, now) };
    } catch (error) {
      if (error instanceof HttpAbort) return { status: error.status, reason: error.reason };
      throw error;
    }
  }

  private decide(headers: Headers, now: Micros): [string, string][] {
    const clientIp = required(headers, 'Client-Ip');
    const authPort = required(headers, 'Auth-Port');
    const isPort25 = authPort === '25';
    if (isPort25 && required(headers, 'Auth-Method') !== 'none') {
      this.rateLimitIp(clientIp, null, now);
      return [['Auth-Status', AUTH_NOT_SUPPORTED.status], ['Auth-Error-Code', AUTH_NOT_SUPPORTED.code]];
    }
    const isFromWebmail = RATELIMIT_BYPASS_PORTS.includes(authPort);
    const appToken = isAppToken(headerValue(headers, 'Auth-Pass') ?? '');
    if (!isFromWebmail && !isPort25 && !appToken && this.shouldRateLimitIp(clientIp, now)) {
      return this.rateLimited(headers);
    }
    // views/auth.py: the password the user limiter de-duplicates on. From 2024.06.9 it is read from
    // handle_authentication's answer (`headers` rebound), which never has Auth-Pass: always ''.
    const rawPassword = this.credentialsUrlEncoded ? '' : unquoteUtf8(headerValue(headers, 'Auth-Pass') ?? '');
    const result = this.handleAuthentication(headers);
    // views/auth.py copies the answer into a flask.Response, whose Headers refuse CR or LF in a value
    // (Werkzeug 2.2.3 _validate_value, 3.0.3 _str_header_value: ValueError); Flask answers the
    // exception with 500, before the limiter below is touched. A decoded %0D or %0A in a login gets here.
    const broken = result.find(([, value]) => /[\r\n]/.test(value));
    if (broken !== undefined) throw new HttpAbort(500, `newline in the ${broken[0]} header value`);
    const username = resultValue(result, 'Auth-User') ?? null;
    let isValidUser = false;
    if (resultValue(result, 'Auth-User-Exists') === 'True' && username !== null) {
      if (!isFromWebmail && !appToken && this.shouldRateLimitUser(username, clientIp, now)) {
        return this.rateLimited(headers);
      }
      isValidUser = true;
    }
    if (resultValue(result, 'Auth-Status') === 'OK') {
      // "successful email delivery isn't enough to warrant an exemption"
      if (!isPort25) this.storage.incr(`exempt-${clientIp}`, this.config.AUTH_RATELIMIT_EXEMPTION_LENGTH, now);
    } else if (isValidUser && username !== null) {
      this.rateLimitUser(username, clientIp, rawPassword ?? '', now);
    } else if (!isFromWebmail) {
      this.rateLimitIp(clientIp, username, now);
    }
    return result;
  }

  /** nginx.py handle_authentication */
  private handleAuthentication(headers: Headers): [string, string][] {
    const method = required(headers, 'Auth-Method').toLowerCase();
    const protocol = required(headers, 'Auth-Protocol').toLowerCase();
    if ((method === '' || method === 'none') && (protocol === 'smtp' || protocol === 'lmtp')) {
      const backend = this.backend(protocol, false);
      if (this.config.INBOUND_TLS_ENFORCE && headerValue(headers, 'Auth-SSL') !== 'on') {
        return [...this.statusHeaders(protocol, 'encryption'), ['Auth-Wait', '0']];
      }
      return [['Auth-Status', 'OK'], ['Auth-Server', backend.server], ['Auth-Port', String(backend.port)]];
    }
    if (method !== 'plain' && method !== 'login') throw new HttpAbort(500, `SHOULD NOT HAPPEN ${protocol} ${method}`);
    // Before 2024.06.9 both headers are read outside the try (a missing one is a 400); from 2024.06.9
    // inside it, so a missing one is caught as an undecodable one is.
    const read = (name: string) => (this.credentialsUrlEncoded ? headerValue(headers, name) : required(headers, name));
    const rawUser = read('Auth-User');
    const rawPass = read('Auth-Pass');
    let isValidUser = false;
    const decodedUser = rawUser === undefined ? null : this.decodeCredential(rawUser);
    const decodedPass = rawPass === undefined ? null : this.decodeCredential(rawPass);
    // the user is decoded first: when only the password fails, user_email already holds the user
    const userEmail = decodedUser ?? 'invalid';
    if (decodedUser !== null && decodedPass !== null) {
      const account = userEmail.includes('@') ? accountOf(this.config, userEmail) : null;
      isValidUser = account !== null;
      // check_credentials(..., headers["Auth-Port"], headers['Client-Port'], user_email): a missing Client-Port is a 400
      required(headers, 'Client-Port');
      if (this.checkCredentials(account, decodedPass, protocol)) {
        const backend = this.backend(required(headers, 'Auth-Protocol'), true);
        return [['Auth-Status', 'OK'], ['Auth-Server', backend.server], ['Auth-User', userEmail], ['Auth-User-Exists', isValidUser ? 'True' : 'False'], ['Auth-Port', String(backend.port)]];
      }
    }
    return [...this.statusHeaders(protocol, 'authentication'), ['Auth-User', userEmail], ['Auth-User-Exists', isValidUser ? 'True' : 'False'], ['Auth-Wait', '0']];
  }

  /** nginx.py check_credentials, for password logins (app tokens and webmail tokens are not modelled). */
  private checkCredentials(account: AuthAccount | null, password: string, protocol: string): boolean {
    if (!account || account.enabled === false) return false;
    if (account.password !== password) return false;
    return !(this.config.AUTH_REQUIRE_TOKENS && protocol !== 'web' && protocol !== 'sso');
  }

  private backend(protocol: string, authenticated: boolean): { server: string; port: number } {
    const backend = backendFor(protocol, authenticated, this.config);
    if (!backend) throw new HttpAbort(500, `no backend for protocol ${protocol}`);
    return backend;
  }

  /**
   * views/auth.py's answer to a rate-limited login: the ratelimit status; before 2024.06.0 also
   * `if int(flask.request.headers['Auth-Login-Attempt']) < 10: response.headers['Auth-Wait'] = '3'`
   * (a missing header is Werkzeug's BadRequestKeyError, 400; a value int() refuses a ValueError, 500).
   */
  private rateLimited(headers: Headers): [string, string][] {
    const status = this.statusHeaders(required(headers, 'Auth-Protocol'), 'ratelimit');
    if (!this.rateLimitedWaits) return status;
    const attempt = pythonInt(required(headers, 'Auth-Login-Attempt'));
    if (attempt === null) throw new HttpAbort(500, 'Auth-Login-Attempt is not an integer');
    return attempt < 10 ? [...status, ['Auth-Wait', '3']] : status;
  }

  private statusHeaders(protocol: string, name: StatusName): [string, string][] {
    const found = lookupStatus(protocol, name);
    if (!found) throw new HttpAbort(500, `no ${name} status for protocol ${protocol}`);
    return [['Auth-Status', found.status], ['Auth-Error-Code', found.code]];
  }

  /** The last address parsed: one request asks about the same client IP up to three times. */
  private lastParsedIp: { readonly text: string; readonly address: IpAddress | null } | null = null;

  private parsedIp(ip: string): IpAddress | null {
    if (this.lastParsedIp?.text !== ip) this.lastParsedIp = { text: ip, address: parseIp(ip) };
    return this.lastParsedIp.address;
  }

  private network(ip: string): string {
    const address = this.parsedIp(ip);
    if (!address) throw new HttpAbort(500, `bad client IP ${ip}`);
    return clientNetwork(address, this.config.AUTH_RATELIMIT_IP_V4_MASK, this.config.AUTH_RATELIMIT_IP_V6_MASK);
  }

  /** limiter.is_subject_to_rate_limits */
  private isSubjectToRateLimits(ip: string, now: Micros): boolean {
    const address = this.parsedIp(ip);
    if (!address) throw new HttpAbort(500, `bad client IP ${ip}`);
    if (this.exemptions.some((cidr) => cidrContains(cidr, address))) return false;
    return !(this.storage.get(`exempt-${ip}`, now) > 0);
  }

  private shouldRateLimitIp(ip: string, now: Micros): boolean {
    const limited = this.isSubjectToRateLimits(ip, now) && !this.storage.test(this.ipLimit, `auth-ip/${this.network(ip)}`, now);
    if (limited) this.logs.push(`Authentication attempt from ${ip} has been rate-limited.`);
    return limited;
  }

  private rateLimitIp(ip: string, username: string | null, now: Micros): void {
    const network = this.network(ip);
    if (!this.isSubjectToRateLimits(ip, now)) return;
    const dedupKey = `dedup-${network}-${username ?? 'None'}`;
    // `if username and ...`: an empty user name is false in Python, so it is counted every time
    if (username && this.storage.get(dedupKey, now) > 0) return;
    this.storage.incr(dedupKey, this.ipLimit.granularitySeconds, now);
    this.storage.hit(this.ipLimit, `auth-ip/${network}`, now);
  }

  private shouldRateLimitUser(username: string, ip: string, now: Micros): boolean {
    const limited = this.isSubjectToRateLimits(ip, now) && !this.storage.test(this.userLimit, `auth-user/${username}`, now);
    if (limited) this.logs.push(`Authentication attempt from ${ip} for ${username} has been rate-limited.`);
    return limited;
  }

  private rateLimitUser(username: string, ip: string, password: string, now: Micros): void {
    if (!this.isSubjectToRateLimits(ip, now)) return;
    // Mailu keys the de-duplication by an HMAC of the password; the password itself is an equivalent key here.
    const dedupKey = `dedup2-${username}-${password}`;
    if (password !== '' && this.storage.get(dedupKey, now) > 0) return;
    this.storage.incr(dedupKey, this.userLimit.granularitySeconds, now);
    this.storage.hit(this.userLimit, `auth-user/${username}`, now);
    this.rateLimitIp(ip, username, now);
  }
}
