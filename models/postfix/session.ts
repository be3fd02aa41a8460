/* session - one smtpd conversation: read loop, both pipelining checks, replies, logging
 *
 * Follows smtpd_proto() in postfix/src/smtpd/smtpd.c (v3.7.11). Bytes that arrive sit in
 * `socket` (the kernel buffer) until smtpd reads; a read moves them into the vstream
 * buffer (`reader`) and, like vstream_buf_get_ready(), first flushes every reply queued
 * so far as ONE write. Processing time is a timer: while it runs nothing is read.
 *
 * The members are the model's SMTPD_STATE: the command modules (cmd-*.ts) read and
 * change them as smtpd's *_cmd() functions change the shared state struct.
 */
import { asciiBytes, type ConnId, type Micros, type OutputQueue, type SocketAddress } from '../contract.js';
import { matchParentStyle, namadrListMatch } from './address-list.js';
import { CommandStats, commandsFor, LAST, LIMIT, lookupCommand, PRE_TLS, type CommandRow } from './command-table.js';
import { parseVersion, type PostfixConfig } from './config.js';
import { hasGate, type PostfixRelease } from './releases.js';
import { ehloMask } from './ehlo-mask.js';
import { LineReader, type Line } from './line-reader.js';
import { smtpdTokens } from './smtpd-token.js';
import { nonSmtpExcerpt } from './non-smtp.js';
import type { ContentRecords } from './content-records.js';
import type { PostfixQueue } from './queue.js';
import { escape, printable } from './text.js';
import { failAt, failureArmed } from './injected-failure.js';
import { checkMilterReply, ModelMilter } from './milter.js';
import { UpstreamProxyHandshake } from './upstream-proxy.js';
import { logWhatsup } from './whatsup.js';
import type { ClientRecord } from './xclient.js';
import { CheckState, Hangup } from './restrictions.js';
import { SavedActions } from './saved-actions.js';
import { smtpdCheckClient } from './restriction-stages.js';

/** VSTREAM_BUFSIZE: one read() takes at most this much. */
export const VSTREAM_BUFSIZE = 4096;
const PROGRAM = 'postfix/smtpd';

/** What all sessions of one smtpd instance share. */
export interface SmtpdShared {
  readonly config: PostfixConfig;
  readonly queue: PostfixQueue;
  readonly out: OutputQueue;
  /** EHLOs this process answered (the first can be slow: SASL mechanism list). */
  ehloCount: number;
  /** Sessions this process served (the first one pays for process start-up before the banner). */
  sessionCount: number;
  /** The anvil server's connection counts, by client address (anvil.c). */
  readonly anvilCounts: Map<string, number>;
  /** Sessions the lab's injected failure was armed in (injected-failure.ts). */
  sessionsFailed: number;
}

export type Step = (now: Micros) => void;

export interface Transaction {
  /** Assigned by the first accepted RCPT (smtpd_delay_open_until_valid_rcpt = yes). */
  queueId: string | null;
  readonly sender: string;
  readonly recipients: string[];
  /** MAIL declared SMTPUTF8 (SMTPD_FLAG_SMTPUTF8): RCPT may then use a non-ASCII domain. */
  readonly smtputf8: boolean;
  /** How cleanup finished the queue file, once the message ended well; unset: not queued (canceled). */
  outcome?: 'queued' | 'discarded';
}

