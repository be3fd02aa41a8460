/* front/dovecot-session - one client of Dovecot's submission-login: SMTP greeting and AUTH, the passdb lookup, the backend proxy, the relay
 *
 * Sources (dovecot/core 2.3.21, identical for this path to the recorded 2.3.19.1):
 *  - client side: src/submission-login/client.c, client-authenticate.c (EHLO list, auth replies),
 *    src/lib-smtp/smtp-server-cmd-*.c (replies to other commands), src/login-common/sasl-server.c;
 *  - auth failures reach the client after the auth process's auth_failure_delay
 *    (./auth-failure-queue.ts); Mailu disables auth_penalty (anvil-auth-penalty mode = 0);
 *  - backend: ./dovecot-login-proxy.ts (attempts, handshake, failures and reconnects), from the
 *    passdb's OK until "Started proxying" or the 454; then the relay here (login_proxy_detach).
 * Processing times are timers (config.timings); while one runs, input waits in the buffers.
 */
import type { ConnId, Micros, Output, SocketAddress } from '../contract.ts';
import { asciiBytes, bytesToLatin1 } from '../contract.ts';
import { parseIp } from '../auth/ip-network.ts';
import { dovecotWallClock, type DovecotFrontConfig } from './config.ts';
import { cString, dovecotAuthUsername } from './dovecot-auth-username.ts';
import { validHeloDomain } from './lib-smtp-helo.ts';
import { decodeSaslBase64, encodeSaslBase64 } from './kit/sasl.ts';
import { SessionTimerKinds } from './kit/session-timers.ts';
import { parseLibSmtpCommand, smtpStringError } from './lib-smtp-command.ts';
import { LineBuffer } from './line-buffer.ts';
import { PassdbLookup, type PassdbHost, type PassdbResult } from './passdb-lookup.ts';
import { LoginProxy, type LoginProxyOwner } from './dovecot-login-proxy.ts';
import { PHASES, transition, type Phase } from './dovecot-phases.ts';
import { dovecotBehaviour } from './releases.ts';
import { sanitize, type SequencingPolicy } from './submission-proxy.ts';
import { isoStamp, wallSeconds } from './wall-clock.ts';
import { closedAfterReadFailed, LOGIN_MAX_INBUF_SIZE, MAX_PROXY_INPUT_SIZE, readFailed, strerror, type InputEnd } from './dovecot-read-error.ts';

/** Every timer a session sets; the front routes "<client conn>/<timer>" back to its session. */
export const SESSION_TIMERS = new SessionTimerKinds([
  'greeting', 'command', 'passdb', 'passdbTimeout', 'backendProcess', 'ehloGap',
  'reconnect', 'proxyTimeout', 'failureReply', 'detach', 'relayToServer', 'relayToClient', 'loginTimeout',
] as const);
export type SessionTimer = typeof SESSION_TIMERS extends SessionTimerKinds<infer K> ? K : never;

export interface SessionHost {
  readonly config: DovecotFrontConfig;
  readonly policy: SequencingPolicy;
  emit(output: Output): void;
  setTimer(session: DovecotSession, timer: SessionTimer, at: Micros | null): void;
  newConnId(purpose: string): ConnId;
  bind(conn: ConnId, session: DovecotSession): void;
  sessionClosed(session: DovecotSession): void;
  /** Hand a failed auth request to the auth process's delayed-failure queue (./auth-failure-queue.ts). */
  queueAuthFailure(now: Micros, deliver: (now: Micros) => void): void;
}

/** login-common's reply texts (login-common.h, login-proxy.h). */
const AUTH_FAILED_MSG = 'Authentication failed.';
const AUTH_TEMP_FAILED_MSG = 'Temporary authentication failure.';
const LOGIN_PROXY_FAILURE_MSG = 'Account is temporarily unavailable.';
/** AUTH responses are bounded by LOGIN_MAX_AUTH_BUF_SIZE 8192 (a command's parameters by less: releases.ts login_command_parameters_limit). */
// + 1: the line buffer counts the CR before LF, which lib-smtp's parser does not (smtp_command_parse_parameters():
// 8192 characters of response fit). A bare-LF line gets that byte too (not modelled).
const MAX_CLIENT_LINE = 8192 + 1;
/** src/submission-login/client.c */
const CLIENT_MAX_BAD_COMMANDS = 10;
/** A byte outside lib-smtp's textstr (HT, SP, printable US-ASCII: smtp_char_is_textstr()); lines are latin1, one char per byte. */
const NOT_TEXTSTR = /[^\t\x20-\x7e]/;
/** A byte client_auth_respond() refuses where it checks (login_checks_response_base64): not base64_is_valid_char(), not '='. */
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;
/**
 * What the master logs when a login process dies on abort() (src/master/service-process.c
 * service_process_get_status_error(), log_coredump(); the same text 2.3.17-2.4.4). The log process files it
 * under the child's prefix with "master: " before it, at Fatal (src/log/log-connection.c client_log_fatal()),
 * so it is a submission-login line. The lab leaves out the child's pid, as it leaves out every pid (Postfix's
 * [pid], nginx's pid#tid). "core dumps disabled": the master started with a core limit of 0
 * (src/master/main.c), as systemd starts Debian's dovecot.service (LimitCORE commented out) and as it ran here.
 */
const MASTER_CHILD_KILLED = 'Fatal: master: service(submission-login): child killed with signal 6 (core dumps disabled - https://dovecot.org/bugreport.html#coredumps)';
/** lib-smtp's answer to parameters a command does not take (smtp_server_cmd_rset(), _quit(), _vrfy(), _auth()). */
const INVALID_PARAMETERS = '501 5.5.4 Invalid parameters\r\n';
/** login-common.h MAX_MECH_NAME: the mechanism name's length in log lines (str_sanitize()). */
const MAX_MECH_NAME = 64;
/** The names of the mechanisms the model runs, as auth_mechanisms spells them. */
const SASL_MECHANISMS = { plain: 'PLAIN', login: 'LOGIN' } as const;
/**
 * client_get_extra_disconnect_reason()'s reasons for client->last_auth_fail, the code of the last
 * auth reply (sasl_callback() clears it at every reply: a challenge, a failure, an abort).
 */
