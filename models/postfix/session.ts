/* session - one smtpd conversation: read loop, both pipelining checks, commands, logging
 *
 * Follows smtpd_proto() in postfix/src/smtpd/smtpd.c (v3.7.11). Bytes that arrive sit in
 * `socket` (the kernel buffer) until smtpd reads; a read moves them into the vstream
 * buffer (`reader`) and, like vstream_buf_get_ready(), first flushes every reply queued
 * so far as ONE write. Processing time is a timer: while it runs nothing is read.
 */
import { asciiBytes, type ConnId, type Micros, type OutputQueue, type SocketAddress } from '../contract.js';
import { namadrListMatch } from './address-list.js';
import { CommandStats, commandsFor, LAST, LIMIT, lookupCommand, PRE_TLS, type CommandRow } from './command-table.js';
import { parseVersion, type PostfixConfig } from './config.js';
import { LineReader, type Line } from './line-reader.js';
import type { PostfixQueue } from './queue.js';
import { discards, EHLO_MASK_ENHANCEDSTATUSCODES, EHLO_MASK_SILENT, ehloMask, strEhloMask } from './ehlo-mask.js';
import { escape, printable } from './text.js';
import { applyXclientAttributes, type ClientRecord } from './xclient.js';

/** VSTREAM_BUFSIZE: one read() takes at most this much. */
const VSTREAM_BUFSIZE = 4096;
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
}

type Step = (now: Micros) => void;

interface Transaction {
  /** Assigned by the first accepted RCPT (smtpd_delay_open_until_valid_rcpt = yes). */
  queueId: string | null;
  readonly sender: string;
  readonly recipients: string[];
}

export class SmtpdSession {
  private readonly config: PostfixConfig;
  private readonly table: readonly CommandRow[];
  private readonly stats: CommandStats;
  private readonly reader = new LineReader();
  private readonly client: ClientRecord;
  private socket = '';
  private pendingOutput = '';
  private eof = false;
  private peerGone = false;
  private closed = false;
  private waitingForInput: Step | null = null;
  private afterBusy: Step | null = null;
  private where = 'CONNECT';
  private reason: string | null = null;
  private flaggedIllPipelining = false;
  private xclientAllowed: boolean;
  private ehloDiscardMask = 0;
  /** SMTPD_FLAG_HANGUP: set by any 421 or 521 reply; the loop stops before the next command. */
  private hangup = false;
  private helo: string | null = null;
  private protocol = 'SMTP';
  private saslUsername: string | null = null;
  private saslMethod: string | null = null;
  private tls = false;
  private errorCount = 0;
  private junkCommands = 0;
  private transaction: Transaction | null = null;
  /** state->act_size: message bytes received so far (for "... after DATA (N bytes)"). */
  private actSize = 0;
  /** SMTPD_PROCESSING_BDAT / SMTPD_BDAT_STAT_ERROR. */
  private bdat: 'none' | 'ok' | 'error' = 'none';
  private bdatContent = '';
  private bdatTooBig = false;

