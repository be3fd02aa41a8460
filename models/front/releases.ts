/* front/releases - the Dovecot and nginx releases the front models imitate, and what each release changed
 *
 * Dovecot (dovecot/core tags): 2.3.17 is the first release whose submission proxy sends XCLIENT
 * with HELO, PROTO and LOGIN (proxy_send_xclient_more(), src/submission-login/submission-proxy.c);
 * before it the proxy sent only ADDR PORT SESSION TTL FORWARD, so Mailu's proxy_noauth login could
 * not name the user, and the lab does not model those releases.
 * nginx (nginx/nginx tags release-1.22.0 .. release-1.29.8): the mail proxy's SMTP side.
 * Each gate names the first release with the behaviour and where it is read; docs/versions.md
 * lists them with their tests (test/models/front/releases.test.ts).
 */
import type { ProxyFailureType } from './submission-proxy.ts';
import { LOGIN_MAX_INBUF_SIZE } from './dovecot-read-error.ts';

type Release = readonly number[];

/** Every tag of the range, oldest first (dovecot/core `git tag`, nginx/nginx `git tag`). */
export const DOVECOT_RELEASES: readonly string[] = [
  '2.3.17', '2.3.17.1', '2.3.18', '2.3.19', '2.3.19.1', '2.3.20', '2.3.21', '2.3.21.1',
  '2.4.0', '2.4.1', '2.4.2', '2.4.3', '2.4.4',
];

export const NGINX_RELEASES: readonly string[] = [
  '1.22.0', '1.22.1', '1.23.0', '1.23.1', '1.23.2', '1.23.3', '1.23.4', '1.24.0',
  '1.25.0', '1.25.1', '1.25.2', '1.25.3', '1.25.4', '1.25.5', '1.26.0', '1.26.1', '1.26.2', '1.26.3',
  '1.27.0', '1.27.1', '1.27.2', '1.27.3', '1.27.4', '1.27.5', '1.28.0', '1.28.1', '1.28.2', '1.28.3',
  '1.29.0', '1.29.1', '1.29.2', '1.29.3', '1.29.4', '1.29.5', '1.29.6', '1.29.7', '1.29.8',
];

function parse(version: string): Release {
  return version.split('.').map(Number);
}

function atLeast(version: string, first: string): boolean {
  const a = parse(version);
  const b = parse(first);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff > 0;
  }
  return true;
}

export interface FrontGate {
  readonly behaviour: string;
  readonly since: string;
  readonly source: string;
}

export const DOVECOT_GATES = {
  reconnect_logged_as_warning: {
    behaviour: 'a backend failure that is retried logs "... - reconnecting (attempt #N)" as a Warning; before, as a Debug line (shown only with debug logging)',
    since: '2.4.1',
    source: 'src/login-common/login-proxy.c login_proxy_failed(): e_debug at 2.4.0, e_warning with event proxy_session_reconnecting at 2.4.1',
  },
  xclient_failure_not_retried: {
    behaviour: 'an XCLIENT refusal is REMOTE_CONFIG, never retried: one backend connection, then 454; before, REMOTE: retried up to login_proxy_max_reconnects',
    since: '2.4.3',
    source: 'commit e4fd6e2fbb "submission-login: proxy - Don\'t try to reconnect and retry XCLIENT command failures" (first tag 2.4.3), submission_proxy_parse_line()',
  },
  login_command_parameters_limit: {
    behaviour: "submission-login sets lib-smtp's max_parameters_size to LOGIN_MAX_INBUF_SIZE (1026 bytes), its input buffer's size, so parameters that fill the buffer are already too long: a command with 1026 bytes of parameters or more is \"500 5.5.2 Line too long\"; before, lib-smtp's default of 4096 bytes, more than 4096 refused",
    since: '2.3.18',
    source: 'commit 73b1ed4e82 "submission-login: client - Explicitly set SMTP server command and auth line limits." (first tag 2.3.18), src/submission-login/client.c submission_client_create(); LOGIN_MAX_INBUF_SIZE in src/login-common/client-common.h (MASTER_AUTH_MAX_DATA_SIZE 1218 - 128 - 64); SMTP_COMMAND_DEFAULT_MAX_PARAMETERS_SIZE 4*1024 in src/lib-smtp/smtp-command.h; src/lib-smtp/smtp-command-parser.c smtp_command_parse_parameters()',
  },
  xclient_destination: {
    behaviour: 'XCLIENT also carries DESTPORT and DESTADDR (the address the client connected to) after ADDR, when the backend offers them (Postfix does)',
    since: '2.4.3',
    source: 'src/submission-login/submission-proxy.c proxy_send_xclient(): DESTPORT, DESTADDR at 2.4.3, absent at 2.4.2',
  },
  auth_failure_delay_zero_immediate: {
    behaviour: 'auth_failure_delay = 0 answers a failed login at once; before, the failure still waits in the queue for the auth process\'s next 500 ms check',
    since: '2.4.1',
    source: 'commit dd82343819 "auth: Avoid auth failure delays entirely with auth_failure_delay=0" (first tag 2.4.1), src/auth/auth-request-handler.c auth_request_want_failure_delay(); 2.4.0 queues every failure without nodelay (auth_request_handler_reply())',
  },
  login_checks_response_base64: {
    behaviour: "the login process refuses an AUTH continuation line holding a byte that is neither in the base64 alphabet nor '=' (a blank too): \"535 5.7.8 Invalid base64 in response\" at once, the auth request cancelled; before, the line goes to the auth process, whose decoder skips blanks (\"501 5.5.2 Invalid base64 data in continued response\" for the rest). The initial response is not checked",
    since: '2.4.4',
    source: 'commit c1c53885bd "login-common: Only accept base64 in sasl" (CVE-2026-33603, first tag 2.4.4), src/login-common/client-common-auth.c client_auth_respond(); sasl_server_auth_begin() passes the initial response on unchecked',
  },
} as const satisfies Readonly<Record<string, FrontGate>>;