const LAST_AUTH_FAIL_REASONS = {
  'mech-invalid': '(tried to use unsupported auth mechanism)',
  'invalid-base64': '(sent invalid base64 in response)',
  tempfail: '(auth service reported temporary failure)',
} as const;
type AuthFailCode = keyof typeof LAST_AUTH_FAIL_REASONS;
/** login-common LOGIN_PROXY_TTL: XCLIENT TTL= carries proxy_ttl - 1. */
const LOGIN_PROXY_TTL = 5;
/**
 * client-common.h CLIENT_LOGIN_TIMEOUT_MSECS = MASTER_LOGIN_TIMEOUT_SECS*1000 (3 minutes): a
 * client that has not logged in by then is disconnected (client_init: to_disconnect). The
 * timer goes at "Started proxying" (client_destroy_success removes to_disconnect).
 */
const CLIENT_LOGIN_TIMEOUT_US = 180_000_000;


/** What one client line produced: corked reply text, an immediate 334 challenge, or the end of the session. */
interface CommandResult {
  readonly reply?: string;
  readonly immediate?: string;
  readonly quit?: boolean;
  /** The login process dies on an assertion (client-authenticate.c cmd_auth()); no reply leaves. */
  readonly panic?: string;
}

interface SaslExchange {
  readonly mechanism: 'PLAIN' | 'LOGIN';
  username: string | null;
}

interface Credentials {
  readonly mechanism: 'PLAIN' | 'LOGIN';
  readonly user: string;
  readonly password: string;
}

/**
 * What submission-login takes the backend to offer (client.c client_parse_backend_capabilities(), 2.3.19.1 and
 * 2.4.4): the names lib-smtp knows (smtp_capability_find_by_name(), any case; another is warned about and
 * skipped), and CHUNKING whenever BINARYMIME is there. Measured on Debian's 2.3.19.1: BINARYMIME alone
 * advertises BINARYMIME and CHUNKING.
 */
function backendCapabilities(config: DovecotFrontConfig): ReadonlySet<string> {
  const backend = new Set(config.submission_backend_capabilities.map((c) => c.toUpperCase()));
  if (backend.has('BINARYMIME')) backend.add('CHUNKING');
  return backend;
}

/**
 * client-authenticate.c cmd_helo_reply(), no TLS offered: with submission_client_workarounds = exotic-backend,
 * BURL, CHUNKING, ENHANCEDSTATUSCODES, a bare SIZE and PIPELINING only when the backend is said to offer them
 * (measured on Debian's 2.3.19.1: "250-8BITMIME", "250 AUTH PLAIN" and nothing else for 8BITMIME alone).
 */
function ehloReplyOf(config: DovecotFrontConfig): string {
  const backend = backendCapabilities(config);
  const assumed = (capability: string) => !config.submission_client_workarounds.includes('exotic-backend') || backend.has(capability);
  const lines = [config.hostname];
  if (backend.has('8BITMIME')) lines.push('8BITMIME');
  lines.push(`AUTH ${config.auth_mechanisms.map((m) => m.toUpperCase()).join(' ')}`);
  // cmd_helo_reply() wants BINARYMIME and CHUNKING; backendCapabilities() never has the one without the other.
  if (backend.has('BINARYMIME')) lines.push('BINARYMIME');
  if (assumed('BURL')) lines.push('BURL imap');
  if (assumed('CHUNKING')) lines.push('CHUNKING');
  if (backend.has('DSN')) lines.push('DSN');
  if (assumed('ENHANCEDSTATUSCODES')) lines.push('ENHANCEDSTATUSCODES');
  if (config.submission_max_mail_size > 0) lines.push(`SIZE ${config.submission_max_mail_size}`);
  else if (assumed('SIZE')) lines.push('SIZE');
  if (assumed('PIPELINING')) lines.push('PIPELINING');
  if (backend.has('VRFY')) lines.push('VRFY');
  return lines.map((text, i) => `250${i === lines.length - 1 ? ' ' : '-'}${text}\r\n`).join('');
}

/** EHLO reply texts by (frozen, shared) config. */
const ehloReplies = new WeakMap<DovecotFrontConfig, string>();

export class DovecotSession {
  private phase: Phase = 'greeting';
  private readonly clientLines = new LineBuffer(MAX_CLIENT_LINE);
  private helo: { domain: string | null; oldSmtp: boolean } | null = null;
  private sasl: SaslExchange | null = null;
  private credentials: Credentials | null = null;
  private authAttempts = 0;
  /** client->auth_mech_name: the last AUTH's mechanism, upper-cased (str_ucase), whether offered or not (%m). */
  private authMechanismName: string | null = null;
  private lastAuthFail: AuthFailCode | null = null;
  /**
   * client->auth_waiting: set by a 334 challenge, cleared only when the login process hands a response to
   * the auth process (client_auth_respond()) or hears from it (sasl-server.c authenticate_callback()). A
   * response lib-smtp refuses, '*' (client_auth_abort()) and, where the login checks it, a response that is
   * not base64 leave it set: the disconnect line then says the client did not finish (measured on Debian's
   * 2.3.19.1 build after '*', after a too-long response and after bad base64).
   */
  private authWaiting = false;
  /**
   * subm_client->pending_auth left set: lib-smtp answered a malformed AUTH response itself, so
   * submission_client_auth_result() never cleared it while the auth request goes on.
   */
  private pendingAuthLeft = false;
  private badCommands = 0;
  private authSuccesses = 0;
  /** sasl-server.c auth_first_started: when the first AUTH began (the disconnect reasons count from it). */
  private authFirstStartedAt: Micros = 0;
  private lookup: PassdbLookup | null = null;
  private lookupResult: PassdbResult | null = null;
  private proxy: LoginProxy | null = null;
  private clientBytesWritten = 0;
  /** Bytes read from the client since it connected: its istream's count, which a read error's text shows (dovecot-read-error.ts). */
  private clientBytesRead = 0;
  private toServer = '';
  private toClient = '';
  private relayEnd: { side: 'server' | 'client'; how: InputEnd } | null = null;
  private lastIo: Micros;
  private readonly timersSet = new Set<SessionTimer>();
  private readonly timerNames = new Map<SessionTimer, string>();

