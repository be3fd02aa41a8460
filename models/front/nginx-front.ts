/* front/nginx-front - the nginx mail proxy (smtp) as a Model: lock-step XCLIENT handshake, auth_http, relay
 *
 * nginx/nginx @3f6f782:
 *  - src/mail/ngx_mail_smtp_handler.c: greeting "220 <server_name> ESMTP ready", EHLO capability
 *    list (ngx_mail_smtp_module.c merge_srv_conf), replies smtp_ok/smtp_bye/smtp_invalid_command/...,
 *    `smtp_auth none`: MAIL FROM is stored and answered 250, RCPT TO starts auth_http;
 *  - src/mail/ngx_mail_auth_http_module.c: GET <uri> HTTP/1.0 with Auth-Method (LOGIN is sent as
 *    "plain"), Auth-User, Auth-Pass, Auth-Protocol, Auth-Login-Attempt, Client-IP, Client-Host,
 *    Auth-SMTP-Helo/From/To (auth none), then the auth_http_header lines. The status line is ignored:
 *    an Auth-Status other than OK is "<Auth-Error-Code or 535 5.7.0> <Auth-Status>", closed when
 *    Auth-Wait is 0/absent; no server/port, a bad answer, a refused or timed-out auth server: 451, each
 *    with its error-log line (the answer read as nginx reads it: ./nginx-auth-http-answer.ts);
 *  - src/mail/ngx_mail_proxy_module.c ngx_mail_proxy_smtp_handler / read_response: strictly one
 *    command per complete reply: 220 -> EHLO <server_name> -> 250 -> XCLIENT ADDR= [LOGIN=] NAME=
 *    -> 2xx -> client HELO/EHLO -> 250 -> (auth none) MAIL FROM -> 250 -> RCPT TO -> any reply, which
 *    goes to the client; (authenticated) "235 2.0.0 OK" after the last 2xx (without xclient, the
 *    first EHLO's 250). A wrong reply: with proxy_pass_error_message
 *    the backend's reply goes to the client, else "451 4.3.2 Internal server error"; then close.
 *  - ngx_mail_proxy_module.c ngx_mail_proxy_handler (the relay; the same from release-1.22.0 to 1.29.8):
 *    what one side sends goes to the other in the event that reads it; the client's read event
 *    carries the only timer, proxy_timeout (relayDeadline()), and its strike closes both connections.
 *  - the error log: each line with c->log->action and ngx_mail_log_error()'s context (./nginx-log-context.ts);
 *    a client's reset fails nginx's next recv() or send() on it, logged at info by ngx_connection_error()
 *    (c->log_error = NGX_ERROR_INFO), a FIN closes silently (ngx_mail_read_command()).
 */
import { asciiBytes, bytesToLatin1, type ConnId, type Input, type KeepAlive, type Micros, type Model, type SocketAddress } from '../contract.ts';
import { serializeRequest } from '../http/codec.ts';
import type { NginxFrontConfig } from './config.ts';
import { SessionFront } from './kit/session-front.ts';
import { SessionTimerKinds } from './kit/session-timers.ts';
import { ngxAuthBase64, ngxAuthPlain, type SaslRefusal } from './nginx-base64.ts';
import { authHttpResult, parseNginxAuthHttpAnswer } from './nginx-auth-http-answer.ts';
import { NginxClientBuffer } from './nginx-client-buffer.ts';
import { addressWithPort, nginxLogLine } from './nginx-log-context.ts';
import { firstArgument, refusedByParser } from './nginx-smtp-parse.ts';
import { nginxHas } from './releases.ts';
import { xtextEncode } from './xclient.ts';

/**
 * ngx_mail_auth_http_escape(): ngx_escape_uri(..., NGX_ESCAPE_MAIL_AUTH), whose table is memcached's
 * (src/core/ngx_string.c, "mail_auth is the same as memcached"; unchanged 1.22.0-1.29.8): the
 * control bytes 0x00-0x1f, space and '%' become %XX; 0x7f-0xff go as they are. So a UTF-8 login
 * reaches the auth server as raw UTF-8 bytes (Mailu 2.0's nginx.py: "nginx does not transcode the
 * input UTF string, thus we need to manually decode").
 */