  constructor(
    private readonly shared: SmtpdShared,
    readonly conn: ConnId,
    local: SocketAddress,
    remote: SocketAddress,
  ) {
    this.config = shared.config;
    this.table = commandsFor(parseVersion(this.config.mail_version));
    this.stats = new CommandStats(this.table);
    this.client = {
      name: this.config.reverseDns[remote.host] ?? 'unknown',
      reverseName: this.config.reverseDns[remote.host] ?? 'unknown',
      addr: remote.host,
      port: String(remote.port),
      destAddr: local.host,
      destPort: String(local.port),
    };
    this.xclientAllowed = namadrListMatch(this.config.smtpd_authorized_xclient_hosts, this.client.name, this.client.addr);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private get namaddr(): string {
    return `${this.client.name}[${this.client.addr}]`;
  }

  private get busyTimer(): string {
    return `${this.conn}/busy`;
  }

  private get idleTimer(): string {
    return `${this.conn}/smtpd_timeout`;
  }

  // ---- driver side -------------------------------------------------------------------

  /** smtpd_service(): "connect from", the xclient hosts lookup, then the greeting stage. */
  start(now: Micros): void {
    this.log(`connect from ${this.namaddr}`);
    const t = this.config.timings;
    const setupUs = this.shared.sessionCount++ === 0 ? t.bannerDelayUs : t.bannerReuseDelayUs;
    this.busy(now, t.xclientLookupDelayUs + setupUs, (at) => this.greeting(at));
  }

  bytes(now: Micros, latin1: string): void {
    if (this.closed) return;
    this.socket += latin1;
    this.resumeReader(now);
  }

  endOfInput(now: Micros, reset: boolean): void {
    if (this.closed) return;
    this.eof = true;
    this.peerGone ||= reset;
    this.resumeReader(now);
  }

  timeout(now: Micros, timer: string): void {
    if (this.closed) return;
    if (timer === this.busyTimer && this.afterBusy) {
      const step = this.afterBusy;
      this.afterBusy = null;
      step(now);
    } else if (timer === this.idleTimer && this.waitingForInput) {
      // smtp_stream_setup(var_smtpd_tmout) -> SMTP_ERR_TIME.
      this.waitingForInput = null;
      this.reason = 'timeout';
      this.reply(`421 4.4.2 ${this.config.myhostname} Error: timeout exceeded`);
      this.end(now);
    }
  }

  private resumeReader(now: Micros): void {
    const step = this.waitingForInput;
    if (!step) return;
    this.waitingForInput = null;
    this.shared.out.push({ kind: 'timer', timer: this.idleTimer, at: null });
    step(now);
  }

  // ---- I/O primitives -----------------------------------------------------------------

  private log(line: string): void {
    this.shared.out.push({ kind: 'log', program: PROGRAM, line, conn: this.conn });
  }

  private reply(text: string): void {
    if (text.startsWith('421') || text.startsWith('521')) this.hangup = true;
    this.pendingOutput += `${text}\r\n`;
  }

  private flush(): void {
    if (this.pendingOutput.length === 0 || this.peerGone) return;
    this.shared.out.push({ kind: 'write', conn: this.conn, bytes: asciiBytes(this.pendingOutput) });
    this.pendingOutput = '';
  }

  private busy(now: Micros, delayUs: number, step: Step): void {
    this.afterBusy = step;
    this.shared.out.push({ kind: 'timer', timer: this.busyTimer, at: now + Math.max(0, delayUs) });
  }

  /** vstream_buf_get_ready(): flush queued replies, then read what the socket holds. */
  private fillFromSocket(): boolean {
    this.flush();
    if (this.socket.length === 0) return false;
    this.reader.fill(this.socket.slice(0, VSTREAM_BUFSIZE));
    this.socket = this.socket.slice(VSTREAM_BUFSIZE);
    return true;
  }

  /** smtp_get(): the next record, waiting (with smtpd_timeout) as long as needed. */
  private readRecord(now: Micros, limit: number, skipExcess: boolean, then: (at: Micros, line: Line) => void): void {
    const detectBareLf = this.detectBareLf();
    for (;;) {
      const line = this.reader.next({ limit, detectBareLf, skipExcess });
      if (line) return then(now, line);
      if (this.fillFromSocket()) continue;
      if (this.eof) {
        this.reason = 'lost connection';
        return this.end(now);
      }
      this.waitingForInput = (at) => this.readRecord(at, limit, skipExcess, then);
      this.shared.out.push({ kind: 'timer', timer: this.idleTimer, at: now + this.config.smtpd_timeout * 1_000_000 });
      return;
    }
  }

  private detectBareLf(): boolean {
    return this.config.smtpd_forbid_bare_newline !== 'no'
      && !namadrListMatch(this.config.smtpd_forbid_bare_newline_exclusions, this.client.name, this.client.addr);
  }

  // ---- the pipelining check -------------------------------------------------------------

  /**
   * smtpd_flag_ill_pipelining(): if nothing is buffered but the socket has input, read it
   * (smtp_fgetc + ungetc); if anything is then buffered, log its first 100 bytes escaped.
   * Note: despite "unauth" in smtpd_forbid_unauth_pipelining, smtpd_proto() makes no
   * exception for SASL- or XCLIENT-authenticated sessions; neither does this model.
   */
  private flagIllPipelining(): boolean {
    if (this.reader.empty && this.socket.length > 0) this.fillFromSocket();
    if (this.reader.empty) return false;
    const unread = escape(this.reader.unread.slice(0, 100));
    this.log(`improper command pipelining after ${this.where} from ${this.namaddr}: ${unread}`);
    this.shared.out.push({ kind: 'fact', fact: { kind: 'improperPipelining', where: this.where, unread }, conn: this.conn });
    this.flaggedIllPipelining = true;
    return true;
  }

  private rejectsPipelining(): boolean {
    return !this.flaggedIllPipelining && this.flagIllPipelining() && this.config.smtpd_forbid_unauth_pipelining;
  }

  // ---- smtpd_proto() ---------------------------------------------------------------------

  /** case 0 of smtpd_proto(): entered at connect and again by XCLIENT's longjmp. */
  private greeting(now: Micros): void {
    if (this.rejectsPipelining()) {
      this.reply('554 5.5.0 Error: SMTP protocol synchronization');
      return this.end(now);
    }
    this.ehloDiscardMask = ehloMask(this.config.smtpd_discard_ehlo_keywords);
    const sendBanner: Step = (at) => {
      this.reply(`220 ${this.config.smtpd_banner}`);
      this.commandLoop(at);
    };
    // milter_conn_event() runs after the pipelining check, before the 220.
    if (this.config.smtpd_milters.length > 0) this.busy(now, this.config.timings.milterSetupDelayUs, sendBanner);
    else sendBanner(now);
  }

  private commandLoop(now: Micros): void {
    if (this.hangup) return this.end(now);
    if (this.errorCount >= this.config.smtpd_hard_error_limit) {
      this.reason = 'too many errors';
      return this.replyThen(now, `421 4.7.0 ${this.config.myhostname} Error: too many errors`, 0, (at) => this.end(at));
    }
    this.readRecord(now, this.config.line_length_limit, true, (at, line) => this.dispatch(at, line));
  }

  private dispatch(now: Micros, line: Line): void {
    if (!line.complete) {
      this.log(`warning: ${this.namaddr}: request longer than ${this.config.line_length_limit}: ${printable(line.text.slice(0, 30))}...`);
    }
    if (line.bareLf && this.config.smtpd_forbid_bare_newline === 'reject') {
      this.log(`NOQUEUE: reject: ${this.where} from ${this.namaddr}: bare <LF> received`);
      this.reply(`${this.config.smtpd_forbid_bare_newline_reject_code} 5.5.2 ${this.config.myhostname} Error: bare <LF> received`);
      return this.end(now);
    }
    if (!isValidUtf8(line.text)) return this.protocolError(now, '500 5.5.2 Error: bad UTF-8 syntax');
    const argv = line.text.split(/[ \t]+/).filter((word) => word.length > 0);
    if (argv.length === 0) return this.protocolError(now, '500 5.5.2 Error: bad syntax');
    const row = lookupCommand(this.table, argv[0] ?? '');
    this.stats.counted(row);
    if (!row) {
      this.where = 'UNKNOWN';
      if (/^[!-9;-~]+:$/.test(argv[0] ?? '')) {
        this.log(`warning: non-SMTP command from ${this.namaddr}: ${escape(line.text).slice(0, 100)}`);
        this.reply('221 2.7.0 Error: I can break rules, too. Goodbye.');
        return this.end(now);
      }
      return this.protocolError(now, '500 5.5.2 Error: command not recognized');
    }
    // smtpd_tls_security_level = encrypt (var_smtpd_enforce_tls): only PRE_TLS commands before STARTTLS.
    if (this.config.smtpd_tls_security_level === 'encrypt' && !this.tls && (row.flags & PRE_TLS) === 0) {
      return this.protocolError(now, '530 5.7.0 Must issue a STARTTLS command first');
    }
    this.where = row.name;
    // Check 2: before a command when not ESMTP, or when the command must end a group.
    if ((this.protocol !== 'ESMTP' || (row.flags & LAST) !== 0) && this.rejectsPipelining()) {
      this.reply('554 5.5.0 Error: SMTP protocol synchronization');
      return this.end(now);
    }
    this.run(now, row, argv, line.text);
  }

  private protocolError(now: Micros, text: string): void {
    this.replyThen(now, text, this.config.timings.quickDelayUs, (at) => {
      this.errorCount++;
      this.commandLoop(at);
    });
  }

  /**
   * vsmtpd_chat_reply(): once error_count reaches smtpd_soft_error_limit, sleep
   * smtpd_error_sleep_time before the reply and flush it; then the command's own time.
   */
  private replyThen(now: Micros, text: string, delayUs: number, then: Step): void {
    if (this.errorCount < this.config.smtpd_soft_error_limit) {
      this.reply(text);
      return this.busy(now, delayUs, then);
    }
    this.busy(now, this.config.smtpd_error_sleep_time * 1_000_000, (at) => {
      this.reply(text);
      this.flush();
      this.busy(at, delayUs, then);
    });
  }

  /** After an action: success/total counts, junk limit, next command (smtpd_proto loop tail). */
  private finish(row: CommandRow, ok: boolean): Step {
    return (at) => {
      if (ok) this.stats.succeeded(row);
      else this.errorCount++;
      if ((row.flags & LIMIT) !== 0 && this.junkCommands++ > this.config.smtpd_junk_command_limit) this.errorCount++;
      if (row.name === 'QUIT') return this.end(at);
      this.commandLoop(at);
    };
  }

  private respond(now: Micros, row: CommandRow, ok: boolean, delayUs: number, text: string): void {
    this.replyThen(now, text, delayUs, this.finish(row, ok));
  }

  private run(now: Micros, row: CommandRow, argv: string[], text: string): void {
    const t = this.config.timings;
    const quick = (ok: boolean, reply: string) => this.respond(now, row, ok, t.quickDelayUs, reply);
    switch (row.name) {
      case 'HELO':
      case 'EHLO':
        return this.heloOrEhlo(now, row, argv);
      case 'XCLIENT':
        return this.xclient(now, row, argv);
      case 'XFORWARD':
        if (this.transaction) return quick(false, '503 5.5.1 Error: MAIL transaction in progress');
        if (argv.length < 2) return quick(false, '501 5.5.4 Syntax: XFORWARD attribute=value...');
        return quick(false, '550 5.7.0 Error: insufficient authorization');
      case 'STARTTLS':
        return this.starttls(now, row, argv);
      case 'AUTH':
        return this.auth(now, row, argv);
      case 'MAIL':
        return this.mail(now, row, text);
      case 'RCPT':
        return this.rcpt(now, row, text);
      case 'DATA':
        return this.data(now, row, argv);
      case 'BDAT':
        return this.bdatCommand(now, row, argv, text);
      case 'RSET':
        if (argv.length !== 1) return quick(false, '501 5.5.4 Syntax: RSET');
        this.mailReset();
        return quick(true, '250 2.0.0 Ok');
      case 'NOOP':
        if (argv.length !== 1) return quick(false, '501 5.5.4 Syntax: NOOP');
        return quick(true, '250 2.0.0 Ok');
      case 'VRFY':
        if (this.config.disable_vrfy_command) return quick(false, '502 5.5.1 VRFY command is disabled');
        if (argv.length < 2) return quick(false, '501 5.5.4 Syntax: VRFY address');
        return quick(true, `252 2.0.0 ${argv[1]}`);
      case 'ETRN':
        return this.etrn(now, row, argv);
      case 'QUIT':
        return quick(true, '221 2.0.0 Bye');
      case 'HELP':
        return quick(true, `214 2.0.0 Commands: ${this.table.map((r) => r.name).sort().join(' ')}`);
    }
  }

  /** mail_reset() + rcpt_reset(): forget the transaction, BDAT state and size. */
  private mailReset(): void {
    this.transaction = null;
    this.bdat = 'none';
    this.bdatContent = '';
    this.bdatTooBig = false;
    this.actSize = 0;
  }

  /** smtp_fread_buf(): exactly `count` bytes, through the same buffers and timeouts as lines. */
  private readBytes(now: Micros, count: number, then: (at: Micros, bytes: string) => void): void {
    let got = '';
    const step = (at: Micros): void => {
      for (;;) {
        got += this.reader.take(count - got.length);
        if (got.length === count) return then(at, got);
        if (this.fillFromSocket()) continue;
        if (this.eof) {
          this.reason = 'lost connection';
          return this.end(at);
        }
        this.waitingForInput = step;
        this.shared.out.push({ kind: 'timer', timer: this.idleTimer, at: at + this.config.smtpd_timeout * 1_000_000 });
        return;
      }
    };
    step(now);
  }

  /** bdat_cmd()/skip_bdat() (v3.7.11 ~3925): chunks read by count, LAST queues the message. */
  private bdatCommand(now: Micros, row: CommandRow, argv: string[], text: string): void {
    const t = this.config.timings;
    const noqueue = this.transaction?.queueId ?? 'NOQUEUE';
    if (discards(this.ehloDiscardMask, 'CHUNKING')) return this.respond(now, row, false, t.quickDelayUs, '521 5.5.1 Error: command not implemented');
    const size = argv[1] ?? '';
    const last = argv.length === 3;
    if (argv.length < 2 || argv.length > 3 || !/^\d+$/.test(size) || (last && (argv[2] ?? '').toUpperCase() !== 'LAST')) {
      this.log(`warning: ${noqueue}: malformed BDAT command syntax from ${this.namaddr}: ${printable(text).slice(0, 100)}`);
      return this.respond(now, row, false, t.quickDelayUs, '521 5.5.4 Syntax: BDAT count [LAST]');
    }
    const chunkSize = Number(size);
    const skip = (reply: string) =>
      this.readBytes(now, chunkSize, (at) => {
        if (last) this.mailReset();
        else this.bdat = 'error';
        this.respond(at, row, false, t.quickDelayUs, reply);
      });
    if (chunkSize === 0 && !last) {
      this.log(`warning: ${noqueue}: null BDAT request from ${this.namaddr}`);
      return skip('551 5.7.1 Null BDAT request');
    }
    if (this.bdat === 'error') return skip(`551 5.0.0 Discarded ${chunkSize} bytes after earlier error`);
    const transaction = this.transaction;
    if (this.bdat === 'none' && (!transaction || transaction.recipients.length === 0)) {
      return skip(transaction ? '554 5.5.1 Error: no valid recipients' : '503 5.5.1 Error: need RCPT command');
    }
    const limit = this.config.message_size_limit;
    if (limit > 0 && this.actSize > limit - chunkSize) {
      this.log(`warning: ${noqueue}: BDAT request from ${this.namaddr} exceeds message size limit`);
      return skip('552 5.3.4 Chunk exceeds message size limit');
    }
    this.bdat = 'ok';
    this.where = 'BDAT content';
    this.readBytes(now, chunkSize, (at, chunk) => {
      // Records are stored without their LF/CRLF and counted as len + 2 (act_size).
      const normalised = chunk.replace(/\r?\n/g, '\r\n');
      if (limit > 0 && this.actSize + normalised.length > limit) this.bdatTooBig = true;
      else {
        this.bdatContent += normalised;
        this.actSize += normalised.length;
      }
      if (!last) return this.respond(at, row, true, t.quickDelayUs, `250 2.0.0 Ok: ${chunkSize} bytes`);
      this.endOfData(at, row, transaction as Transaction, this.bdatContent, this.bdatTooBig);
    });
  }

  // ---- commands ----------------------------------------------------------------------------

  /** helo_cmd()/ehlo_cmd(): reset HELO and transaction, set the protocol, answer. */
  private heloOrEhlo(now: Micros, row: CommandRow, argv: string[]): void {
    const t = this.config.timings;
    if (argv.length < 2) return this.respond(now, row, false, t.quickDelayUs, `501 Syntax: ${row.name} hostname`);
    this.helo = argv[1] ?? '';
    this.mailReset();
    this.protocol = row.name === 'EHLO' ? 'ESMTP' : 'SMTP';
    const delay = this.shared.ehloCount++ === 0 ? t.ehloFirstDelayUs : t.ehloDelayUs;
    if (row.name === 'HELO') return this.respond(now, row, true, delay, `250 ${this.config.myhostname}`);
    const mask = this.ehloDiscardMask;
    if ((mask & EHLO_MASK_ENHANCEDSTATUSCODES) === 0 && mask !== 0 && (mask & EHLO_MASK_SILENT) === 0) {
      this.log(`discarding EHLO keywords: ${strEhloMask(mask)}`);
    }
    const words = this.ehloWords();
    this.respond(now, row, true, delay, words.map((word, i) => `250${i === words.length - 1 ? ' ' : '-'}${word}`).join('\r\n'));
  }

  /** ehlo_cmd()'s list, in its order, less smtpd_discard_ehlo_keywords. */
  private ehloWords(): string[] {
    const c = this.config;
    const keep = (keyword: string) => !discards(this.ehloDiscardMask, keyword);
    const words = [c.myhostname];
    if (keep('pipelining')) words.push('PIPELINING');
    if (keep('size')) words.push(c.message_size_limit > 0 ? `SIZE ${c.message_size_limit}` : 'SIZE');
    if (keep('vrfy') && !c.disable_vrfy_command) words.push('VRFY');
    if (keep('etrn')) words.push('ETRN');
    if (keep('starttls') && c.smtpd_tls_security_level !== 'none' && !this.tls) words.push('STARTTLS');
    if (keep('auth') && this.saslActive()) words.push(`AUTH ${c.saslMechanisms.join(' ')}`);
    if (keep('xclient') && this.xclientAllowed) words.push('XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT');
    if (keep('enhancedstatuscodes')) words.push('ENHANCEDSTATUSCODES');
    if (keep('8bitmime')) words.push('8BITMIME');
    if (keep('dsn')) words.push('DSN');
    if (keep('smtputf8')) words.push('SMTPUTF8');
    if (keep('chunking')) words.push('CHUNKING');
    return words;
  }

  private saslActive(): boolean {
    return this.config.smtpd_sasl_auth_enable && !(this.config.smtpd_tls_auth_only && !this.tls);
  }

  /** xclient_cmd(): checks, attributes, re-evaluation, resets, then longjmp to the greeting. */
  private xclient(now: Micros, row: CommandRow, argv: string[]): void {
    const t = this.config.timings;
    if (this.transaction) return this.respond(now, row, false, t.quickDelayUs, '503 5.5.1 Error: MAIL transaction in progress');
    if (argv.length < 2) return this.respond(now, row, false, t.quickDelayUs, '501 5.5.4 Syntax: XCLIENT attribute=value...');
    if (!this.xclientAllowed) return this.respond(now, row, false, t.quickDelayUs, '550 5.7.0 Error: insufficient authorization');
    const outcome = applyXclientAttributes(argv.slice(1), this.client, this.config.inet_protocols);
    if (outcome.error) return this.respond(now, row, false, t.quickDelayUs, outcome.error);
    // The lookup of smtpd_authorized_xclient_hosts (a slow tcp: table in E1) happens here.
    this.busy(now, t.xclientLookupDelayUs + t.xclientDelayUs, (at) => {
      this.xclientAllowed = namadrListMatch(this.config.smtpd_authorized_xclient_hosts, this.client.name, this.client.addr);
      if (outcome.helo !== undefined) this.helo = outcome.helo;
      else this.helo = null;
      this.protocol = outcome.proto ?? 'SMTP';
      if (outcome.login !== undefined) this.setSasl(outcome.login, 'XCLIENT', 'xclient');
      else {
        this.saslUsername = null;
        this.saslMethod = null;
      }
      this.mailReset();
      // vstream_longjmp(SMTP_ERR_NONE): the success counter is never reached (xclient=0/1).
      this.greeting(at);
    });
  }

  private setSasl(user: string, method: string, via: 'xclient' | 'sasl'): void {
    this.saslUsername = user;
    this.saslMethod = method;
    this.shared.out.push({ kind: 'fact', fact: { kind: 'authenticated', user, via }, conn: this.conn });
  }

  /** starttls_cmd(): with TLS configured, 220 and from then on a TLS session (handshake not modelled). */
  private starttls(now: Micros, row: CommandRow, argv: string[]): void {
    const t = this.config.timings;
    if (argv.length !== 1) return this.respond(now, row, false, t.quickDelayUs, '501 5.5.4 Syntax: STARTTLS');
    if (this.tls) return this.respond(now, row, false, t.quickDelayUs, '554 5.5.1 Error: TLS already active');
    if (this.config.smtpd_tls_security_level === 'none') return this.respond(now, row, false, t.quickDelayUs, '502 5.5.1 Error: command not implemented');
    this.reply('220 2.0.0 Ready to start TLS');
    this.flush();
    // "At this point there must not be any pending plaintext": vstream_fpurge(BOTH).
    this.reader.purge();
    this.tls = true;
    this.helo = null;
    this.protocol = 'SMTP';
    this.mailReset();
    this.busy(now, t.quickDelayUs, this.finish(row, true));
  }

  /** smtpd_sasl_auth_cmd() with the lab credential table standing in for Dovecot. */
  private auth(now: Micros, row: CommandRow, argv: string[]): void {
    const t = this.config.timings;
    const fail = (text: string) => this.respond(now, row, false, t.quickDelayUs, text);
    if (this.config.smtpd_helo_required && this.helo === null) return fail('503 5.5.1 Error: send HELO/EHLO first');
    if (!this.saslActive()) return fail('503 5.5.1 Error: authentication not enabled');
    if (this.transaction) return fail('503 5.5.1 Error: MAIL transaction in progress');
    if (this.saslUsername !== null) return fail('503 5.5.1 Error: already authenticated');
    if (argv.length < 2 || argv.length > 3) return fail('501 5.5.4 Syntax: AUTH mechanism');
    const mechanism = (argv[1] ?? '').toUpperCase();
    const verdict = (at: Micros, user: string | null, pass: string | null) => {
      if (user !== null && pass !== null && this.config.saslUsers[user] === pass) {
        this.setSasl(user, mechanism, 'sasl');
        return this.respond(at, row, true, t.authDelayUs, '235 2.7.0 Authentication successful');
      }
      // Dovecot's FAIL carries user= but no reason= for a bad password (xsasl_dovecot_server.c).
      this.authFailed(at, row, mechanism, '(reason unavailable)', user);
    };
    const challenge = (at: Micros, prompt: string, then: (at2: Micros, answer: string) => void) => {
      this.reply(`334 ${prompt}`);
      this.readRecord(at, 12_288, true, (at2, line) => {
        if (line.text === '*') {
          this.log(`warning: ${this.namaddr}: SASL ${mechanism} authentication aborted`);
          return this.respond(at2, row, false, t.quickDelayUs, '501 5.7.0 Authentication aborted');
        }
        then(at2, line.text);
      });
    };
    const plain = (at: Micros, b64: string) => {
      const parts = decodeBase64(b64)?.split('\0');
      if (!parts || parts.length !== 3) return verdict(at, null, null);
      verdict(at, parts[1] ?? null, parts[2] ?? null);
    };
    if (!this.config.saslMechanisms.includes(mechanism)) return this.authFailed(now, row, mechanism, 'Invalid authentication mechanism', null);
    if (mechanism === 'PLAIN') {
      if (argv.length === 3) return plain(now, argv[2] === '=' ? '' : argv[2] ?? '');
      return challenge(now, '', plain);
    }
    const askPassword = (at: Micros, user: string | null) =>
      challenge(at, 'UGFzc3dvcmQ6', (at2, answer) => verdict(at2, user, decodeBase64(answer)));
    if (argv.length === 3) return askPassword(now, decodeBase64(argv[2] ?? ''));
    challenge(now, 'VXNlcm5hbWU6', (at, answer) => askPassword(at, decodeBase64(answer)));
  }

  /** smtpd_sasl_authenticate() failure: warning with the reason and user, then 535. */
  private authFailed(now: Micros, row: CommandRow, mechanism: string, reason: string, user: string | null): void {
    this.log(`warning: ${this.namaddr}: SASL ${mechanism} authentication failed: ${reason}, sasl_username=${user ?? '(unavailable)'}`);
    this.respond(now, row, false, this.config.timings.authDelayUs, `535 5.7.8 Error: authentication failed: ${reason}`);
  }

  /** mail_cmd(): sequencing, syntax, SIZE; opens the queue file (the "client=" line). */
  private mail(now: Micros, row: CommandRow, text: string): void {
    const t = this.config.timings;
    const fail = (reply: string) => this.respond(now, row, false, t.quickDelayUs, reply);
    if (this.config.smtpd_helo_required && this.helo === null) return fail('503 5.5.1 Error: send HELO/EHLO first');
    if (this.transaction) return fail('503 5.5.1 Error: nested MAIL command');
    const match = /^\S+\s+from:\s*(.*)$/i.exec(text);
    const rest = match?.[1]?.trim() ?? '';
    if (rest === '') return fail('501 5.5.4 Syntax: MAIL FROM:<address>');
    const parsed = parsePath(rest);
    if (!parsed) return fail('501 5.1.7 Bad sender address syntax');
    for (const param of parsed.params) {
      const [key = '', value = ''] = param.split('=', 2);
      const upper = key.toUpperCase();
      if (upper === 'SIZE') {
        if (!/^\d+$/.test(value)) return fail('501 5.5.4 Bad message size syntax');
        if (this.config.message_size_limit > 0 && Number(value) > this.config.message_size_limit) return fail('552 5.3.4 Message size exceeds fixed limit');
      } else if (!['BODY', 'SMTPUTF8', 'AUTH', 'ENVID', 'RET'].includes(upper)) return fail(`555 5.5.4 Unsupported option: ${param}`);
    }
    this.transaction = { queueId: null, sender: parsed.address, recipients: [] };
    this.respond(now, row, true, t.mailDelayUs, '250 2.1.0 Ok');
  }

  private rcpt(now: Micros, row: CommandRow, text: string): void {
    const t = this.config.timings;
    const fail = (reply: string) => this.respond(now, row, false, t.quickDelayUs, reply);
    if (!this.transaction) return fail('503 5.5.1 Error: need MAIL command');
    if (this.bdat !== 'none') return fail('503 5.5.1 Error: RCPT after BDAT');
    const match = /^\S+\s+to:\s*(.*)$/i.exec(text);
    const rest = match?.[1]?.trim() ?? '';
    if (rest === '') return fail('501 5.5.4 Syntax: RCPT TO:<address>');
    const parsed = parsePath(rest);
    if (!parsed || parsed.address === '') return fail('501 5.1.3 Bad recipient address syntax');
    const transaction = this.transaction;
    const rejection = this.relayRejection(parsed.address);
    if (rejection) {
      const from = `from=<${transaction.sender}> to=<${parsed.address}> proto=${this.protocol}${this.helo !== null ? ` helo=<${this.helo}>` : ''}`;
      this.log(`${transaction.queueId ?? 'NOQUEUE'}: reject: RCPT from ${this.namaddr}: ${rejection}; ${from}`);
      return this.respond(now, row, false, t.rcptDelayUs, rejection);
    }
    // rcpt_cmd(): with smtpd_delay_open_until_valid_rcpt the queue file (and its ID and
    // the "client=" line) comes with the first accepted recipient.
    if (transaction.queueId === null) {
      transaction.queueId = this.shared.queue.allocateId(now);
      const sasl = this.saslUsername !== null ? `, sasl_method=${this.saslMethod}, sasl_username=${this.saslUsername}` : '';
      this.log(`${transaction.queueId}: client=${this.namaddr}${sasl}`);
    }
    transaction.recipients.push(parsed.address);
    this.respond(now, row, true, t.rcptDelayUs, '250 2.1.5 Ok');
  }

  /** smtpd_relay_restrictions, first match wins (smtpd_check.c generic_checks). */
  private relayRejection(recipient: string): string | null {
    const c = this.config;
    for (const restriction of c.smtpd_relay_restrictions) {
      if (restriction === 'permit_mynetworks' && namadrListMatch(c.mynetworks, this.client.name, this.client.addr)) return null;
      if (restriction === 'permit_sasl_authenticated' && this.saslUsername !== null) return null;
      if (restriction === 'reject_unauth_destination' || restriction === 'defer_unauth_destination') {
        const at = recipient.lastIndexOf('@');
        const domain = at < 0 ? null : recipient.slice(at + 1).toLowerCase();
        const authorized = domain === null || [...c.mydestination, ...c.virtual_mailbox_domains, ...c.relay_domains].some((d) => d.toLowerCase() === domain);
        if (!authorized) return restriction === 'reject_unauth_destination' ? `554 5.7.1 <${recipient}>: Relay access denied` : `450 4.7.1 <${recipient}>: Relay access denied`;
      }
    }
    return null;
  }

  /** data_cmd() + receive_data_message(): 354, content up to ".", dot-unstuffing, size limit. */
  private data(now: Micros, row: CommandRow, argv: string[]): void {
    const t = this.config.timings;
    const transaction = this.transaction;
    if (this.bdat !== 'none') return this.respond(now, row, false, t.quickDelayUs, '503 5.5.1 Error: DATA after BDAT');
    if (!transaction || transaction.recipients.length === 0) {
      const text = transaction ? '554 5.5.1 Error: no valid recipients' : '503 5.5.1 Error: need RCPT command';
      return this.respond(now, row, false, t.quickDelayUs, text);
    }
    if (argv.length !== 1) return this.respond(now, row, false, t.quickDelayUs, '501 5.5.4 Syntax: DATA');
    this.busy(now, t.dataDelayUs, (start) => {
      this.reply('354 End data with <CR><LF>.<CR><LF>');
      this.where = 'DATA content';
      let content = '';
      let tooBig = false;
      let previousBareLf = false;
      let continuing = false;
      const nextLine = (at: Micros, line: Line): void => {
        // With bare-newline detection only CRLF . CRLF ends the message (BARE_LF_FLAG_WANT_STD_EOD).
        const endOfData = !continuing && line.complete && line.text === '.' && !(line.bareLf || previousBareLf);
        if (endOfData) return this.endOfData(at, row, transaction, content, tooBig);
        const text = !continuing && line.text.startsWith('.') ? line.text.slice(1) : line.text;
        const piece = text + (line.complete ? '\r\n' : '');
        if (this.config.message_size_limit > 0 && content.length + piece.length > this.config.message_size_limit) tooBig = true;
        else {
          content += piece;
          this.actSize += piece.length;
        }
        previousBareLf = line.bareLf;
        continuing = !line.complete;
        this.readRecord(at, this.config.line_length_limit, false, nextLine);
      };
      this.readRecord(start, this.config.line_length_limit, false, nextLine);
    });
  }

  private endOfData(now: Micros, row: CommandRow, transaction: Transaction, content: string, tooBig: boolean): void {
    this.where = 'END-OF-MESSAGE';
    this.mailReset();
    if (tooBig) return this.respond(now, row, false, this.config.timings.queueDelayUs, '552 5.3.4 Error: message file too big');
    this.junkCommands = 0;
    const message = {
      queueId: transaction.queueId ?? '',
      from: transaction.sender,
      to: [...transaction.recipients],
      size: content.length,
      saslUser: this.saslUsername,
      clientAddr: this.client.addr,
    };
    this.shared.queue.enqueue({ ...message, content });
    this.shared.out.push({ kind: 'fact', fact: { kind: 'queued', ...message }, conn: this.conn });
    this.respond(now, row, true, this.config.timings.queueDelayUs, `250 2.0.0 Ok: queued as ${transaction.queueId ?? ''}`);
  }

  /** etrn_cmd(): the lab has no fast flush domains, so a valid request is denied (459). */
  private etrn(now: Micros, row: CommandRow, argv: string[]): void {
    const fail = (text: string) => this.respond(now, row, false, this.config.timings.quickDelayUs, text);
    if (this.config.smtpd_helo_required && this.helo === null) return fail('503 Error: send HELO/EHLO first');
    if (this.transaction) return fail('503 Error: MAIL transaction in progress');
    if (argv.length !== 2) return fail('500 Syntax: ETRN domain');
    const domain = (argv[1] ?? '').replace(/^[@#]/, '');
    if (!/^[A-Za-z0-9_.-]+$/.test(domain) && !/^\[[0-9A-Fa-f.:]+\]$/.test(domain)) return fail('501 Error: invalid parameter syntax');
    this.log(`warning: reject: ETRN ${domain.slice(0, 100)}... from ${this.namaddr}`);
    fail(`459 <${domain}>: service unavailable`);
  }

  // ---- end of session --------------------------------------------------------------------

  /** smtpd_proto() epilogue + smtpd_service(): abnormal-end line, statistics, close. */
  private end(now: Micros): void {
    void now;
    if (this.closed) return;
    this.closed = true;
    this.waitingForInput = null;
    this.afterBusy = null;
    this.shared.out.push({ kind: 'timer', timer: this.idleTimer, at: null });
    this.shared.out.push({ kind: 'timer', timer: this.busyTimer, at: null });
    if (this.reason) {
      if (this.where === 'DATA content') {
        this.log(`${this.reason} after DATA (${this.actSize + this.reader.unread.length} bytes) from ${this.namaddr}`);
      } else if (this.where === 'BDAT content') {
        this.log(`${this.reason} after BDAT (${this.actSize} bytes) from ${this.namaddr}`);
      } else if (this.where !== 'END-OF-MESSAGE' || this.reason !== 'lost connection') {
        this.log(`${this.reason} after ${this.where} from ${this.namaddr}`);
      }
    }
    this.log(`disconnect from ${this.namaddr}${this.stats.format()}`);
    this.flush();
    if (!this.peerGone) this.shared.out.push({ kind: 'close', conn: this.conn });
  }
}

function isValidUtf8(latin1: string): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(asciiBytes(latin1));
    return true;
  } catch {
    return false;
  }
}

function decodeBase64(text: string): string | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  return Buffer.from(text, 'base64').toString('latin1');
}

/** "<address> params" or "address params" (smtpd_token's <> handling, simplified). */
function parsePath(rest: string): { address: string; params: string[] } | null {
  const trimmed = rest.trim();
  const bracketed = /^<([^<>]*)>(.*)$/.exec(trimmed);
  if (bracketed) return { address: bracketed[1] ?? '', params: (bracketed[2] ?? '').split(/\s+/).filter(Boolean) };
  const words = trimmed.split(/\s+/);
  const address = words[0] ?? '';
  if (/[<>]/.test(address)) return null;
  return { address, params: words.slice(1) };
}