export const NGINX_GATES = {
  xclient_login_xtext: {
    behaviour: 'XCLIENT LOGIN= is xtext-encoded (+XX for bytes outside 33..126, "+" and "="); before, the login is sent raw',
    since: '1.29.2',
    source: 'commit 6f81314a0 "Mail: xtext encoding (RFC 3461) in XCLIENT LOGIN" (first tag release-1.29.2), src/mail/ngx_mail_proxy_module.c ngx_mail_proxy_smtp_handler(), NGX_ESCAPE_MAIL_XTEXT in src/core/ngx_string.c',
  },
  proxy_reads_blocked_client_event: {
    behaviour: "when the upstream handshake ends, the relay reads a client event that came while nginx blocked the client's reads (a FIN or reset with nothing buffered): it closes both at once; before, only buffered client input made it read, so a lone FIN or reset was lost and the session waited for the upstream to end (smtpd_timeout)",
    since: '1.23.4',
    source: 'commit 2ca4355bf "Mail: fixed handling of blocked client read events in proxy" (first tag release-1.23.4), src/mail/ngx_mail_proxy_module.c ngx_mail_proxy_smtp_handler(): ngx_post_event(c->write) also when s->connection->read->ready',
  },
  smtp_auth_none_clears_credentials: {
    behaviour: 'with smtp_auth none, MAIL FROM clears the login and password an earlier AUTH attempt left; before, a name from a failed AUTH stays and goes to auth_http (Auth-User with Auth-Method: none) and to Postfix as XCLIENT LOGIN=',
    since: '1.29.1',
    source: 'commit 9c02c84a7 "Mail: reset stale auth credentials with smtp_auth none;" (first tag release-1.29.1), src/mail/ngx_mail_smtp_handler.c ngx_mail_smtp_mail(); ngx_mail_smtp_rcpt() clears nothing at release-1.22.0 and release-1.29.8; ngx_mail_proxy_smtp_handler() sends LOGIN= whenever s->login.len (and not proxy_smtp_auth)',
  },
  log_upstream_without_login: {
    behaviour: 'an error-log line of a proxied session ends with ", upstream: <Auth-Server>:<Auth-Port>" whether or not a login is printed; before, only after a login, so a session without one (smtp_auth none after MAIL FROM) never named its upstream',
    since: '1.29.1',
    source: 'commit 239e10793 "Mail: logging upstream to the error log with "smtp_auth none;"." (first tag release-1.29.1), src/mail/ngx_mail_handler.c ngx_mail_log_error()',
  },
} as const satisfies Readonly<Record<string, FrontGate>>;