export const authHttpEscape = (bytes: string) => bytes.replace(/[\x00-\x20%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

const SMTP_OK = '250 2.0.0 OK\r\n';
const SMTP_BYE = '221 2.0.0 Bye\r\n';
const SMTP_USERNAME = '334 VXNlcm5hbWU6\r\n';
const SMTP_PASSWORD = '334 UGFzc3dvcmQ6\r\n';
const SMTP_NEXT = '334 \r\n';
const SMTP_INVALID_COMMAND = '500 5.5.1 Invalid command\r\n';
const SMTP_INVALID_ARGUMENT = '501 5.5.4 Invalid argument\r\n';
const SMTP_AUTH_REQUIRED = '530 5.7.1 Authentication required\r\n';
const SMTP_BAD_SEQUENCE = '503 5.5.1 Bad sequence of commands\r\n';
const SMTP_AUTH_OK = '235 2.0.0 OK\r\n';
const INTERNAL_SERVER_ERROR = '451 4.3.2 Internal server error\r\n';
/** The advertising order of the methods the model knows (ngx_mail_smtp_auth_methods_names). */
const NGINX_AUTH_METHOD_ORDER = ['plain', 'login'] as const;

/** Every timer a session sets; handle() routes "<client conn>/<timer>" back to its session. */
const NGINX_TIMERS = new SessionTimerKinds(['greeting', 'commands', 'upstream', 'handshakeTimeout', 'authTimeout', 'toServer', 'toClient', 'clientTimeout'] as const);
type NginxTimer = typeof NGINX_TIMERS extends SessionTimerKinds<infer K> ? K : never;

type ClientState = 'greeting' | 'start' | 'login-username' | 'login-password' | 'plain' | 'auth-http' | 'proxy-handshake' | 'relay' | 'closed';
/** States in which nginx reads the client under its `timeout` (before auth_http and the backend take over). */
const CLIENT_READ_STATES: ReadonlySet<ClientState> = new Set(['start', 'login-username', 'login-password', 'plain']);
type UpstreamState = 'start' | 'helo-xclient' | 'helo' | 'xclient' | 'xclient-helo' | 'xclient-from' | 'helo-from' | 'from' | 'to';

/** Which first digits read_response() accepts in each state (ngx_mail_proxy_read_response, SMTP). */
const ACCEPTED: Readonly<Record<UpstreamState, (code: string) => boolean>> = {
  start: (c) => c === '220',
  'helo-xclient': (c) => c === '250',
  helo: (c) => c === '250',
  'helo-from': (c) => c === '250',
  from: (c) => c === '250',
  xclient: (c) => c === '220' || c === '250',
  'xclient-from': (c) => c === '220' || c === '250',
  'xclient-helo': (c) => c === '220' || c === '250',
  to: () => true,
};

/**
 * A failed recv() or send()'s error as ngx_connection_error() prints it: the kernel's ETIMEDOUT, a refused
 * connect(), or a reset (ECONNRESET, undefined). Linux hands sk_err to whichever of the two comes first
 * (sock_error(): tcp_recvmsg(), and tcp_sendmsg() through sk_stream_error()), so after a reset the next
 * send() fails with it as recv() would.
 */
function socketErrorText(errno: 'ETIMEDOUT' | 'ECONNREFUSED' | undefined): string {
  if (errno === 'ECONNREFUSED') return '111: Connection refused';
  return errno === 'ETIMEDOUT' ? '110: Connection timed out' : '104: Connection reset by peer';
}

class NginxSession {
  state: ClientState = 'greeting';
  /** s->buffer: a line whose LF does not fit in what is left of its smtp_client_buffer bytes is "too long" (./nginx-client-buffer.ts). */
  readonly lines: NginxClientBuffer;
  helo = '';
  esmtp = false;
  from = '';
  to = '';
  login = '';
  passwd = '';
  authMethod: 'none' | 'plain' | 'login' | 'external' = 'none';
  loginAttempt = 0;
  /** s->errors: lines the parser refused (ngx_mail_read_command), against max_errors. */
  errors = 0;
  authConn: ConnId | null = null;
  /** What the auth server has answered so far (ngx_mail_auth_http_read_handler()'s buffer). */
  authAnswer = '';
  upstream: ConnId | null = null;
  upstreamState: UpstreamState = 'start';
  upstreamBuffer = '';
  /**
   * The upstream's FIN or reset came behind bytes not read yet: recv() hands those over first and
   * returns 0 or the error only on the read after them (ngx_mail_proxy_read_response(),
   * ngx_unix_recv(); Linux tcp_reset() leaves the receive queue, which tcp_recvmsg() empties
   * before it reports sk_err).
   */
  upstreamEnd: 'eof' | 'reset' | null = null;
  /** The upstream reset's errno: the kernel's ETIMEDOUT when its timers failed the socket, else ECONNRESET. */
  upstreamEndErrno: 'ETIMEDOUT' | undefined = undefined;
  /**
   * The client's FIN or reset, not yet met by a read or a send. While nginx waits for auth_http and the
   * upstream their client read handlers (ngx_mail_auth_http_block_read, ngx_mail_auth_sleep_handler,
   * ngx_mail_proxy_block_read) read nothing, so the end is only met by the next read or send to the
   * client; before the login, the commands that came before it are answered first (recv() hands over
   * the bytes before the 0 or the error), and a reset fails the first send() (writeClient()).
   */
  clientEnd: 'eof' | 'reset' | null = null;
  /** The reset's errno: the kernel's ETIMEDOUT when its timers failed the socket, else ECONNRESET. */
  clientEndErrno: 'ETIMEDOUT' | undefined = undefined;
  /** A refusal's reply held while nginx sleeps Auth-Wait seconds (s->out, sent by ngx_mail_auth_sleep_handler). */
  refusalAfterSleep: string | null = null;
  /**
   * c->log->action, what the error log says nginx was doing (" while <action>"): ngx_mail_init_connection()
   * starts with "sending client greeting line", the handlers set the rest as the session moves on.
   */
  action: string | null = 'sending client greeting line';
  /** s->proxy->upstream.name: Auth-Server ":" Auth-Port as the auth server wrote them, from ngx_mail_proxy_init() on. */
  upstreamName: string | null = null;
  relayToServer = '';
  relayToClient = '';
  /**
   * When nginx last passed on the client's bytes while proxying, or 0 before the first pass (the timer
   * set at the relay's start runs from there): proxy_timeout runs from it (relayDeadline()).
   */
  clientEventUs: Micros = 0;

  constructor(readonly conn: ConnId, readonly local: SocketAddress, readonly remote: SocketAddress, clientBufferSize: number) {
    this.lines = new NginxClientBuffer(clientBufferSize);
  }
}

export class NginxFront extends SessionFront<NginxSession> implements Model {
  private counter = 0;

  /** listen ... so_keepalive: set on the listening socket, inherited by every accepted one (ngx_configure_listening_sockets()). */
  readonly keepAliveOnAccept: KeepAlive;

  constructor(private readonly config: NginxFrontConfig) {
    super(config.name);
    this.keepAliveOnAccept = config.so_keepalive;
  }

  /**
   * A relaying session's two connections: nginx's only deadline there is proxy_timeout from the
   * client's last event (relayDeadline()), which has not struck while the relay is open, so a
   * kernel end of a silent peer came first, as on the real host (24 h by default, beyond the
   * retransmission give-up and Linux's keepalive).
   */
  deadlineLeftToKernel(conn: ConnId): string | null {
    const session = this.sessions.get(conn) ?? this.outgoing.get(conn);
    if (session?.state !== 'relay') return null;
    return `nginx relays with no deadline but proxy_timeout (${this.config.proxy_timeout} ms from the client's last event, ngx_mail_proxy_handler()), which had not struck: the kernel's retransmission give-up or keepalive ended it first`;
  }

  handle(now: Micros, input: Input): void {
    switch (input.kind) {
      case 'accepted': {
        const session = new NginxSession(input.conn, input.local, input.remote, this.config.smtp_client_buffer);
        this.sessions.set(input.conn, session);
        this.timer(session, 'greeting', now + this.config.timings.reactionUs);
        return;
      }
      case 'connected': {
        const session = this.outgoing.get(input.conn);
        if (session && session.authConn === input.conn) this.sendAuthRequest(session);
        return;
      }
      case 'connectFailed': {
        const session = this.outgoing.get(input.conn);
        if (!session) return;
        // The failed connection is gone already; its recv() failed (peerRecvFailed()), then 451.
        const side = session.authConn === input.conn ? 'auth' : 'upstream';
        if (session.authConn === input.conn) session.authConn = null;
        if (session.upstream === input.conn) session.upstream = null;
        this.peerRecvFailed(session, side, input.reason === 'timeout' ? 'ETIMEDOUT' : 'ECONNREFUSED');
        this.internalError(session);
        return;
      }
      case 'bytes': return this.bytes(now, input.conn, input.bytes);
      case 'eof': return this.gone(now, input.conn, 'eof');
      case 'reset': return this.gone(now, input.conn, 'reset', input.errno);
      case 'timeout': {
        const timer = NGINX_TIMERS.parse(input.timer);
        const session = timer && this.sessions.get(timer.conn);
        if (session) this.fire(now, session, timer.kind);
      }
    }
  }

  private bytes(now: Micros, conn: ConnId, bytes: Uint8Array): void {
    const client = this.sessions.get(conn);
    if (client) {
      if (client.state === 'relay') {
        // ngx_mail_proxy_handler passes on what it read in the same event: one pass per burst,
        // scheduled by its first bytes (re-arming per read would hold a steady trickle back forever).
        if (client.relayToServer === '') this.timer(client, 'toServer', now + this.config.timings.relayDelayUs);
        client.relayToServer += bytesToLatin1(bytes);
      } else if (client.state !== 'closed') {
        client.lines.push(bytes);
        this.timer(client, 'commands', now + this.config.timings.reactionUs);
        this.waitForClient(now, client);
      }
      return;
    }
    const session = this.outgoing.get(conn);
    if (!session) return;
    if (conn === session.authConn) return this.authBytes(now, session, bytes);
    if (conn !== session.upstream) return;
    if (session.state === 'relay') {
      if (session.relayToClient === '') this.timer(session, 'toClient', now + this.config.timings.relayDelayUs);
      session.relayToClient += bytesToLatin1(bytes);
      return;
    }
    session.upstreamBuffer += bytesToLatin1(bytes);
    // ngx_mail_proxy_read_response() reads them; its action stays until the next command goes upstream
    session.action = 'reading response from upstream';
    this.timer(session, 'upstream', now + this.config.timings.reactionUs);
  }

  private fire(now: Micros, session: NginxSession, what: NginxTimer): void {
    switch (what) {
      case 'greeting':
        session.state = 'start';
        // ngx_mail_smtp_greeting(): ngx_mail_send() while "sending client greeting line"
        if (!this.writeClient(session, `220 ${this.config.server_name} ESMTP ready\r\n`)) return;
        // Whatever the client does next (a command, its end, its silence) is met by ngx_mail_smtp_init_protocol(),
        // which sets "in auth state" first: every line after the greeting up to auth_http says so.
        session.action = 'in auth state';
        this.waitForClient(now, session);
        return this.commands(now, session);
      case 'clientTimeout':
        // The client's read timer also times Auth-Wait's sleep (ngx_mail_auth_sleep_handler), while no request is out,
        // and, once proxying, proxy_timeout.
        if (session.state === 'auth-http' && session.authConn === null) return this.sleepEnded(now, session);
        if (session.state === 'relay') return this.relayDeadline(now, session);
        // ngx_mail_smtp_auth_state(): rev->timedout -> "client timed out", ngx_mail_close_connection()
        if (!CLIENT_READ_STATES.has(session.state)) return;
        this.log(session, 'info', 'client timed out (110: Connection timed out)');
        return this.close(session);
      case 'commands': return this.commands(now, session);
      case 'upstream':
        this.upstreamReply(now, session);
        if (!session.upstreamEnd || !session.upstream) return;
        // The read after the reply returns 0 or the reset: in the handshake NGX_ERROR, ngx_mail_proxy_internal_server_error();
        // once the reply ended the handshake, ngx_mail_proxy_handler() reads the end and closes both sides.
        if (session.state === 'proxy-handshake') {
          // After a reset, the next command's send() fails once the reply was taken (Linux keeps sk_err for the call
          // after the data: tcp_recvmsg()), else the next recv() (a reply not complete yet).
          if (session.upstreamEnd === 'reset') this.upstreamSocketFailed(session, session.upstreamBuffer === '' ? 'send' : 'recv', session.upstreamEndErrno);
          return this.internalError(session);
        }
        return this.gone(now, session.upstream, session.upstreamEnd);
      case 'handshakeTimeout':
        // ngx_mail_proxy_smtp_handler(): rev->timedout, logged at info with the action under way
        // (ngx_mail_proxy_read_response() sets "reading response from upstream" once bytes came).
        this.log(session, 'info', 'upstream timed out (110: Connection timed out)');
        return this.internalError(session);
      case 'authTimeout':
        // ngx_mail_auth_http_read_handler() (or the write handler, the request not sent): rev->timedout, set
        // auth_http_timeout after the connect and never re-armed. Measured on Debian's nginx 1.22.1.
        this.authHttpFailed(session, 'timed out (110: Connection timed out)');
        return this.internalError(session);
      case 'toServer':
        session.clientEventUs = now;
        return this.flushToServer(session);
      case 'toClient': return this.flushToClient(session);
    }
  }

  // ---- client commands (ngx_mail_smtp_auth_state) ------------------------------------------

  private commands(now: Micros, session: NginxSession): void {
    // bounded by what is buffered: each pass takes a line (its LF at least) or a too-long line's bytes, or returns;
    // a fixed count would leave a long pipelined burst half answered, which nginx's posted reads never do
    for (let guard = session.lines.size; guard >= 0; guard--) {
      if (!CLIENT_READ_STATES.has(session.state)) return;
      const event = session.lines.next();
      if (!event) return this.clientEndMet(session);
      if (event.kind === 'too-long') {
        // ngx_mail_read_command(): the whole buffer quoted (the line is cut: ./nginx-log-context.ts), s->quit
        this.log(session, 'info', `client sent too long command "${event.buffer}"`);
        if (this.writeClient(session, SMTP_INVALID_COMMAND)) this.close(session);
        return;
      }
      if (refusedByParser(event.line, session.state === 'start' ? 'command' : 'argument')) {
        session.lines.commandDone();
        if (this.parserRefused(session)) return;
        continue;
      }
      const reply = this.command(now, session, session.state === 'start' ? event.line : firstArgument(event.line));
      // ngx_mail_smtp_auth_state(), and ngx_mail_auth() for the command that starts auth_http
      session.lines.commandDone();
      if (reply === null) return; // auth_http started
      if (!this.writeClient(session, reply.text)) return;
      if (reply.quit) return this.close(session);
    }
  }

  /**
   * The auth state's read after the commands the client sent before its end: ngx_mail_read_command()'s
   * recv() returns 0 and the connection closes without a line (ngx_unix_recv()); after a reset it fails,
   * and ngx_connection_error() logs "recv() failed" at info (c->log_error = NGX_ERROR_INFO,
   * ngx_mail_init_connection()). Nothing happens while the client has not ended.
   */
  private clientEndMet(session: NginxSession): void {
    if (session.clientEnd === null) return;
    if (session.clientEnd === 'reset') this.log(session, 'info', `recv() failed (${socketErrorText(session.clientEndErrno)})`);
    this.close(session);
  }

  private command(now: Micros, session: NginxSession, line: string): { text: string; quit?: boolean } | null {
    if (session.state === 'login-username') {
      const user = ngxAuthBase64(line, 'LOGIN');
      if ('refused' in user) return this.refusedResponse(session, user);
      session.login = user.value;
      session.state = 'login-password';
      return { text: SMTP_PASSWORD };
    }
    if (session.state === 'login-password') {
      const passwd = ngxAuthBase64(line, 'LOGIN');
      if ('refused' in passwd) return this.refusedResponse(session, passwd);
      session.passwd = passwd.value;
      this.startAuth(now, session);
      return null;
    }
    if (session.state === 'plain') {
      const credentials = ngxAuthPlain(line);
      if ('refused' in credentials) return this.refusedResponse(session, credentials);
      session.login = credentials.login;
      session.passwd = credentials.passwd;
      this.startAuth(now, session);
      return null;
    }
    const args = line.split(' ').filter((a) => a !== '');
    const verb = (args.shift() ?? '').toUpperCase();
    switch (verb) {
      case 'HELO':
      case 'EHLO':
        if (args.length !== 1) return { text: SMTP_INVALID_ARGUMENT };
        session.helo = args[0]!;
        session.from = '';
        session.to = '';
        if (verb === 'HELO') return { text: `250 ${this.config.server_name}\r\n` };
        session.esmtp = true;
        return { text: this.capability() };
      case 'AUTH':
        return this.authCommand(now, session, args);
      case 'QUIT':
        return { text: SMTP_BYE, quit: true };
      case 'MAIL':
        if (!this.config.smtp_auth.includes('none')) return { text: SMTP_AUTH_REQUIRED };
        if (session.from !== '') return { text: SMTP_BAD_SEQUENCE };
        if (args.length === 0) return { text: SMTP_INVALID_ARGUMENT };
        session.from = line.trim();
        // From 1.29.1 a failed AUTH's login and password go (releases.ts smtp_auth_none_clears_credentials).
        if (nginxHas(this.config.version, 'smtp_auth_none_clears_credentials')) {
          session.login = '';
          session.passwd = '';
        }
        return { text: SMTP_OK };
      case 'RCPT':
        if (session.from === '') return { text: SMTP_BAD_SEQUENCE };
        if (args.length === 0) return { text: SMTP_INVALID_ARGUMENT };
        session.to = line.trim();
        // ngx_mail_smtp_rcpt(): only the method changes; whatever login is left goes to auth_http and XCLIENT.
        session.authMethod = 'none';
        this.startAuth(now, session);
        return null;
      case 'RSET':
        session.from = '';
        session.to = '';
        return { text: SMTP_OK };
      case 'NOOP':
        return { text: SMTP_OK };
      default:
        return { text: SMTP_INVALID_COMMAND };
    }
  }

  /**
   * ngx_mail_read_command(): a line the parser refused counts against max_errors (since 1.21.0,
   * commit 173f16f73: every modelled release); at the limit nginx logs it and sets s->quit.
   * ngx_mail_smtp_auth_state() then answers 500 and returns to the start state, or closes after
   * the 500 (s->quit). True when the session is closed.
   */
  private parserRefused(session: NginxSession): boolean {
    session.errors++;
    session.state = 'start';
    const quit = session.errors >= this.config.max_errors;
    if (quit) this.log(session, 'info', 'client sent too many invalid commands');
    if (!this.writeClient(session, SMTP_INVALID_COMMAND)) return true;
    if (quit) this.close(session);
    return quit;
  }

  /**
   * A SASL response the AUTH handler refused (./nginx-base64.ts): its info line, then
   * ngx_mail_smtp_auth_state() answers 500 in the start state, not counted against max_errors. Before
   * 1.29.1 (765642b86) a refused LOGIN user name or PLAIN password has already pointed s->login at the
   * new buffer with the old length: with an earlier login this line and later ones print that many
   * bytes of pool memory after "login:", which the model cannot know; it prints the earlier login.
   */
  private refusedResponse(session: NginxSession, refusal: SaslRefusal): { text: string } {
    this.log(session, 'info', refusal.refused);
    session.state = 'start';
    return { text: SMTP_INVALID_COMMAND };
  }

  private authCommand(now: Micros, session: NginxSession, args: string[]): { text: string } | null {
    if (args.length === 0) return { text: SMTP_INVALID_ARGUMENT };
    const mechanism = args[0]!.toUpperCase();
    if (mechanism === 'LOGIN' && args.length <= 2) {
      session.authMethod = 'login';
      if (args.length === 1) {
        session.state = 'login-username';
        return { text: SMTP_USERNAME };
      }
      const user = ngxAuthBase64(args[1]!, 'LOGIN');
      if ('refused' in user) return this.refusedResponse(session, user);
      session.login = user.value;
      session.state = 'login-password';
      return { text: SMTP_PASSWORD };
    }
    if (mechanism === 'PLAIN' && args.length <= 2) {
      session.authMethod = 'plain';
      session.state = 'plain';
      if (args.length === 1) return { text: SMTP_NEXT };
      const reply = this.command(now, session, args[1]!);
      return reply;
    }
    if (mechanism === 'EXTERNAL' && args.length === 2) {
      // ngx_mail_auth_parse() hands an initial response to ngx_mail_auth_external() before
      // ngx_mail_smtp_auth() asks whether EXTERNAL is enabled (it asks only for a bare "AUTH EXTERNAL",
      // as for CRAM-MD5): the decoded name goes to auth_http whatever smtp_auth lists. Only s->login
      // is set; s->passwd keeps what an earlier attempt left.
      const login = ngxAuthBase64(args[1]!, 'EXTERNAL');
      if ('refused' in login) return this.refusedResponse(session, login);
      session.authMethod = 'external';
      session.login = login.value;
      this.startAuth(now, session);
      return null;
    }
    // Any other mechanism, and CRAM-MD5 or a bare EXTERNAL, which smtp_auth cannot enable here (Mailu enables neither).
    return { text: SMTP_INVALID_COMMAND };
  }

  /**
   * ngx_mail_smtp_merge_srv_conf: "250-<name>", the capabilities, then "250 AUTH ..." if any method
   * but none. The methods come in the order of nginx's bitmask (ngx_mail_smtp_auth_methods_names:
   * PLAIN, LOGIN, CRAM-MD5, EXTERNAL), not the order smtp_auth lists them: Mailu's
   * `smtp_auth plain login` and `smtp_auth login plain` both advertise "AUTH PLAIN LOGIN"
   * (unchanged 1.22.0-1.29.8: ngx_mail_smtp_module.c is the same file at both tags).
   */
  private capability(): string {
    const methods = NGINX_AUTH_METHOD_ORDER.filter((m) => this.config.smtp_auth.includes(m)).map((m) => m.toUpperCase());
    const lines = [this.config.server_name, ...this.config.smtp_capabilities];
    if (methods.length > 0) lines.push(`AUTH ${methods.join(' ')}`);
    return lines.map((text, i) => `250${i === lines.length - 1 ? ' ' : '-'}${text}\r\n`).join('');
  }

  // ---- auth_http ---------------------------------------------------------------------------

  /** ngx_mail_auth(): a new login attempt, then ngx_mail_auth_http_init(). */
  private startAuth(now: Micros, session: NginxSession): void {
    session.state = 'auth-http';
    session.loginAttempt++;
    this.askAuthHttp(now, session);
  }

  /**
   * ngx_mail_auth_sleep_handler(): after WAIT the same request goes again; after a refusal its reply goes,
   * then the auth state reads commands again, any the client sent meanwhile first (ngx_mail_send() while
   * s->blocked, or rev->ready).
   */
  private sleepEnded(now: Micros, session: NginxSession): void {
    const reply = session.refusalAfterSleep;
    if (reply === null) return this.askAuthHttp(now, session);
    session.refusalAfterSleep = null;
    // The auth state again ("in auth state"), the reply sent first; a client that ended meanwhile is read
    // after the commands it sent before its end (commands(), clientEndMet()).
    session.state = 'start';
    session.action = 'in auth state';
    if (!this.writeClient(session, reply)) return;
    this.waitForClient(now, session);
    this.commands(now, session);
  }

  /** ngx_mail_auth_http_init(): a fresh request to the auth server, the same login attempt. */
  private askAuthHttp(now: Micros, session: NginxSession): void {
    session.action = 'in http auth state';
    session.authAnswer = '';
    session.authConn = `${this.name}:auth${++this.counter}`;
    this.bindOutgoing(session.authConn, session);
    // Nagle stays on for both of the mail module's outgoing connections: nothing under src/mail calls
    // ngx_tcp_nodelay(), and ngx_event_connect_peer() leaves TCP_NODELAY unset.
    this.out.push({ kind: 'connect', conn: session.authConn, to: this.config.auth_http.address, noDelay: false });
    this.timer(session, 'authTimeout', now + this.config.auth_http.timeoutMs * 1000);
  }

  private sendAuthRequest(session: NginxSession): void {
    const headers: [string, string][] = [
      ['Host', this.config.auth_http.hostHeader],
      // ngx_mail_auth_http_method[]: LOGIN is sent as "plain".
      ['Auth-Method', session.authMethod === 'login' ? 'plain' : session.authMethod],
      ['Auth-User', authHttpEscape(session.login)],
      ['Auth-Pass', authHttpEscape(session.passwd)],
      ['Auth-Protocol', 'smtp'],
      ['Auth-Login-Attempt', String(session.loginAttempt)],
      ['Client-IP', session.remote.host],
      ['Client-Host', this.config.clientHostName],
    ];
    if (session.authMethod === 'none') headers.push(['Auth-SMTP-Helo', session.helo], ['Auth-SMTP-From', session.from], ['Auth-SMTP-To', session.to]);
    for (const [name, value] of this.config.auth_http_header) headers.push([name, value]);
    if (!this.config.auth_http_header.some(([name]) => name === 'Client-Port')) headers.push(['Client-Port', String(session.remote.port)]);
    const bytes = serializeRequest({ method: 'GET', target: this.config.auth_http.uri, headers });
    // ngx_mail_auth_http_create_request writes "HTTP/1.0"; the codec writes 1.1, so patch the request line.
    const text = bytesToLatin1(bytes).replace(' HTTP/1.1\r\n', ' HTTP/1.0\r\n');
    this.write(session.authConn!, text);
  }

  private authBytes(now: Micros, session: NginxSession, bytes: Uint8Array): void {
    session.authAnswer += bytesToLatin1(bytes);
    const answer = parseNginxAuthHttpAnswer(session.authAnswer);
    if (answer.kind === 'incomplete') return;
    this.timer(session, 'authTimeout', null);
    this.out.push({ kind: 'close', conn: session.authConn! });
    session.authConn = null;
    const { user, pass, outcome } = authHttpResult(answer);
    // ngx_mail_auth_http_process_headers(): an Auth-User or Auth-Pass in the answer replaces s->login or s->passwd,
    // whatever the status; XCLIENT LOGIN= and any later request carry it (Mailu answers Auth-User: its user_email)
    session.login = user ?? session.login;
    session.passwd = pass ?? session.passwd;
    if (outcome.kind === 'failed') {
      if (outcome.failure !== null) this.authHttpFailed(session, outcome.failure);
      return this.internalError(session);
    }
    if (outcome.kind === 'refused') {
      this.log(session, 'info', `client login failed: "${outcome.status}"`);
      // An Auth-Wait ngx_atoi() refuses leaves the sleep at 0: the session quits.
      if (outcome.sleep === 0) {
        if (this.writeClient(session, outcome.reply)) this.close(session);
        return;
      }
      // Auth-Wait > 0: the reply goes when the sleep ends, on the client's read timer (ngx_add_timer(c->read, timer * 1000)).
      session.refusalAfterSleep = outcome.reply;
      return this.timer(session, 'clientTimeout', now + outcome.sleep * 1_000_000);
    }
    if (outcome.kind === 'wait') {
      // ngx_mail_auth_http_process_headers(): "WAIT" (case-sensitive) sets s->auth_wait; the same request
      // goes again after Auth-Wait seconds, timed by the client's read timer (ngx_mail_auth_sleep_handler),
      // at once without one. Client input waits meanwhile (the sleep handler reads nothing).
      return this.timer(session, 'clientTimeout', now + outcome.sleep * 1_000_000);
    }
    const { server, address, port, portText } = outcome;
    session.state = 'proxy-handshake';
    session.upstreamState = 'start';
    session.upstreamBuffer = '';
    // ngx_mail_proxy_init(): s->proxy and its name, which every log line names from now on
    session.action = 'connecting to upstream';
    session.upstreamName = `${server}:${portText}`;
    session.upstream = `${this.name}:upstream${++this.counter}`;
    this.bindOutgoing(session.upstream, session);
    this.out.push({ kind: 'connect', conn: session.upstream, to: { host: address, port }, noDelay: false });
    this.out.push({ kind: 'fact', fact: { kind: 'backendAttempt', attempt: 1 }, conn: session.conn });
    // ngx_mail_proxy_init(): one read timer of `timeout` from the connect, never re-armed by a reply;
    // when it fires (no greeting, a reply that never completes) ngx_mail_proxy_smtp_handler answers 451.
    this.timer(session, 'handshakeTimeout', now + this.config.timeout * 1000);
  }

  // ---- upstream handshake (ngx_mail_proxy_smtp_handler) -------------------------------------

  private upstreamReply(now: Micros, session: NginxSession): void {
    if (session.state !== 'proxy-handshake' || !session.upstream) return;
    const buffer = session.upstreamBuffer;
    if (buffer.length < 4 || !buffer.endsWith('\r\n')) return;
    if (buffer[3] === '-') {
      // The CRLF before the last line is searched from 7 bytes before the end (sizeof(CRLF "200" CRLF) - 1):
      // a last line shorter than "200" CRLF is not seen as one, and the reply waits for more.
      const lastLineStart = buffer.lastIndexOf('\r\n', buffer.length - 7) + 2;
      if (lastLineStart <= 1 || buffer[lastLineStart + 3] === '-') return;
    }
    session.upstreamBuffer = '';
    if (!ACCEPTED[session.upstreamState](buffer.slice(0, 3))) {
      // Logged at info when the reply is passed to the client (proxy_pass_error_message), else at error.
      this.log(session, this.config.proxy_pass_error_message ? 'info' : 'error', `upstream sent invalid response: "${buffer.slice(0, -2)}"`);
      this.out.push({ kind: 'close', conn: session.upstream });
      session.upstream = null;
      if (this.writeClient(session, this.config.proxy_pass_error_message ? buffer : INTERNAL_SERVER_ERROR)) this.close(session);
      return;
    }
    const upstream = session.upstream;
    switch (session.upstreamState) {
      case 'start':
        // Without XCLIENT an authenticated session is ready after the EHLO's 250 (ngx_smtp_helo; proxy_smtp_auth, which
        // would send AUTH there, is not modelled): only auth none goes on to MAIL FROM and RCPT TO.
        session.upstreamState = this.config.xclient ? 'helo-xclient' : session.authMethod === 'none' ? 'helo-from' : 'helo';
        session.action = 'sending HELO/EHLO to upstream';
        return this.write(upstream, `${session.esmtp || this.config.xclient ? 'EHLO' : 'HELO'} ${this.config.server_name}\r\n`);
      case 'helo-xclient': {
        // "IPV6:" goes by the socket's family (sa_family == AF_INET6), so an IPv4-mapped client of a dual-stack
        // listener is IPV6:::ffff:a.b.c.d (ngx_inet6_ntop's form, Node's too); only an IPv6 text holds a ':'
        const address = session.remote.host.includes(':') ? `IPV6:${session.remote.host}` : session.remote.host;
        // LOGIN= is xtext-encoded from 1.29.2, raw before (releases.ts xclient_login_xtext).
        const encoded = nginxHas(this.config.version, 'xclient_login_xtext') ? xtextEncode(session.login) : session.login;
        const login = session.login !== '' ? ` LOGIN=${encoded}` : '';
        session.upstreamState = session.helo !== '' ? 'xclient-helo' : session.authMethod === 'none' ? 'xclient-from' : 'xclient';
        session.action = 'sending XCLIENT to upstream';
        return this.write(upstream, `XCLIENT ADDR=${address}${login} NAME=${this.config.clientHostName}\r\n`);
      }
      case 'xclient-helo':
        session.upstreamState = session.authMethod === 'none' ? 'helo-from' : 'helo';
        session.action = 'sending client HELO/EHLO to upstream';
        return this.write(upstream, `${session.esmtp ? 'EHLO' : 'HELO'} ${session.helo}\r\n`);
      case 'helo-from':
      case 'xclient-from':
        session.upstreamState = 'from';
        session.action = 'sending MAIL FROM to upstream';
        return this.write(upstream, `${session.from}\r\n`);
      case 'from':
        session.upstreamState = 'to';
        session.action = 'sending RCPT TO to upstream';
        return this.write(upstream, `${session.to}\r\n`);
      case 'helo':
      case 'xclient':
      case 'to':
        // Ready: auth none relays the RCPT reply, otherwise "235 2.0.0 OK"; buffered client input goes upstream.
        this.timer(session, 'handshakeTimeout', null);
        session.state = 'relay';
        // "client logged in" with no action, then ngx_mail_proxy_handler(s->connection->write) sends the reply,
        // which fails after the client's reset in every release (send() while "proxying and sending to client").
        session.action = null;
        this.log(session, 'info', 'client logged in');
        this.out.push({ kind: 'fact', fact: { kind: 'proxying', reconnects: 0 }, conn: session.conn });
        session.action = 'proxying and sending to client';
        if (!this.writeClient(session, session.authMethod === 'none' ? buffer : SMTP_AUTH_OK)) return;
        session.relayToServer = session.lines.takeRest();
        // The relay's first event is posted for buffered input, and from 1.23.4 for a client event that
        // came while reads were blocked; before, a lone FIN is lost (releases.ts proxy_reads_blocked_client_event).
        const posted = session.relayToServer !== '' || nginxHas(this.config.version, 'proxy_reads_blocked_client_event');
        if (session.clientEnd !== null && posted) return this.clientEndRead(session);
        if (session.relayToServer !== '') this.timer(session, 'toServer', now + this.config.timings.relayDelayUs);
        // ngx_add_timer(s->connection->read, pcf->timeout), then ngx_mail_proxy_handler(s->connection->write) arms it again;
        // set after the pass above, which is this turn's reaction (the first timer set after a wake-up is late: sim/wakeup.ts)
        this.timer(session, 'clientTimeout', now + this.config.proxy_timeout * 1000);
        return;
    }
  }

  // ---- relay (ngx_mail_proxy_handler) -----------------------------------------------------------

  /**
   * ngx_mail_proxy_handler() ends an event on the client's connection, read or write, with
   * ngx_add_timer(c->read, pcf->timeout) (`if (c == s->connection)`): proxy_timeout runs from the
   * last client event (the relay's start, then each pass of the client's bytes: clientEventUs). An
   * event on the upstream's connection leaves it alone, so a client that only listens is cut
   * proxy_timeout after it last sent, however much the upstream sends it. (A client write event
   * comes only after a send() that did not take everything; the model's writes always do, so the
   * client's reads are its only events.) The model does not set the timer again at every read:
   * when it comes due it is set again to proxy_timeout after the last client event if that is
   * later, so it strikes when nginx's would, with a timer output per proxy_timeout, not per read.
   */
  private relayDeadline(now: Micros, session: NginxSession): void {
    const due = session.clientEventUs + this.config.proxy_timeout * 1000;
    if (due > now) return this.timer(session, 'clientTimeout', due);
    this.relayTimedOut(session);
  }

  /**
   * proxy_timeout struck: ev->timedout on the client's read event, so "client timed out" at info with
   * ETIMEDOUT while "proxying" (the upstream's read event has no timer once proxying:
   * ngx_mail_proxy_smtp_handler() deleted it), then ngx_mail_proxy_close_session() closes the upstream
   * and the client, bytes not yet passed on included.
   */
  private relayTimedOut(session: NginxSession): void {
    this.log(session, 'info', 'client timed out (110: Connection timed out)', 'proxying');
    this.out.push({ kind: 'fact', fact: { kind: 'idleDeadline', setting: 'proxy_timeout', afterUs: this.config.proxy_timeout * 1000 }, conn: session.conn });
    this.close(session);
  }

  // ---- the auth server's and the upstream's failures -----------------------------------------

  /**
   * A failure ngx_mail_auth_http_module.c logs at error naming the auth server (ctx->peer.name, the auth_http
   * address as ngx_parse_url() named it: "127.0.0.1:18180"); the caller then answers 451 and closes
   * (ngx_mail_session_internal_server_error(), s->quit). Measured on Debian's nginx 1.22.1, e.g. "[error] auth
   * http server 127.0.0.1:18180 sent invalid header in response while in http auth state, client: 127.0.0.1,
   * server: 127.0.0.1:12625, login: "alice"".
   */
  private authHttpFailed(session: NginxSession, what: string): void {
    this.log(session, 'error', `auth http server ${addressWithPort(this.config.auth_http.address)} ${what}`);
  }

  /**
   * recv() on the auth server's or the upstream's connection failed: a refused or timed-out connect() (the
   * non-blocking connect() returned EINPROGRESS, and ngx_epoll_process_events() runs the read handler
   * first on the error event) or a reset. ngx_unix_recv() -> ngx_connection_error() logs it at error
   * (peer.log_error = NGX_ERROR_ERR: ngx_mail_auth_http_init(), ngx_mail_proxy_init()); the upstream's
   * read is ngx_mail_proxy_read_response(), which sets its action first. The caller answers 451. Measured
   * on Debian's nginx 1.22.1: "[error] recv() failed (111: Connection refused) while in http auth state, ..."
   * and "... while reading response from upstream, ..., login: "alice", upstream: 127.0.0.1:12699".
   */
  private peerRecvFailed(session: NginxSession, side: 'auth' | 'upstream', errno: 'ETIMEDOUT' | 'ECONNREFUSED' | undefined): void {
    if (side === 'auth') return this.log(session, 'error', `recv() failed (${socketErrorText(errno)})`);
    this.upstreamSocketFailed(session, 'recv', errno);
  }

  /** The upstream's recv() (ngx_mail_proxy_read_response(): "reading response from upstream") or the next command's send() failed. */
  private upstreamSocketFailed(session: NginxSession, call: 'recv' | 'send', errno: 'ETIMEDOUT' | 'ECONNREFUSED' | undefined): void {
    if (call === 'recv') session.action = 'reading response from upstream';
    this.log(session, 'error', `${call}() failed (${socketErrorText(errno)})`);
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private internalError(session: NginxSession): void {
    if (session.state === 'closed') return;
    for (const conn of [session.authConn, session.upstream]) if (conn) this.out.push({ kind: 'close', conn });
    session.authConn = null;
    session.upstream = null;
    this.writeClient(session, INTERNAL_SERVER_ERROR);
    this.close(session);
  }

  private gone(now: Micros, conn: ConnId, how: 'eof' | 'reset', errno?: 'ETIMEDOUT'): void {
    const client = this.sessions.get(conn);
    const session = client ?? this.outgoing.get(conn);
    if (!session || session.state === 'closed') return;
    if (client && session.state !== 'relay') {
      // Met by the next send to the client or read of it: the greeting's send, the auth state's next pass
      // (after the commands that came before the end), or once auth_http and the upstream have answered.
      session.clientEnd = how;
      session.clientEndErrno = errno;
      if (CLIENT_READ_STATES.has(session.state)) this.timer(session, 'commands', now + this.config.timings.reactionUs);
      return;
    }
    // The auth server's or the upstream's end before the answer: recv() returns 0 (no line) or fails with the reset.
    if (!client && conn === session.authConn) {
      if (how === 'reset') this.peerRecvFailed(session, 'auth', errno);
      return this.internalError(session);
    }
    if (!client && session.state === 'proxy-handshake') {
      // A reply that came before the FIN or the reset is still read and judged first (a 421 goes to the client as it is).
      if (session.upstreamBuffer !== '') {
        session.upstreamEnd = how;
        session.upstreamEndErrno = errno;
        return;
      }
      if (how === 'reset') this.peerRecvFailed(session, 'upstream', errno);
      return this.internalError(session);
    }
    // ngx_mail_proxy_handler() passes on what it reads, both ways, in the event that reads it: bytes the
    // model still holds for either side when one end goes were on their way already.
    this.flushToClient(session);
    this.flushToServer(session);
    if (session.state === 'relay') this.relayEnded(session, client !== undefined ? 'client' : 'upstream', how === 'reset' ? socketErrorText(errno) : null);
    this.close(session);
  }

  /**
   * A side's end read by the relay: nginx does not pass a half-close on (no shutdown()), its eof test
   * closes both once the other way has nothing left to send. A reset first fails the recv():
   * ngx_connection_error() logs "recv() failed" with the errno while "proxying and reading from
   * <side>", at info for the client (ngx_mail_init_connection(): log_error NGX_ERROR_INFO) and at
   * error for the upstream (ngx_mail_proxy_init(): NGX_ERROR_ERR); either way src->read->eof is set
   * and "proxied session done" follows, at info with no action.
   */
  private relayEnded(session: NginxSession, side: 'client' | 'upstream', recvError: string | null): void {
    if (recvError !== null) this.log(session, side === 'client' ? 'info' : 'error', `recv() failed (${recvError})`, `proxying and reading from ${side}`);
    this.proxiedSessionDone(session);
  }

  /** ngx_mail_proxy_handler() logs it with no action. */
  private proxiedSessionDone(session: NginxSession): void {
    this.log(session, 'info', 'proxied session done', null);
  }

  /**
   * The relay's first event meets the client's FIN that came during the login: ngx_mail_proxy_handler()
   * passes on what the client had sent, reads the 0 and closes both sides ("proxied session done").
   * (After a reset the reply's send() failed before: writeClient().)
   */
  private clientEndRead(session: NginxSession): void {
    this.flushToServer(session);
    this.proxiedSessionDone(session);
    this.close(session);
  }

  private flushToServer(session: NginxSession): void {
    if (session.upstream && session.relayToServer !== '') this.write(session.upstream, session.relayToServer);
    session.relayToServer = '';
  }

  private flushToClient(session: NginxSession): void {
    if (session.relayToClient !== '') this.write(session.conn, session.relayToClient);
    session.relayToClient = '';
  }

  private close(session: NginxSession): void {
    if (session.state === 'closed') return;
    for (const conn of [session.authConn, session.upstream]) if (conn) this.out.push({ kind: 'close', conn });
    this.out.push({ kind: 'close', conn: session.conn });
    for (const t of NGINX_TIMERS.all) this.timer(session, t, null);
    session.state = 'closed';
    this.forget(session);
  }

  /** ngx_add_timer(c->read, cscf->timeout): the client's read deadline, re-armed by each read until proxying starts. */
  private waitForClient(now: Micros, session: NginxSession): void {
    if (CLIENT_READ_STATES.has(session.state)) this.timer(session, 'clientTimeout', now + this.config.timeout * 1000);
  }

  /**
   * A reply to the client, true when it went. After the client's reset (clientEnd) nginx's send() fails:
   * ngx_connection_error() logs "send() failed" at info (c->log_error = NGX_ERROR_INFO) with the action under
   * way, and ngx_mail_send() closes the connection (ngx_mail_proxy_handler() closes both: NGX_ERROR).
   * Measured on nginx 1.22.1: "... send() failed (104: Connection reset by peer) while in http auth state, ...".
   */
  private writeClient(session: NginxSession, text: string): boolean {
    if (session.clientEnd !== 'reset') {
      this.write(session.conn, text);
      return true;
    }
    this.log(session, 'info', `send() failed (${socketErrorText(session.clientEndErrno)})`);
    this.close(session);
    return false;
  }

  /** An error-log line of the session as nginx writes it, with ngx_mail_log_error()'s context (./nginx-log-context.ts). */
  private log(session: NginxSession, level: 'info' | 'error', message: string, action: string | null = session.action): void {
    this.out.push({ kind: 'log', program: 'nginx', line: nginxLogLine(this.config.version, level, message, action, session), conn: session.conn });
  }

  private write(conn: ConnId, text: string): void {
    this.out.push({ kind: 'write', conn, bytes: asciiBytes(text) });
  }

  private timer(session: NginxSession, what: NginxTimer, at: Micros | null): void {
    this.out.push({ kind: 'timer', timer: NGINX_TIMERS.name(session.conn, what), at });
  }
}