export class SmtpdSession {
  readonly config: PostfixConfig;
  readonly release: PostfixRelease;
  /** smtpd_flag_ill_pipelining() and smtpd_forbid_unauth_pipelining exist (releases.ts forbid_unauth_pipelining). */
  readonly forbidsUnauthPipelining: boolean;
  readonly table: readonly CommandRow[];
  readonly stats: CommandStats;
  readonly reader = new LineReader();
  readonly client: ClientRecord;
  socket = '';
  pendingOutput = '';
  eof = false;
  peerGone = false;
  closed = false;
  waitingForInput: Step | null = null;
  afterBusy: Step | null = null;
  where = 'CONNECT';
  reason: string | null = null;
  flaggedIllPipelining = false;
  /** xclient_allowed, decided in smtpd_service() once the client's address is known. */
  xclientAllowed = false;
  /** anvil has counted this connection (and must be told when it ends). */
  private anvilCounted = false;
  /** The lab's injected failure is still to hit this session (injected-failure.ts). */
  failureArmed = false;
  /** state->milters: this connection's milter when smtpd_milters is set (setup_milters(), milter.ts). */
  milter: ModelMilter | null = null;
  /** smtpd_upstream_proxy_protocol: the PROXY header still awaited (upstream-proxy.ts). */
  proxyHandshake: UpstreamProxyHandshake | null = null;
  ehloDiscardMask = 0;
  /** state->notes & SMTPD_NOTE_BARE_LF: smtpd_forbid_bare_newline = note saw a bare LF (" notes=bare_lf" at disconnect). */
  bareLfNoted = false;
  /** The restriction checks' part of SMTPD_STATE (restrictions.ts). */
  readonly checks = new CheckState();
  /** saved_flags and the access tables' FILTER, REDIRECT, BCC, PREPEND and DISCARD for the transaction (saved-actions.ts). */
  readonly saved = new SavedActions();
  /**
   * state->access_denied: smtpd_client_restrictions' reject at connect (smtpd_delay_reject = no); every
   * command but QUIT is then refused (smtpd_proto(), smtpd.c v3.7.11).
   */
  accessDenied: string | null = null;
  /** SMTPD_FLAG_HANGUP: set by any 421 or 521 reply; the loop stops before the next command. */
  hangup = false;
  helo: string | null = null;
  protocol = 'SMTP';
  saslUsername: string | null = null;
  saslMethod: string | null = null;
  tls = false;
  errorCount = 0;
  junkCommands = 0;
  transaction: Transaction | null = null;
  /**
   * state->msg_size and state->sasl_sender: MAIL's SIZE= and AUTH= (envelope-options.ts). Only
   * mail_reset() clears them, not a MAIL that fails after setting them (mail_cmd(), smtpd.c v3.7.11).
   */
  msgSize = 0;
  saslSender: string | null = null;
  /** state->act_size: message bytes received so far (for "... after DATA (N bytes)"). */
  actSize = 0;
  /**
   * Bytes of the BDAT fragment being read (at most VSTREAM_BUFSIZE), no record yet: state->buffer while smtp_fread_buf()
   * waits, which "after BDAT (N bytes)" adds (smtpd_proto() epilogue); between chunks it is reader.held, the next command.
   */
  chunkBytesRead = 0;
  /** SMTPD_PROCESSING_BDAT / SMTPD_BDAT_STAT_ERROR. */
  bdat: 'none' | 'ok' | 'error' = 'none';
  /** The message BDAT chunks are building, with its error; made at the first chunk. */
  bdatRecords: ContentRecords | null = null;
  /** Timer names, built once: every read sets or cancels the idle timer. */
  readonly busyTimer: string;
  readonly idleTimer: string;

  constructor(
    readonly shared: SmtpdShared,
    readonly conn: ConnId,
    readonly local: SocketAddress,
    remote: SocketAddress,
  ) {
    this.config = shared.config;
    this.busyTimer = `${conn}/busy`;
    this.idleTimer = `${conn}/smtpd_timeout`;
    this.release = parseVersion(this.config.mail_version);
    this.table = commandsFor(this.release);
    this.forbidsUnauthPipelining = hasGate(this.release, 'forbid_unauth_pipelining');
    this.stats = new CommandStats(this.table);
    this.client = {
      name: this.config.reverseDns[remote.host] ?? 'unknown',
      reverseName: this.config.reverseDns[remote.host] ?? 'unknown',
      addr: remote.host,
      port: String(remote.port),
      destAddr: local.host,
      destPort: String(local.port),
    };
    this.rebuildNamaddr();
  }

  /**
   * state->namaddr, "name[addr]": built when the client is known (smtpd_peer_init(), after an
   * upstream proxy's header) and again only by an XCLIENT whose attributes all pass. A refused
   * XCLIENT has already set the NAME and ADDR it checked (UPDATE_STR) but returns before the
   * rebuild (xclient_cmd() "if (update_namaddr)", smtpd.c v3.7.11): the log keeps the old one.
   */
  namaddr = '';

  /** SMTPD_BUILD_NAMADDRPORT() without the port (smtpd_client_port_logging = no). */
  rebuildNamaddr(): void {
    this.namaddr = `${this.client.name}[${this.client.addr}]`;
  }


  // ---- driver side -------------------------------------------------------------------