  constructor(
    private readonly host: SessionHost,
    readonly conn: ConnId,
    private readonly local: SocketAddress,
    private readonly remote: SocketAddress,
    private readonly createdAt: Micros,
    private readonly sessionId: string,
  ) {
    this.lastIo = createdAt;
    this.setTimer('greeting', createdAt + host.config.timings.greetingDelayUs);
    this.setTimer('loginTimeout', createdAt + CLIENT_LOGIN_TIMEOUT_US);
  }

  private get config(): DovecotFrontConfig {
    return this.host.config;
  }

  // ---- inputs -------------------------------------------------------------------------------

  clientBytes(now: Micros, bytes: Uint8Array): void {
    if (this.phase === 'closed') return;
    this.lastIo = now;
    this.clientBytesRead += bytes.length;
    if (PHASES[this.phase].relaysBytes) {
      this.toServer += bytesToLatin1(bytes);
      if (this.phase === 'relay') this.scheduleOnce(now, 'relayToServer', this.config.timings.relayDelayUs);
      return;
    }
    this.clientLines.push(bytes);
    this.scheduleCommands(now);
  }

  clientGone(now: Micros, how: InputEnd): void {
    if (this.phase === 'closed') return;
    if (PHASES[this.phase].relaysBytes) {
      this.relayEnd = { side: 'client', how };
      this.scheduleOnce(now, 'relayToServer', this.config.timings.relayDelayUs);
      return;
    }
    // lib-smtp's disconnect reason: io_stream_get_disconnect_reason() of the client's istream
    const reason = how === 'eof' ? 'Connection closed' : closedAfterReadFailed(LOGIN_MAX_INBUF_SIZE, this.clientBytesRead, strerror(how));
    this.logClient('Info', `Disconnected: ${reason} ${this.disconnectDetail(now)}`);
    this.shutdownAll(how === 'eof');
  }

  outgoingConnected(now: Micros, conn: ConnId, local: SocketAddress): void {
    if (this.lookup?.connection === conn) return this.lookup.connected(now);
    this.proxy?.connected(conn, local);
  }

  outgoingFailed(now: Micros, conn: ConnId, reason: 'refused' | 'timeout', local: SocketAddress | undefined): void {
    const errno = reason === 'refused' ? 'Connection refused' : 'Connection timed out';
    if (this.lookup?.connection === conn) return this.lookup.temporaryError(now, errno, true);
    this.proxy?.connectFailed(now, conn, errno, local ?? null);
  }

  outgoingBytes(now: Micros, conn: ConnId, bytes: Uint8Array): void {
    if (this.lookup?.connection === conn) return this.lookup.bytes(now, bytes);
    const proxy = this.proxy;
    if (!proxy || proxy.backendConn !== conn) return;
    this.lastIo = now;
    if (PHASES[this.phase].relaysBytes) {
      proxy.relayed(bytes.length);
      this.toClient += bytesToLatin1(bytes);
      if (this.phase === 'relay') this.scheduleOnce(now, 'relayToClient', this.config.timings.relayDelayUs);
      return;
    }
    proxy.bytes(now, conn, bytes);
  }

  outgoingGone(now: Micros, conn: ConnId, how: InputEnd): void {
    if (this.lookup?.connection === conn) return this.lookup.temporaryError(now, 'Connection lost', how !== 'eof');
    const proxy = this.proxy;
    if (!proxy || proxy.backendConn !== conn) return;
    if (PHASES[this.phase].relaysBytes) {
      this.relayEnd = { side: 'server', how };
      this.scheduleOnce(now, 'relayToClient', this.config.timings.relayDelayUs);
      return;
    }
    proxy.gone(now, conn, how);
  }

  timer(now: Micros, timer: SessionTimer): void {
    this.timersSet.delete(timer);
    switch (timer) {
      case 'greeting': return this.sendGreeting(now);
      case 'command': return this.processClientLines(now);
      case 'passdb': return this.startLookup(now);
      case 'passdbTimeout': return this.lookup?.temporaryError(now, 'Request timed out', false);
      case 'backendProcess': return this.whileProxying()?.processLines(now);
      case 'ehloGap': return this.proxy?.writePendingEhlo();
      case 'reconnect': return this.whileProxying()?.connect(now);
      case 'proxyTimeout': return this.whileProxying()?.timedOut(now);
      case 'failureReply': return this.replyProxyFailure(now);
      case 'detach': return this.detach(now);
      case 'relayToServer': return this.flushToServer(now);
      case 'relayToClient': return this.flushToClient(now);
      case 'loginTimeout': return this.loginTimedOut(now);
    }
  }

  /**
   * client-common.c client_idle_disconnect_timeout(): the reason told to the client (submission
   * client_notify_disconnect: smtp_server_connection_terminate with 421 4.4.2) and the one logged.
   */
  private loginTimedOut(now: Micros): void {
    let told = 'Disconnected for inactivity.';
    if (this.phase === 'auth-lookup' || this.phase === 'auth-continue') {
      told = 'Disconnected for inactivity during authentication.';
      this.logClient('Info', `Disconnected: Inactivity during authentication ${this.disconnectDetail(now)}`);
    } else if (this.proxy) {
      told = 'Timeout while finishing login.';
      this.logProxy(this.proxy.ip, this.proxy.port, 'Error', `Logging in to ${this.proxy.ip}:${this.proxy.port} timed out (state=${this.proxy.state}, duration=${this.wallSecondsBetween(this.createdAt, now)}s)`);
    } else {
      this.logClient('Info', `Disconnected: Inactivity ${this.disconnectDetail(now)}`);
    }
    this.writeClient(`421 4.4.2 ${this.config.hostname} ${told}\r\n`);
    this.shutdownAll(true);
  }