/**
 * The release a front kind imitates unless front.version says otherwise: dovecot-2.3 is the
 * recorded real stack's 2.3.19.1 (conformance/records; the 2.3 releases differ by the gates above and cmd_auth()'s assertion line),
 * dovecot-2.4 the first release that stops retrying XCLIENT failures (what that kind has always
 * modelled), nginx Mailu 2024.06's line.
 */
export const DEFAULT_FRONT_RELEASE = { 'dovecot-2.3': '2.3.19.1', 'dovecot-2.4': '2.4.3', nginx: '1.26.3' } as const;

/** lib-smtp/smtp-command.h */
const SMTP_COMMAND_DEFAULT_MAX_PARAMETERS_SIZE = 4 * 1024;

export type DovecotGateName = keyof typeof DOVECOT_GATES;
export type NginxGateName = keyof typeof NGINX_GATES;

/**
 * A distribution's build of an upstream release, which front.version names as the package's version ends
 * ("2.3.19.1+deb12u7" of Debian's 1:2.3.19.1+dfsg1-2.1+deb12u7): it is its upstream release but for the gates
 * its patches bring before their upstream release, and for cmd_auth()'s assertion line where the patches moved it.
 */
export interface DovecotBuild {
  readonly upstream: string;
  readonly backports: readonly DovecotGateName[];
  /** The Panic's assertion (authPendingAssertion()) as the build prints it, when its patches moved the line. */
  readonly authPendingAssertion: string | null;
  readonly source: string;
}

export const DOVECOT_BUILDS: Readonly<Record<string, DovecotBuild>> = {
  '2.3.19.1+deb12u7': {
    upstream: '2.3.19.1',
    backports: ['login_checks_response_base64'],
    // Measured: the installed build's Panic after a second AUTH (client-authenticate.c has 325 upstream).
    authPendingAssertion: 'line 343 (cmd_auth): assertion failed: (subm_client->pending_auth == NULL)',
    source:
      "Debian 12's dovecot-core 1:2.3.19.1+dfsg1-2.1+deb12u7 (bookworm-security; changelog.Debian: deb12u6 '[898776c] CVE-2026-33603: " +
      "login: Base64 input can contain tabs that bypass IPC protection', upstream c1c53885bd), run on this path: a continued response " +
      "'!!notbase64', one with a blank or a tab, and the LOGIN password '!x' get '535 5.7.8 Invalid base64 in response' at once, and the " +
      "login logs 'Authenticate PLAIN failed: Invalid base64 in response' (auth_verbose) and cancels the request; 'AUTH PLAIN !!notbase64' and " +
      "'AGFsaWNl=AHdyb25n' ('=' passes the check) still reach the auth process (501 5.5.2); everything else as 2.3.19.1",
  },
};

/** The releases front.version takes for Dovecot: the tags, each distribution build after its upstream release. */
export const DOVECOT_FRONT_RELEASES: readonly string[] = DOVECOT_RELEASES.flatMap((tag) => [tag, ...Object.keys(DOVECOT_BUILDS).filter((build) => DOVECOT_BUILDS[build]!.upstream === tag)]);

export function dovecotHas(version: string, gate: DovecotGateName): boolean {
  const build = DOVECOT_BUILDS[version];
  if (build !== undefined) return build.backports.includes(gate) || atLeast(build.upstream, DOVECOT_GATES[gate].since);
  return atLeast(version, DOVECOT_GATES[gate].since);
}

export function nginxHas(version: string, gate: NginxGateName): boolean {
  return atLeast(version, NGINX_GATES[gate].since);
}

/** What a Dovecot release changes in the login proxy. */
export interface DovecotReleaseBehaviour {
  readonly xclientFailureType: Extract<ProxyFailureType, 'REMOTE' | 'REMOTE_CONFIG'>;
  readonly reconnectLogLevel: 'Debug' | 'Warning';
  readonly sendsXclientDestination: boolean;
  /** The most bytes of command parameters a line may have (commandParametersLimit()); more are "500 5.5.2 Line too long". */
  readonly commandParametersLimit: number;
  /** The assertion cmd_auth() fails when an AUTH request is still pending (authPendingAssertion()). */
  readonly authPendingAssertion: string;
  /** The login process refuses a continued AUTH response that is not base64 itself (login_checks_response_base64). */
  readonly checksResponseBase64: boolean;
}