  /** smtpd_state_init(): with an upstream proxy, smtpd_peer_init() first reads its header. */
  start(now: Micros): void {
    if (this.config.smtpd_upstream_proxy_protocol === '') return this.serve(now);
    this.proxyHandshake = new UpstreamProxyHandshake(this, now, (at) => this.serve(at));
  }

  /** smtpd_service(): "connect from", the xclient hosts lookup, then the greeting stage. */
  private serve(now: Micros): void {
    this.rebuildNamaddr();
    // smtpd.c pre_jail_init(): xclient_hosts is made with MATCH_FLAG_RETURN alone, never the parent style.
    this.xclientAllowed = namadrListMatch(this.config.smtpd_authorized_xclient_hosts, this.client.name, this.client.addr, false);
    this.log(`connect from ${this.namaddr}`);
    this.failureArmed = failureArmed(this.config.injectedFailure, this.shared.sessionsFailed);
    if (this.failureArmed) this.shared.sessionsFailed++;
    this.setupMilters();
    const t = this.config.timings;
    const setupUs = this.shared.sessionCount++ === 0 ? t.bannerDelayUs : t.bannerReuseDelayUs;
    this.busy(now, t.xclientLookupDelayUs + setupUs, (at) => this.greeting(at));
  }

  /** setup_milters(): a fresh milter for the connection, and again for the client XCLIENT names (xclient_cmd()). */
  setupMilters(): void {
    const name = this.config.smtpd_milters[0];
    this.milter = name === undefined ? null : new ModelMilter(this.config.milterReplies, this.config.milter_default_action, this.release, name, (line) => this.log(line), this.saved.flags);
    const unreachable = this.milter?.unreachable;
    if (!unreachable) return;
    // milter8_connect(): the connect(2) to an unreachable milter fails (the lab's: refused); then milter8_comm_error().
    this.log(`warning: connect to Milter service ${name}: Connection refused`);
    if (unreachable.warning !== null) this.log(unreachable.warning);
  }

  bytes(now: Micros, latin1: string): void {
    if (this.closed) return;
    this.socket += latin1;
    if (this.proxyHandshake) return this.proxyHandshake.readable(now);
    this.resumeReader(now);
  }

  endOfInput(now: Micros, reset: boolean): void {
    if (this.closed) return;
    this.eof = true;
    this.peerGone ||= reset;
    if (this.proxyHandshake) return this.proxyHandshake.readable(now);
    this.resumeReader(now);
  }

  timeout(now: Micros, timer: string): void {
    if (this.closed) return;
    if (timer === this.busyTimer && this.afterBusy) {
      const step = this.afterBusy;
      this.afterBusy = null;
      this.run(now, step);
    } else if (timer === this.idleTimer && this.waitingForInput) {
      // smtp_stream_setup(var_smtpd_tmout) -> SMTP_ERR_TIME.
      this.waitingForInput = null;
      this.reason = 'timeout';
      this.reply(`421 4.4.2 ${this.config.myhostname} Error: timeout exceeded`);
      this.end();
    } else if (timer === this.proxyHandshake?.timer) {
      this.proxyHandshake.expired(now);
    }
  }

  resumeReader(now: Micros): void {
    const step = this.waitingForInput;
    if (!step) return;
    this.waitingForInput = null;
    this.shared.out.push({ kind: 'timer', timer: this.idleTimer, at: null });
    this.run(now, step);
  }

  /**
   * One step of smtpd_proto()'s loop under its vstream_setjmp(): an access table's HANGUP (Hangup) is
   * vstream_longjmp(SMTP_ERR_QUIET) after shutdown(SHUT_RDWR), so replies still buffered never leave
   * and the session ends with no reply and no abnormal-end line, only "disconnect from" (smtpd.c v3.7.11).
   */
  private run(now: Micros, step: Step): void {
    try {
      step(now);
    } catch (jump) {
      if (!(jump instanceof Hangup)) throw jump;
      this.pendingOutput = '';
      this.end();
    }
  }

  // ---- I/O primitives -----------------------------------------------------------------

  /** A line cleanup logs about this session's queue file (cleanup-milter.ts, mailReset()). */
  cleanupLog(line: string): void {
    this.shared.out.push({ kind: 'log', program: 'postfix/cleanup', line, conn: this.conn });
  }