  /**
   * Dropped to make room for a new client (login-common client-common.c client_destroy_oldest(),
   * which the master asks for once every login process is full): only a client still logging in
   * is in the login process's client list; a proxied one has left it. submission-login's
   * client_notify_disconnect() answers RESOURCE_CONSTRAINT with its default case, 4.0.0.
   * Returns false when this session is past login.
   */
  dropForRoom(now: Micros): boolean {
    if (this.phase === 'detaching' || this.phase === 'relay' || this.phase === 'closed') return false;
    this.logClient('Info', `Disconnected: Connection queue full ${this.disconnectDetail(now)}`);
    this.writeClient(`421 4.0.0 ${this.config.hostname} Connection queue full\r\n`);
    this.shutdownAll(true);
    return true;
  }

  // ---- client side: greeting, commands, SASL -----------------------------------------------

  private sendGreeting(now: Micros): void {
    this.enter('command');
    this.writeClient(`220 ${this.config.hostname} ${this.config.login_greeting}\r\n`);
    // Commands sent before the greeting wait in the buffer and are answered after it, in order.
    this.scheduleCommands(now);
  }

  private scheduleCommands(now: Micros): void {
    if (!PHASES[this.phase].readsClientLines) return;
    if (this.clientLines.size === 0) return;
    this.scheduleOnce(now, 'command', this.config.timings.commandReplyDelayUs);
  }

  /** lib-smtp answers pipelined commands in order, corked: one write for the replies of one pass. */
  private processClientLines(now: Micros): void {
    let replies = '';
    for (let guard = 0; guard < 10_000; guard++) {
      if (!PHASES[this.phase].readsClientLines) break;
      const event = this.clientLines.next();
      if (!event) break;
      const result: CommandResult =
        event.kind === 'too-long' ? this.tooLongLine(now, event.head) : this.phase === 'auth-continue' ? this.saslResponse(now, event.line) : this.command(now, event.line);
      if (result.panic !== undefined) {
        // abort(): the replies corked in this pass never leave; the kernel closes the socket, and the master logs
        // the child's death (the auth process logs the client gone with its request pending: not modelled).
        this.host.emit({ kind: 'log', program: 'submission-login', line: `Panic: ${result.panic}`, conn: this.conn });
        this.host.emit({ kind: 'log', program: 'submission-login', line: MASTER_CHILD_KILLED, conn: this.conn });
        this.shutdownAll(true);
        return;
      }
      if (result.immediate) {
        // smtp_server_connection_reply_immediate(): a 334 challenge is written at once.
        if (replies !== '') this.writeClient(replies);
        replies = '';
        this.writeClient(result.immediate);
      }
      replies += result.reply ?? '';
      if (result.reply !== undefined && this.tooManyBadCommands(result.reply)) {
        // lib-smtp smtp_server_command_reply_submit(): more than max_bad_commands in a row -> terminate.
        this.writeClient(`${replies}421 4.7.0 Too many invalid commands.\r\n`);
        this.logClient('Info', `Disconnected: Too many invalid commands. ${this.disconnectDetail(now)}`);
        this.shutdownAll(true);
        return;
      }
      if (result.quit) {
        this.writeClient(replies);
        this.logClient('Info', `Disconnected: Aborted login by logging out ${this.disconnectDetail(now)}`);
        this.shutdownAll(true);
        return;
      }
    }
    if (replies !== '') this.writeClient(replies);
  }

  /** Consecutive 500/501/503 replies; submission-login sets max_bad_commands = CLIENT_MAX_BAD_COMMANDS (10). */
  private tooManyBadCommands(reply: string): boolean {
    // The reply starts "500 ", "501 " or "503 " (char codes: cheaper than a regex per reply).
    const bad = reply.charCodeAt(0) === 0x35 && reply.charCodeAt(1) === 0x30 && reply.charCodeAt(3) === 0x20;
    const last = reply.charCodeAt(2);
    if (bad && (last === 0x30 || last === 0x31 || last === 0x33)) this.badCommands++;
    else this.badCommands = 0;
    return this.badCommands > CLIENT_MAX_BAD_COMMANDS;
  }

  /**
   * A line longer than the buffer: lib-smtp reads it in order, so what it refuses first decides
   * (./lib-smtp-command.ts for a command; for an AUTH response, textstr bytes up to max_auth_size:
   * smtp_command_parse_parameters() with auth_response). Either reply counts as a bad command.
   */
  private tooLongLine(now: Micros, head: string): CommandResult {
    if (this.phase !== 'auth-continue') return this.command(now, head, true);
    return this.refusedAuthResponse(NOT_TEXTSTR.test(head) ? 'Invalid AUTH response syntax' : 'Line too long');
  }