/**
 * The first assertion of submission-login's cmd_auth() (src/submission-login/client-authenticate.c) that an
 * AUTH fails while an earlier one is still pending, as the Panic line gives it, by the first release with that
 * text (the function moved down the file; 2.4.3 renamed pending_auth to auth_cmd, commit c317b4d0f4, and asserts
 * first that the login is not authenticating, which it still is: the SASL request goes on). Read at each tag.
 */
const AUTH_PENDING_ASSERTIONS: readonly (readonly [since: string, assertion: string])[] = [
  ['2.3.17', 'line 273 (cmd_auth): assertion failed: (subm_client->pending_auth == NULL)'],
  ['2.3.18', 'line 310 (cmd_auth): assertion failed: (subm_client->pending_auth == NULL)'],
  ['2.3.19', 'line 325 (cmd_auth): assertion failed: (subm_client->pending_auth == NULL)'],
  ['2.4.0', 'line 336 (cmd_auth): assertion failed: (subm_client->pending_auth == NULL)'],
  ['2.4.2', 'line 338 (cmd_auth): assertion failed: (subm_client->pending_auth == NULL)'],
  ['2.4.3', 'line 361 (cmd_auth): assertion failed: (!client->authenticating)'],
];

function authPendingAssertion(version: string): string {
  const build = DOVECOT_BUILDS[version];
  return `file client-authenticate.c: ${build?.authPendingAssertion ?? upstreamAuthPendingAssertion(build?.upstream ?? version)}`;
}

function upstreamAuthPendingAssertion(release: string): string {
  let text = AUTH_PENDING_ASSERTIONS[0]![1];
  for (const [since, assertion] of AUTH_PENDING_ASSERTIONS) if (atLeast(release, since)) text = assertion;
  return text;
}

/**
 * The parameters a command may have under lib-smtp's max_parameters_size. smtp_command_parse_parameters()
 * moves the parameters into its line buffer whenever they fill the login's input buffer
 * (LOGIN_MAX_INBUF_SIZE, i_stream_create_fd() in client-common.c client_create()), and refuses the line at
 * its next call once that buffer holds max_parameters_size: when the limit is a whole number of input
 * buffers, parameters that reach it are refused before the CR LF after them is read (2.3.18 on: 1025 bytes
 * fit, 1026 do not, measured on Debian's 2.3.19.1; 2.3.17's 4096 is not, so 4096 fit).
 */
function commandParametersLimit(maxParametersSize: number): number {
  return maxParametersSize % LOGIN_MAX_INBUF_SIZE === 0 ? maxParametersSize - 1 : maxParametersSize;
}

/** Each release's behaviour, worked out once: every session asks, and the releases a process meets are few. */
const behaviourByRelease = new Map<string, DovecotReleaseBehaviour>();

export function dovecotBehaviour(version: string): DovecotReleaseBehaviour {
  let behaviour = behaviourByRelease.get(version);
  if (behaviour === undefined) {
    behaviour = {
      xclientFailureType: dovecotHas(version, 'xclient_failure_not_retried') ? 'REMOTE_CONFIG' : 'REMOTE',
      reconnectLogLevel: dovecotHas(version, 'reconnect_logged_as_warning') ? 'Warning' : 'Debug',
      sendsXclientDestination: dovecotHas(version, 'xclient_destination'),
      commandParametersLimit: commandParametersLimit(dovecotHas(version, 'login_command_parameters_limit') ? LOGIN_MAX_INBUF_SIZE : SMTP_COMMAND_DEFAULT_MAX_PARAMETERS_SIZE),
      authPendingAssertion: authPendingAssertion(version),
      checksResponseBase64: dovecotHas(version, 'login_checks_response_base64'),
    };
    behaviourByRelease.set(version, behaviour);
  }
  return behaviour;
}

/** The releases in words: "2.3.17-2.3.21.1, 2.4.0-2.4.4". */
/** "2.3" of "2.3.19.1", "2024.06" of "2024.06.9": the release line a release belongs to. */
export function releaseLineOf(release: string): string {
  return release.split('.').slice(0, 2).join('.');
}

export function releasesText(releases: readonly string[]): string {
  const lines = new Map<string, string[]>();
  for (const release of releases) {
    const line = releaseLineOf(release);
    lines.set(line, [...(lines.get(line) ?? []), release]);
  }
  return [...lines.values()].map((line) => (line.length === 1 ? line[0] : `${line[0]}-${line.at(-1)}`)).join(', ');
}