  log(line: string): void {
    this.shared.out.push({ kind: 'log', program: PROGRAM, line, conn: this.conn });
  }

  /** smtpd_chat_reply(): with soft_bounce a 5xx reply, and a 5 as its DSN's first digit, become 4 (vsmtpd_chat_reply(), smtpd_chat.c v3.7.11). */
  reply(text: string): void {
    if (text.startsWith('421') || text.startsWith('521')) this.hangup = true;
    const sent = this.config.soft_bounce && text.startsWith('5') ? `4${text.slice(1, 4)}${text[4] === '5' ? '4' : text.slice(4, 5)}${text.slice(5)}` : text;
    this.pendingOutput += `${sent}\r\n`;
  }

  flush(): void {
    if (this.pendingOutput.length === 0 || this.peerGone) return;
    this.shared.out.push({ kind: 'write', conn: this.conn, bytes: asciiBytes(this.pendingOutput) });
    this.pendingOutput = '';
  }

  busy(now: Micros, delayUs: number, step: Step): void {
    this.afterBusy = step;
    this.shared.out.push({ kind: 'timer', timer: this.busyTimer, at: now + Math.max(0, delayUs) });
  }

  /** vstream_buf_get_ready(): flush queued replies, then read what the socket holds. */
  fillFromSocket(): boolean {
    this.flush();
    if (this.socket.length === 0) return false;
    this.reader.fill(this.socket.slice(0, VSTREAM_BUFSIZE));
    this.socket = this.socket.slice(VSTREAM_BUFSIZE);
    return true;
  }

  /** smtp_get(): the next record, waiting (with smtpd_timeout) as long as needed. */
  readRecord(now: Micros, limit: number, skipExcess: boolean, then: (at: Micros, line: Line) => void): void {
    const detectBareLf = this.detectBareLf();
    for (;;) {
      const line = this.reader.next({ limit, detectBareLf, skipExcess });
      if (line) return then(now, line);
      if (this.fillFromSocket()) continue;
      if (this.eof) {
        this.reason = 'lost connection';
        return this.end();
      }
      this.waitingForInput = (at) => this.readRecord(at, limit, skipExcess, then);
      this.shared.out.push({ kind: 'timer', timer: this.idleTimer, at: now + this.config.smtpd_timeout * 1_000_000 });
      return;
    }
  }

  detectBareLf(): boolean {
    return this.config.smtpd_forbid_bare_newline !== 'no'
      // smtpd.c pre_jail_init(): bare_lf_excl takes match_parent_style(VAR_MYNETWORKS), mynetworks' style.
      && !namadrListMatch(this.config.smtpd_forbid_bare_newline_exclusions ?? this.config.mynetworks, this.client.name, this.client.addr, matchParentStyle(this.config.parent_domain_matches_subdomains, 'mynetworks'));
  }

  // ---- the pipelining check -------------------------------------------------------------

  /**
   * smtpd_flag_ill_pipelining(): if nothing is buffered but the socket has input, read it
   * (smtp_fgetc + ungetc); if anything is then buffered, log its first 100 bytes escaped.
   * Note: despite "unauth" in smtpd_forbid_unauth_pipelining, smtpd_proto() makes no
   * exception for SASL- or XCLIENT-authenticated sessions; neither does this model.
   * Before that function (releases.ts forbid_unauth_pipelining: 3.7.5 and older) the per-command
   * check only peeked: input still in the socket was flagged, but the log line showed only what
   * the stream buffer held, often nothing (smtpd.c smtpd_proto(), v3.7.5).
   */
  flagIllPipelining(): boolean {
    if (!this.forbidsUnauthPipelining) {
      if (this.reader.empty && this.socket.length === 0) return false;
    } else {
      if (this.reader.empty && this.socket.length > 0) this.fillFromSocket();
      if (this.reader.empty) return false;
    }
    const unread = escape(this.reader.unread.slice(0, 100));
    this.log(`improper command pipelining after ${this.where} from ${this.namaddr}: ${unread}`);
    this.shared.out.push({ kind: 'fact', fact: { kind: 'improperPipelining', where: this.where, unread }, conn: this.conn });
    this.flaggedIllPipelining = true;
    return true;
  }

  rejectsPipelining(): boolean {
    // A release without the parameter only logs, whatever a hand-built config says.
    return !this.flaggedIllPipelining && this.flagIllPipelining() && this.forbidsUnauthPipelining && this.config.smtpd_forbid_unauth_pipelining;
  }