  /** `cut`: `line` is the start of a line the buffer cut (tooLongLine()). */
  private command(now: Micros, line: string, cut = false): CommandResult {
    const parsed = parseLibSmtpCommand(line, dovecotBehaviour(this.config.version).commandParametersLimit, cut);
    // smtp_server_connection_handle_input(): SMTP_COMMAND_PARSE_ERROR_BAD_COMMAND, _LINE_TOO_LONG.
    if (parsed === 'bad-command') return { reply: '500 5.5.2 Invalid command syntax\r\n' };
    if (parsed === 'too-long') return { reply: '500 5.5.2 Line too long\r\n' };
    const verb = parsed.name.toUpperCase();
    const args = parsed.params;
    switch (verb) {
      case 'EHLO':
      case 'HELO':
        if (args === '') return { reply: '501 Missing hostname\r\n' };
        // Any other argument is answered 250; only a valid domain goes on to XCLIENT HELO= (./lib-smtp-helo.ts).
        this.helo = { domain: validHeloDomain(args, verb === 'HELO'), oldSmtp: verb === 'HELO' };
        return { reply: verb === 'HELO' ? `250 ${this.config.hostname}\r\n` : this.ehloReply() };
      case 'AUTH':
        return this.authCommand(now, args);
      // submission-login's cmd_mail() (client-authenticate.c, no implicit EXTERNAL) and, for the commands
      // lib-smtp registers without SMTP_SERVER_CMD_FLAG_PREAUTH, smtp_server_command_new() before the
      // command runs, so before any parameter is looked at (smtp-server-command.c, 2.3.19.1).
      case 'MAIL':
      case 'RCPT':
      case 'DATA':
      case 'BDAT':
      case 'VRFY':
        return { reply: '530 5.7.0 Authentication required.\r\n' };
      // smtp_server_cmd_rset() and smtp_server_cmd_quit() take no parameters; smtp_server_cmd_noop() an optional
      // String (smtp_string_parse()).
      case 'RSET':
        return { reply: args === '' ? '250 2.0.0 OK\r\n' : INVALID_PARAMETERS };
      case 'NOOP':
        return { reply: this.invalidString(args) ?? '250 2.0.0 OK\r\n' };
      // smtp_server_cmd_starttls() (smtp-server-cmd-starttls.c, 2.3.19.1): the model's EHLO offers no STARTTLS
      // (submission-login's client_create() sets SMTP_CAPABILITY_STARTTLS only when TLS is configured), so
      // a plaintext connection is told TLS is not enabled and an implicit-TLS one that it is already active.
      case 'STARTTLS':
        return { reply: this.config.secured === 'TLS' ? '502 5.5.1 TLS is already active.\r\n' : '502 5.5.1 TLS support is not enabled.\r\n' };
      case 'QUIT':
        if (args !== '') return { reply: INVALID_PARAMETERS };
        return { reply: '221 2.0.0 Bye\r\n', quit: true };
      default:
        return { reply: '500 5.5.1 Unknown command\r\n' };
    }
  }

  /** The 501 for a parameter that is no SMTP String, or null when it is one. */
  private invalidString(args: string): string | null {
    const error = smtpStringError(args);
    return error === null ? null : `501 5.5.4 Invalid string parameter: ${error}\r\n`;
  }

  /** client-authenticate.c cmd_helo_reply(); the text depends on the config alone, so it is built once per config. */
  private ehloReply(): string {
    let reply = ehloReplies.get(this.config);
    if (reply === undefined) {
      reply = ehloReplyOf(this.config);
      ehloReplies.set(this.config, reply);
    }
    return reply;
  }

  private authCommand(now: Micros, args: string): CommandResult {
    // lib-smtp smtp_server_cmd_auth() (2.3.19.1): t_strsplit(params, " ") keeps empty words (two
    // spaces are a third parameter) and gives none for empty params.
    const argv = args === '' ? [] : args.split(' ');
    if (argv.length === 0) return { reply: '501 5.5.4 Missing SASL mechanism parameter\r\n' };
    if (argv.length > 2) return { reply: INVALID_PARAMETERS };
    const [mechanismText = '', initialResponse] = argv;
    // cmd_auth() asserts that no AUTH is pending (the release's assertion: releases.ts; Debian's 2.3.19.1 build,
    // whose log the real run gave, has it at line 343): after a refused AUTH response the next AUTH kills the login process.
    if (this.pendingAuthLeft) return { panic: dovecotBehaviour(this.config.version).authPendingAssertion };
    // sasl_server_auth_begin(): the attempt is counted and its mechanism named before the mechanism is looked up.
    if (this.authAttempts === 0) this.authFirstStartedAt = now;
    this.authAttempts++;
    const name = mechanismText.replace(/[a-z]/g, (letter) => letter.toUpperCase());
    this.authMechanismName = name;
    const offered = this.config.auth_mechanisms.find((m) => SASL_MECHANISMS[m] === name);
    if (offered === undefined) {
      // sasl_server_find_available_mech() finds none: sasl_server_auth_failed(AUTH_CLIENT_FAIL_CODE_MECH_INVALID), the 504 at once.
      this.lastAuthFail = 'mech-invalid';
      return { reply: '504 5.5.4 Unsupported authentication mechanism.\r\n' };
    }
    const mechanism = SASL_MECHANISMS[offered];
    this.sasl = { mechanism, username: null };
    if (initialResponse === undefined) {
      this.lastAuthFail = null;
      this.authWaiting = true;
      this.enter('auth-continue');
      return { immediate: mechanism === 'PLAIN' ? '334 \r\n' : `334 ${encodeSaslBase64('Username:')}\r\n` };
    }
    return this.saslResponse(now, initialResponse === '=' ? '' : initialResponse, 'initial');
  }