  // ---- smtpd_proto() ---------------------------------------------------------------------

  /** case 0 of smtpd_proto(): entered at connect and again by XCLIENT's longjmp. */
  /** The greeting stage: the pipelining check looks at what has arrived by `now`; the reply follows `replyDelayUs` later. */
  greeting(now: Micros, replyDelayUs = 0): void {
    // "Don't bother doing anything if some pre-SMTP handshake (haproxy) did not work out."
    if (this.hangup) {
      this.reply(`421 4.3.0 ${this.config.myhostname} Server local error`);
      return this.end();
    }
    // The greeting-stage check came with smtpd_forbid_unauth_pipelining (releases.ts forbid_unauth_pipelining).
    if (this.forbidsUnauthPipelining && this.rejectsPipelining()) {
      return replyDelayUs > 0 ? this.busy(now, replyDelayUs, () => this.rejectGreeting()) : this.rejectGreeting();
    }
    if (this.exceedsConnectionCount()) return this.end();
    this.ehloDiscardMask = ehloMask(this.config.smtpd_discard_ehlo_keywords);
    // milter_conn_event() runs after the pipelining check, before the 220.
    const setupUs = (this.config.smtpd_milters.length > 0 ? this.config.timings.milterSetupDelayUs : 0) + replyDelayUs;
    if (setupUs > 0) this.busy(now, setupUs, (at) => this.sendBanner(at));
    else this.sendBanner(now);
  }

  /**
   * smtpd_proto() case 0, after the pipelining check: anvil counts this connection unless the
   * client may send XCLIENT or is in smtpd_client_event_limit_exceptions (default $mynetworks),
   * and over smtpd_client_connection_count_limit the client gets 421 and the session ends.
   */
  private exceedsConnectionCount(): boolean {
    const c = this.config;
    // smtpd.c pre_jail_init(): hogger_list takes its own name's style (DEF_PAR_DOM_MATCH does not hold it), even when it defaults to $mynetworks.
    const parent = matchParentStyle(c.parent_domain_matches_subdomains, 'smtpd_client_event_limit_exceptions');
    if (this.xclientAllowed || namadrListMatch(c.smtpd_client_event_limit_exceptions ?? c.mynetworks, this.client.name, this.client.addr, parent)) return false;
    const count = (this.shared.anvilCounts.get(this.client.addr) ?? 0) + 1;
    this.shared.anvilCounts.set(this.client.addr, count);
    this.anvilCounted = true;
    if (c.smtpd_client_connection_count_limit <= 0 || count <= c.smtpd_client_connection_count_limit) return false;
    this.log(`warning: Connection concurrency limit exceeded: ${count} from ${this.namaddr} for service ${masterServiceName(this.local.port)}`);
    this.reply(`421 4.7.0 ${c.myhostname} Error: too many connections from ${this.client.addr}`);
    return true;
  }

  // Methods rather than named local arrows: tsx (esbuild keepNames) wraps each named arrow in a
  // defineProperty call every time it is created, once per connection here.
  private rejectGreeting(): void {
    this.reply('554 5.5.0 Error: SMTP protocol synchronization');
    this.end();
  }

  /**
   * smtpd_proto() case 0, the greeting: milter_conn_event() first. A 5xx from the milter answers
   * 554 and counts an error, a 421 (or SMFIR_SHUTDOWN) answers 421 and hangs up; any other reply,
   * a 4xx too, lets the 220 out and persists to MAIL and the commands after it (milter.ts).
   */
  private sendBanner(now: Micros): void {
    if (failAt(this, now, null)) return;
    // "We use the real client for connect access control": with smtpd_delay_reject = no the client
    // restrictions' reject replaces the greeting (and the milter's connect event), counted as an error.
    const denied = this.config.smtpd_delay_reject ? null : smtpdCheckClient(this);
    if (denied !== null) {
      this.accessDenied = denied;
      this.reply(denied);
      this.errorCount++;
      return this.commandLoop(now);
    }
    const verdict = this.milter?.connect();
    const err = verdict ? checkMilterReply(this, verdict) : null;
    if (err?.startsWith('5')) {
      this.reply(`554 ${this.config.myhostname} ESMTP not accepting connections`);
      this.errorCount++;
    } else if (err?.startsWith('421')) {
      this.reply(`421 ${this.config.myhostname} Service unavailable - try again later`);
    } else {
      this.reply(`220 ${this.config.smtpd_banner}`);
    }
    this.commandLoop(now);
  }

  commandLoop(now: Micros): void {
    if (this.hangup) return this.end();
    if (this.errorCount >= this.config.smtpd_hard_error_limit) {
      this.reason = 'too many errors';
      return this.replyThen(now, `421 4.7.0 ${this.config.myhostname} Error: too many errors`, 0, () => this.end());
    }
    this.readRecord(now, this.config.line_length_limit, true, (at, line) => this.dispatch(at, line));
  }

  dispatch(now: Micros, line: Line): void {
    if (!line.complete) this.warnRequestTooLong(this.config.line_length_limit, line.text);
    if (line.bareLf && this.config.smtpd_forbid_bare_newline === 'reject') {
      logWhatsup(this, 'reject', 'bare <LF> received');
      this.reply(`${this.config.smtpd_forbid_bare_newline_reject_code} 5.5.2 ${this.config.myhostname} Error: bare <LF> received`);
      return this.end();
    }
    this.noteBareLf(line);
    // smtp_get() keeps a NUL byte in the line, but smtpd_proto() reads the buffer as a C string
    // (valid_utf8_stringz(), smtpd_token(vstring_str(state->buffer))): the command ends at the
    // first NUL. "MAIL FROM:<a\0b@example.test>" is "MAIL FROM:<a", a sender syntax error.
    const nul = line.text.indexOf('\0');
    const text = nul < 0 ? line.text : line.text.slice(0, nul);
    if (!isValidUtf8(text)) return this.protocolError(now, '500 5.5.2 Error: bad UTF-8 syntax');
    // smtpd_proto(): every command's words are smtpd_token()'s (smtpd.c v3.7.11), so white space is
    // ISSPACE's (a CR, VT or FF inside the line splits too), a <...> or "..." stretch is one word, and
    // "to:"/"from:" end at their colon: "NOOP\rx" is NOOP with one argument, 250.
    const argv = smtpdTokens(text).map((token) => token.text);
    if (argv.length === 0) return this.protocolError(now, '500 5.5.2 Error: bad syntax');
    const row = lookupCommand(this.table, argv[0] ?? '');
    this.stats.counted(row);
    if (!row) {
      this.where = 'UNKNOWN';
      const excerpt = nonSmtpExcerpt(this.release, argv[0] ?? '', line.text);
      if (excerpt !== null) {
        this.log(`warning: non-SMTP command from ${this.namaddr}: ${excerpt}`);
        this.reply('221 2.7.0 Error: I can break rules, too. Goodbye.');
        return this.end();
      }
    }
    if (this.accessDenied !== null && row?.name !== 'QUIT') return this.refuseDenied(now);
    if (!row) {
      // milter_unknown_event(): a rejecting milter's reply instead of the 500.
      const verdict = this.milter?.unknown();
      return this.protocolError(now, (verdict ? checkMilterReply(this, verdict) : null) ?? '500 5.5.2 Error: command not recognized');
    }
    // smtpd_tls_security_level = encrypt (var_smtpd_enforce_tls): only PRE_TLS commands before STARTTLS.
    if (this.config.smtpd_tls_security_level === 'encrypt' && !this.tls && (row.flags & PRE_TLS) === 0) {
      return this.protocolError(now, '530 5.7.0 Must issue a STARTTLS command first');
    }
    this.where = row.name;
    // Check 2: before a command when not ESMTP, or when the command must end a group.
    if ((this.protocol !== 'ESMTP' || (row.flags & LAST) !== 0) && this.rejectsPipelining()) {
      this.reply('554 5.5.0 Error: SMTP protocol synchronization');
      return this.end();
    }
    if (failAt(this, now, row)) return;
    row.action(this, now, row, argv, text);
  }

  /** The access_denied reply: a x21 one (a milter's 421) again as it is, else 503 and an error; the command does not run. */
  private refuseDenied(now: Micros): void {
    const denied = this.accessDenied ?? '';
    if (denied.slice(1, 3) === '21') return this.replyThen(now, denied, this.config.timings.quickDelayUs, (at) => this.commandLoop(at));
    this.protocolError(now, `503 5.7.0 Error: access denied for ${this.namaddr}`);
  }