  private saslResponse(now: Micros, text: string, which: 'initial' | 'continued' = 'continued'): CommandResult {
    const sasl = this.sasl;
    if (!sasl) return {};
    // smtp_command_parse_auth_response(): an AUTH response is textstr bytes only (no UTF-8, unlike
    // command parameters); any other byte is BAD_COMMAND (smtp-command-parser.c, 2.3.19.1).
    if (which === 'continued' && NOT_TEXTSTR.test(text)) return this.refusedAuthResponse('Invalid AUTH response syntax');
    // The blanks that end it are trimmed, as a command's parameters are ("Trim the end of the buffer",
    // smtp_command_parse_parameters(), 2.3.17-2.4.4): "* " aborts, " " is an empty response (measured on Debian's build).
    const line = which === 'continued' ? text.replace(/[ \t]+$/, '') : text;
    if (line === '*') {
      this.sasl = null;
      this.lastAuthFail = null;
      this.enter('command');
      return { reply: '501 5.5.2 Authentication aborted by client.\r\n' };
    }
    if (which === 'continued' && NOT_BASE64.test(line) && dovecotBehaviour(this.config.version).checksResponseBase64) {
      // client_auth_respond() (login_checks_response_base64): client_auth_fail() -> sasl_server_auth_failed() with
      // the reason and no code: the request is cancelled and sasl_callback() answers the reason with 535 at once
      // (CLIENT_AUTH_RESULT_AUTHFAILED_REASON, submission_client_auth_result()); no failure code is left.
      this.sasl = null;
      this.lastAuthFail = null;
      this.enter('command');
      return { reply: '535 5.7.8 Invalid base64 in response\r\n' };
    }
    this.authWaiting = false;
    const decoded = decodeSaslBase64(line);
    if (decoded === null) {
      // auth-request-handler.c: FAIL code=invalid_base64, answered at once.
      this.sasl = null;
      this.lastAuthFail = 'invalid-base64';
      this.enter('command');
      return { reply: `501 5.5.2 Invalid base64 data in ${which} response\r\n` };
    }
    if (sasl.mechanism === 'LOGIN' && sasl.username === null) {
      // mech_login_auth_continue(): an empty user name fails at once, without asking for the password.
      const user = dovecotAuthUsername(decoded);
      if (user === null) return this.failedInAuthProcess(now);
      sasl.username = user;
      this.lastAuthFail = null;
      this.authWaiting = true;
      this.enter('auth-continue');
      return { immediate: `334 ${encodeSaslBase64('Password:')}\r\n` };
    }
    this.sasl = null;
    if (sasl.mechanism === 'LOGIN') {
      this.credentials = { mechanism: 'LOGIN', user: sasl.username ?? '', password: cString(decoded) };
    } else {
      // RFC 4616: [authzid] NUL authcid NUL passwd; an authzid other than authcid needs a master user.
      const parts = decoded.split('\0');
      const user = parts.length === 3 && (parts[0] === '' || parts[0] === parts[1]) ? dovecotAuthUsername(parts[1]!) : null;
      if (user === null) return this.failedInAuthProcess(now);
      this.credentials = { mechanism: 'PLAIN', user, password: parts[2]! };
    }
    this.enter('auth-lookup');
    this.setTimer('passdb', now + this.config.timings.authRequestDelayUs);
    return {};
  }

  /**
   * lib-smtp refused an AUTH response: cmd_auth_input() answers the AUTH command with this 500 itself,
   * ending the exchange, so submission_client_auth_result() never clears subm_client->pending_auth while
   * the auth request goes on (smtp-server-cmd-auth.c, 2.3.19.1).
   */
  private refusedAuthResponse(text: string): CommandResult {
    this.sasl = null;
    this.pendingAuthLeft = true;
    this.enter('command');
    return { reply: `500 5.5.2 ${text}\r\n` };
  }

  /** The auth process failed the request before any passdb lookup: FAIL after auth_failure_delay, as a wrong password. */
  private failedInAuthProcess(now: Micros): CommandResult {
    this.sasl = null;
    this.credentials = null;
    this.enter('auth-failed');
    this.lookupResult = { kind: 'password-mismatch' };
    this.host.queueAuthFailure(now, (when) => this.replyAuthFailure(when));
    return {};
  }

  // ---- passdb lookup ------------------------------------------------------------------------

  private startLookup(now: Micros): void {
    const credentials = this.credentials;
    if (!credentials || this.phase !== 'auth-lookup') return;
    this.lookup = new PassdbLookup(this.config.authHttp, {
      user: credentials.user, password: credentials.password, service: 'submission',
      localPort: this.local.port, remoteIp: this.remote.host, remotePort: this.remote.port,
      secured: this.config.secured, mechanism: credentials.mechanism,
    }, dovecotWallClock(this.config), this.passdbHost());
    this.lookup.start(now);
  }

  /**
   * The lookup's view of this session. Methods, not arrow-function properties: tsx (esbuild
   * keepNames) wraps every named arrow in a defineProperty call each time the object is built.
   */
  private passdbHost(): PassdbHost {
    const session = this;
    return {
      newConnId(purpose) { return session.host.newConnId(purpose); },
      bind(conn) { session.host.bind(conn, session); },
      emit(output) { session.host.emit(output); },
      setTimer(timer, at) { session.setTimer(timer, at); },
      finished(when, result) { session.lookupFinished(when, result); },
    };
  }

  private lookupFinished(now: Micros, result: PassdbResult): void {
    this.lookup = null;
    if (this.phase !== 'auth-lookup') return;
    if (result.kind !== 'ok') {
      // Every failed auth request waits auth_failure_delay in the auth process before the login process hears of it.
      this.enter('auth-failed');
      this.lookupResult = result;
      this.host.queueAuthFailure(now, (when) => this.replyAuthFailure(when));
      return;
    }
    this.authSuccesses++;
    if (parseIp(result.host) === null || !Number.isInteger(result.port) || result.port <= 0 || result.port > 65535) {
      // client-common-auth.c proxy_check_start(): "BUG: host %s is not an IP" -> INTERNAL failure.
      this.enter('proxying');
      this.logProxy(result.host, result.port, 'Error', `BUG: host ${result.host} is not an IP (auth should have changed it)`);
      this.setTimer('failureReply', now + this.config.timings.failureReplyDelayUs);
      return;
    }
    this.enter('proxying');
    this.proxy = new LoginProxy(this.loginProxyOwner(), result.host, result.port, now);
    this.logProxyDebug(`Created proxy session to <${result.host}>`);
    this.proxy.connect(now);
  }

  /** The login proxy while the session is handing the client over (not yet relaying, not failed back to commands). */
  private whileProxying(): LoginProxy | null {
    return this.phase === 'proxying' ? this.proxy : null;
  }

  /** The login proxy's view of this session (methods, not arrow properties: see passdbHost; config and policy as values, not getters, whose old-generation AccessorPair kept each session alive through scavenges: BENCHMARKS.md, GC nepotism). */
  private loginProxyOwner(): LoginProxyOwner {
    const session = this;
    return {
      config: this.config,
      policy: this.host.policy,
      newConnId(purpose) { return session.host.newConnId(purpose); },
      bind(conn) { session.host.bind(conn, session); },
      emit(output) { session.host.emit(output); },
      setTimer(timer, at) { session.setTimer(timer, at); },
      scheduleOnce(now, timer, delayUs) { session.scheduleOnce(now, timer, delayUs); },
      log(level, message) { session.logProxyOf(level, message); },
      identity() { return session.xclientIdentity(); },
      secondsSinceClientConnected(now) { return session.wallSecondsBetween(session.createdAt, now); },
      wallSecondsBetween(from, now) { return session.wallSecondsBetween(from, now); },
      loggedIn(now) { session.loggedIn(now); },
    };
  }

  /** What XCLIENT tells the backend about this client (HELO, PROTO, LOGIN, TTL, PORT, ADDR, DESTPORT, DESTADDR, SESSION). */
  private xclientIdentity() {
    const destination = dovecotBehaviour(this.config.version).sendsXclientDestination ? { port: this.local.port, addr: this.local.host } : null;
    return {
      helo: this.helo?.domain ?? null,
      proto: this.helo?.oldSmtp ? 'SMTP' : 'ESMTP',
      login: this.credentials?.user ?? null,
      ttl: LOGIN_PROXY_TTL - 1,
      port: this.remote.port,
      addr: this.remote.host,
      destination,
      session: this.sessionId,
    } as const;
  }

  private replyAuthFailure(now: Micros): void {
    if (this.phase !== 'auth-failed') return;
    const result = this.lookupResult;
    this.lookupResult = null;
    this.enter('command');
    // The internal failure's FAIL carries code=temp_fail (the 454), a password mismatch none.
    this.lastAuthFail = result?.kind === 'internal-failure' ? 'tempfail' : null;
    if (result?.kind === 'internal-failure') {
      const stamp = isoStamp(wallSeconds(dovecotWallClock(this.config), now));
      this.writeClient(`454 4.7.0 ${AUTH_TEMP_FAILED_MSG} [${this.config.systemHostname}:${stamp}]\r\n`);
    } else {
      this.writeClient(`535 5.7.8 ${AUTH_FAILED_MSG}\r\n`);
    }
    this.scheduleCommands(now);
  }

  /** submission_proxy_send_failure_reply() then client_proxy_failed(): 454, and the client may try again. */
  private replyProxyFailure(now: Micros): void {
    if (this.phase !== 'proxying') return;
    const proxy = this.proxy;
    this.writeClient(`454 4.7.0 ${LOGIN_PROXY_FAILURE_MSG}\r\n`);
    if (proxy) this.logProxyDebug(`Failed to connect to ${proxy.ip}`);
    this.proxy = null;
    this.enter('command');
    this.scheduleCommands(now);
  }

  // ---- success and relay ----------------------------------------------------------------------

  private loggedIn(now: Micros): void {
    const proxy = this.proxy!;
    this.writeClient('235 2.7.0 Logged in.\r\n');
    const msecs = Math.floor((now - proxy.createdAt) / 1000);
    const reconnects = proxy.reconnects > 0 ? `, ${proxy.reconnects} reconnects` : '';
    this.logProxy(proxy.ip, proxy.port, 'Info', `Started proxying to <${proxy.ip}> (${Math.floor(msecs / 1000)}.${String(msecs % 1000).padStart(3, '0')} secs${reconnects})`);
    this.host.emit({ kind: 'fact', fact: { kind: 'proxying', reconnects: proxy.reconnects }, conn: this.conn });
    // client_proxy_finish_destroy_client(): login_proxy_detach() removes the proxy's timeout and
    // client_destroy_success() the client's login timeout in the same call as "Started proxying".
    this.setTimer('proxyTimeout', null);
    this.setTimer('loginTimeout', null);
    this.enter('detaching');
    this.setTimer('detach', now + this.config.timings.detachDelayUs);
  }

  /** login_proxy_detach(): the iostream proxy takes over both streams, buffered input included. */
  private detach(now: Micros): void {
    // Nothing ends a session while it detaches (its input waits for the relay, its timeouts are gone).
    const proxy = this.proxy!;
    this.enter('relay');
    this.toServer = this.clientLines.takeRest() + this.toServer;
    this.toClient = proxy.takeUnread() + this.toClient;
    // A side that ended while detaching ends the relay now, after what it sent has been passed on
    // (flushing towards the server may close the session, hence the phase read again).
    if (this.toServer !== '' || this.relayEnd?.side === 'client') this.flushToServer(now);
    if (this.currentPhase() === 'relay' && (this.toClient !== '' || this.relayEnd?.side === 'server')) this.flushToClient(now);
  }

  private flushToServer(now: Micros): void {
    const proxy = this.proxy;
    if (this.phase !== 'relay' || proxy?.backendConn == null) return;
    if (this.toServer !== '') {
      proxy.writeBackend(this.toServer);
      this.toServer = '';
      this.lastIo = now;
    }
    if (this.relayEnd?.side === 'client') this.endRelay(now);
  }

  private flushToClient(now: Micros): void {
    if (this.phase !== 'relay') return;
    if (this.toClient !== '') {
      this.writeClient(this.toClient);
      this.toClient = '';
      this.lastIo = now;
    }
    if (this.relayEnd?.side === 'server') this.endRelay(now);
  }