  /** IS_BARE_LF_NOTE_LOG(smtp_got_bare_lf): for command lines and for DATA and BDAT content records alike. */
  noteBareLf(line: Line): void {
    if (line.bareLf && this.config.smtpd_forbid_bare_newline === 'note') this.bareLfNoted = true;
  }

  /** smtpd_chat_query_limit()'s warning when smtp_get() stopped at `limit` without a LF. */
  warnRequestTooLong(limit: number, text: string): void {
    this.log(`warning: ${this.namaddr}: request longer than ${limit}: ${printable(text.slice(0, 30))}...`);
  }

  protocolError(now: Micros, text: string): void {
    this.replyThen(now, text, this.config.timings.quickDelayUs, (at) => {
      this.errorCount++;
      this.commandLoop(at);
    });
  }

  /**
   * vsmtpd_chat_reply(): once error_count reaches smtpd_soft_error_limit, sleep
   * smtpd_error_sleep_time before the reply and flush it; then the command's own time.
   * `text` as a list is one smtpd_chat_reply() per item, as ehlo_cmd() writes its lines
   * (smtpd.c v3.7.11): each item then sleeps and is flushed on its own, so a 12-line EHLO reply
   * takes 12 s (the real 3.7.11 sends one line a second).
   */
  replyThen(now: Micros, text: string | readonly string[], delayUs: number, then: Step): void {
    const calls = typeof text === 'string' ? [text] : text;
    if (this.errorCount < this.config.smtpd_soft_error_limit) {
      for (const call of calls) this.reply(call);
      return this.busy(now, delayUs, then);
    }
    const sleepThenReply = (at: Micros, index: number): void =>
      this.busy(at, this.config.smtpd_error_sleep_time * 1_000_000, (after) => {
        this.reply(calls[index]!);
        this.flush();
        if (index + 1 < calls.length) sleepThenReply(after, index + 1);
        else this.busy(after, delayUs, then);
      });
    sleepThenReply(now, 0);
  }

  /** After an action: success/total counts, junk limit, next command (smtpd_proto loop tail). */
  finish(row: CommandRow, ok: boolean): Step {
    return (at) => {
      if (ok) this.stats.succeeded(row);
      else this.errorCount++;
      if ((row.flags & LIMIT) !== 0 && this.junkCommands++ > this.config.smtpd_junk_command_limit) this.errorCount++;
      if (row.name === 'QUIT') return this.end();
      this.commandLoop(at);
    };
  }

  respond(now: Micros, row: CommandRow, ok: boolean, delayUs: number, text: string | readonly string[]): void {
    this.replyThen(now, text, delayUs, this.finish(row, ok));
  }

  /** A command that takes smtpd no measurable time: reply after the quick delay. */
  quickReply(now: Micros, row: CommandRow, ok: boolean, reply: string): void {
    this.respond(now, row, ok, this.config.timings.quickDelayUs, reply);
  }

  /**
   * mail_reset() + rcpt_reset(): forget the transaction, BDAT state and size; milter_abort() and
   * saved_flags. A queue file it closes unqueued is removed by cleanup_flush(), which from 3.10.0
   * logs it (releases.ts cleanup_logs_removed).
   */
  mailReset(): void {
    const transaction = this.transaction;
    if (transaction?.queueId != null && transaction.outcome !== 'queued' && hasGate(this.release, 'cleanup_logs_removed')) {
      this.cleanupLog(`${transaction.queueId}: removed (${transaction.outcome === 'discarded' ? 'discarded' : 'canceled'})`);
    }
    this.transaction = null;
    this.bdat = 'none';
    this.bdatRecords = null;
    this.actSize = 0;
    this.msgSize = 0;
    this.saslSender = null;
    this.milter?.abort();
    this.saved.reset();
  }

  /** smtp_fread_buf(): exactly `count` bytes, through the same buffers and timeouts as lines. */
  readBytes(now: Micros, count: number, then: (at: Micros, bytes: string) => void): void {
    let got = '';
    const step = (at: Micros): void => {
      for (;;) {
        got += this.reader.take(count - got.length);
        this.chunkBytesRead = got.length;
        if (got.length === count) {
          this.chunkBytesRead = 0;
          return then(at, got);
        }
        if (this.fillFromSocket()) continue;
        if (this.eof) {
          this.reason = 'lost connection';
          return this.end();
        }
        this.waitingForInput = step;
        this.shared.out.push({ kind: 'timer', timer: this.idleTimer, at: at + this.config.smtpd_timeout * 1_000_000 });
        return;
      }
    };
    step(now);
  }