  /** login_proxy_free_errstr(): "Disconnected by server|client[: error] (Ns idle, in=N, out=N)". */
  private endRelay(now: Micros): void {
    const proxy = this.proxy!;
    const end = this.relayEnd!;
    const idle = this.wallSecondsBetween(this.lastIo, now);
    // login_proxy_finished(): i_stream_get_error() of the side whose read failed
    const [buffer, read] = end.side === 'client' ? [LOGIN_MAX_INBUF_SIZE, this.clientBytesRead] : [MAX_PROXY_INPUT_SIZE, proxy.bytesFromBackend];
    const error = end.how === 'eof' ? '' : `: ${readFailed(buffer, read, strerror(end.how))}`;
    this.logProxy(proxy.ip, proxy.port, 'Info', `Disconnected by ${end.side}${error} (${idle}s idle, in=${proxy.bytesToBackend}, out=${this.clientBytesWritten})`);
    this.shutdownAll(end.how === 'eof');
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private shutdownAll(gracefully: boolean): void {
    if (this.lookup?.connection) this.host.emit({ kind: 'abort', conn: this.lookup.connection });
    this.lookup = null;
    const backend = this.proxy?.backendConn;
    if (backend) this.host.emit({ kind: gracefully ? 'close' : 'abort', conn: backend });
    this.host.emit({ kind: gracefully ? 'close' : 'abort', conn: this.conn });
    for (const timer of [...this.timersSet]) this.setTimer(timer, null);
    this.enter('closed');
    this.host.sessionClosed(this);
  }

  private writeClient(text: string): void {
    this.clientBytesWritten += text.length;
    this.host.emit({ kind: 'write', conn: this.conn, bytes: asciiBytes(text) });
  }

  /** The front's name for one of this session's timers, "<client conn>/<timer>"; built once per timer. */
  timerName(timer: SessionTimer): string {
    let name = this.timerNames.get(timer);
    if (name === undefined) {
      name = SESSION_TIMERS.name(this.conn, timer);
      this.timerNames.set(timer, name);
    }
    return name;
  }

  /** Past login_proxy_detach(): the iostream proxy relays both connections (dovecot-front.ts deadlineLeftToKernel). */
  get relaying(): boolean {
    return this.phase === 'relay';
  }

  /** The phase now, read through a call: a method that moved it leaves TypeScript's narrowing stale. */
  private currentPhase(): Phase {
    return this.phase;
  }

  /** Move to `next` as dovecot-phases.ts allows. */
  private enter(next: Phase): void {
    this.phase = transition(this.phase, next);
  }

  private setTimer(timer: SessionTimer, at: Micros | null): void {
    if (at === null) {
      if (!this.timersSet.delete(timer)) return;
    } else {
      this.timersSet.add(timer);
    }
    this.host.setTimer(this, timer, at);
  }

  private scheduleOnce(now: Micros, timer: SessionTimer, delayUs: Micros): void {
    if (!this.timersSet.has(timer)) this.setTimer(timer, now + delayUs);
  }

  /** Whole wall-clock seconds from `from` to `now`, the way the log lines count them. */
  private wallSecondsBetween(from: Micros, now: Micros): number {
    const clock = dovecotWallClock(this.config);
    return wallSeconds(clock, now) - wallSeconds(clock, from);
  }

  /** client-common.c client_get_extra_disconnect_reason(), the cases this model reaches. */
  private disconnectDetail(now: Micros): string {
    // The greeting goes out once auth is ready (submission_client_notify_auth_ready): before it, !notified_auth_ready.
    if (this.phase === 'greeting') return `(disconnected before auth was ready, waited ${this.wallSecondsBetween(this.createdAt, now)} secs)`;
    if (this.authAttempts === 0) return `(no auth attempts in ${this.wallSecondsBetween(this.createdAt, now)} secs)`;
    if (this.authWaiting && this.authAttempts === 1) return `(client didn't finish SASL auth, waited ${this.wallSecondsBetween(this.authFirstStartedAt, now)} secs)`;
    if ((this.phase === 'auth-lookup' || this.phase === 'auth-failed') && this.authAttempts === 1) return `(disconnected while authenticating, waited ${this.wallSecondsBetween(this.authFirstStartedAt, now)} secs)`;
    // client->auth_try_aborted's "(aborted authentication)" is never reached: submission-login aborts only an
    // exchange it challenged ('*' answering a 334), which leaves auth_waiting set (above).
    if (this.authSuccesses > 0) return `(internal failure, ${this.authSuccesses} successful auths)`;
    if (this.lastAuthFail !== null) return LAST_AUTH_FAIL_REASONS[this.lastAuthFail];
    return `(auth failed, ${this.authAttempts} attempts in ${this.wallSecondsBetween(this.authFirstStartedAt, now)} secs)`;
  }

  /** login_log_format_elements = user=<%u> method=%m rip=%r rport=%b lip=%l lport=%a mpid=%e %c; empty elements are dropped. */
  private logSuffix(): string {
    // One template per shape rather than an array joined per log line. user=<%u> is written even when
    // empty (client_get_log_str(): have_username_key()); method=%m once an AUTH named a mechanism.
    const method = this.authMechanismName === null ? '' : `method=${sanitize(this.authMechanismName, MAX_MECH_NAME)}, `;
    const secured = this.config.secured !== '' ? `, ${this.config.secured}` : '';
    return `user=<${this.credentials?.user ?? ''}>, ${method}rip=${this.remote.host}, rport=${this.remote.port}, lip=${this.local.host}, lport=${this.local.port}${secured}`;
  }

  private logClient(level: 'Info' | 'Error' | 'Debug', message: string): void {
    this.host.emit({ kind: 'log', program: 'submission-login', line: `${level}: ${message}: ${this.logSuffix()}`, conn: this.conn });
  }

  private logProxy(ip: string, port: number, level: 'Info' | 'Warning' | 'Error' | 'Debug', message: string): void {
    if (level === 'Debug' && !this.config.log_debug) return;
    const user = this.credentials?.user ?? '';
    this.host.emit({ kind: 'log', program: 'submission-login', line: `${level}: proxy(${user},${ip}:${port}): ${message}: ${this.logSuffix()}`, conn: this.conn });
  }

  private logProxyDebug(message: string): void {
    this.logProxyOf('Debug', message);
  }

  /** A line about the current login proxy, if there is one. */
  private logProxyOf(level: 'Info' | 'Warning' | 'Error' | 'Debug', message: string): void {
    const proxy = this.proxy;
    if (proxy) this.logProxy(proxy.ip, proxy.port, level, message);
  }
}