  // ---- commands ----------------------------------------------------------------------------

  /**
   * smtpd_sasl_is_active(): smtpd_proto() activates SASL unless smtpd_tls_auth_only holds and there is
   * no TLS yet; smtpd_tls_security_level = encrypt implies smtpd_tls_auth_only (pre_jail_init()).
   */
  saslActive(): boolean {
    const authOnly = this.config.smtpd_tls_auth_only || this.config.smtpd_tls_security_level === 'encrypt';
    return this.config.smtpd_sasl_auth_enable && !(authOnly && !this.tls);
  }

  setSasl(user: string, method: string, via: 'xclient' | 'sasl'): void {
    this.saslUsername = user;
    this.saslMethod = method;
    this.shared.out.push({ kind: 'fact', fact: { kind: 'authenticated', user, via }, conn: this.conn });
  }

  /** smtpd_sasl_auth_reset() (smtpd_sasl_logout()): no SASL identity any more. */
  saslLogout(): void {
    this.saslUsername = null;
    this.saslMethod = null;
  }

  // ---- end of session --------------------------------------------------------------------

  /**
   * smtpd_proto() epilogue + smtpd_service(): abnormal-end line, statistics, close. `died`: the
   * process ended instead (injected-failure.ts): no lines, and replies not yet flushed are lost.
   */
  end({ died = false }: { readonly died?: boolean } = {}): void {
    if (this.closed) return;
    this.closed = true;
    if (this.anvilCounted) {
      // anvil_clnt_disconnect(): the count drops when the session ends.
      const left = (this.shared.anvilCounts.get(this.client.addr) ?? 1) - 1;
      if (left > 0) this.shared.anvilCounts.set(this.client.addr, left);
      else this.shared.anvilCounts.delete(this.client.addr);
    }
    this.waitingForInput = null;
    this.afterBusy = null;
    this.shared.out.push({ kind: 'timer', timer: this.idleTimer, at: null });
    this.shared.out.push({ kind: 'timer', timer: this.busyTimer, at: null });
    if (died) this.pendingOutput = '';
    else this.logEnd();
    // smtpd_proto()'s mail_reset() at the end closes a queue file still open (cleanup's line races smtpd's; the lab puts it after).
    this.mailReset();
    this.flush();
    if (!this.peerGone) this.shared.out.push({ kind: 'close', conn: this.conn });
  }

  private logEnd(): void {
    if (this.reason) {
      // From 3.10.0 the line starts with the queue ID or NOQUEUE (releases.ts abnormal_end_queue_id).
      const queueId = hasGate(this.release, 'abnormal_end_queue_id') ? `${this.transaction?.queueId ?? 'NOQUEUE'}: ` : '';
      if (this.where === 'DATA content') {
        this.log(`${queueId}${this.reason} after DATA (${this.actSize + this.reader.unread.length} bytes) from ${this.namaddr}`);
      } else if (this.where === 'BDAT content') {
        this.log(`${queueId}${this.reason} after BDAT (${this.actSize + this.chunkBytesRead + this.reader.held + (this.bdatRecords?.pendingBytes ?? 0)} bytes) from ${this.namaddr}`);
      } else if (this.where !== 'END-OF-MESSAGE' || this.reason !== 'lost connection') {
        this.log(`${queueId}${this.reason} after ${this.where} from ${this.namaddr}`);
      }
    }
    this.log(`disconnect from ${this.namaddr}${this.stats.format()}${this.bareLfNoted ? ' notes=bare_lf' : ''}`);
  }
}

function isValidUtf8(latin1: string): boolean {
  // Fast path: pure ASCII (every command a client model sends) is valid UTF-8; the decoder
  // is only needed when a byte >= 0x80 appears.
  if (isAscii(latin1)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(asciiBytes(latin1));
    return true;
  } catch {
    return false;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** The master.cf name of the inet service on `port`: "smtp" for 25, the port itself otherwise (Mailu's "10025"). */
function masterServiceName(port: number): string {
  return port === 25 ? 'smtp' : String(port);
}
