/* cmd-message - DATA and BDAT: message content, size limit, queueing
 *
 * data_cmd(), receive_data_message(), bdat_cmd(), skip_bdat() in postfix/src/smtpd/smtpd.c (v3.7.11);
 * smtpd_check_data() at DATA and the first BDAT, smtpd_check_eod() in common_post_message_handling() (restriction-stages.ts).
 */
import type { Micros } from '../contract.js';
import type { CommandRow } from './command-table.js';
import { discards } from './ehlo-mask.js';
import type { Line } from './line-reader.js';
import { ContentRecords } from './content-records.js';
import { VSTREAM_BUFSIZE, type SmtpdSession, type Transaction } from './session.js';
import { isOffT } from './off-cvt.js';
import { logWhatsup } from './whatsup.js';
import { endOfMessageMilter } from './cleanup-milter.js';
import { checkMilterReply } from './milter.js';
import { smtpdCheckData, smtpdCheckEod } from './restriction-stages.js';
import { printable } from './text.js';

/** bdat_cmd()/skip_bdat() (v3.7.11 ~3925): chunks read by count, LAST queues the message. */
export function bdatCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: string[], text: string): void {
  const t = s.config.timings;
  const noqueue = s.transaction?.queueId ?? 'NOQUEUE';
  if (discards(s.ehloDiscardMask, 'CHUNKING')) return s.respond(now, row, false, t.quickDelayUs, '521 5.5.1 Error: command not implemented');
  const size = argv[1] ?? '';
  const last = argv.length === 3;
  // alldig(), then off_cvt_string(): a count past off_t is malformed too.
  if (argv.length < 2 || argv.length > 3 || !/^\d+$/.test(size) || !isOffT(size) || (last && (argv[2] ?? '').toUpperCase() !== 'LAST')) {
    s.log(`warning: ${noqueue}: malformed BDAT command syntax from ${s.namaddr}: ${printable(text).slice(0, 100)}`);
    return s.respond(now, row, false, t.quickDelayUs, '521 5.5.4 Syntax: BDAT count [LAST]');
  }
  const chunkSize = Number(size);
  const skip = (reply: string) =>
    s.readBytes(now, chunkSize, (at) => {
      if (last) s.mailReset();
      else s.bdat = 'error';
      s.respond(at, row, false, t.quickDelayUs, reply);
    });
  if (chunkSize === 0 && !last) {
    s.log(`warning: ${noqueue}: null BDAT request from ${s.namaddr}`);
    return skip('551 5.7.1 Null BDAT request');
  }
  if (s.bdat === 'error') return skip(`551 5.0.0 Discarded ${chunkSize} bytes after earlier error`);
  const transaction = s.transaction;
  if (s.bdat === 'none' && (!transaction || transaction.recipients.length === 0)) {
    return skip(transaction ? '554 5.5.1 Error: no valid recipients' : '503 5.5.1 Error: need RCPT command');
  }
  // The first BDAT of a transaction is "a kind of DATA command": smtpd_check_data() and milter_data_event() before the size check.
  const milterErr = s.bdat === 'none' ? smtpdCheckData(s) ?? milterDataEvent(s) : null;
  if (milterErr !== null) return skip(milterErr);
  const limit = s.config.message_size_limit;
  if (limit > 0 && s.actSize > limit - chunkSize) {
    s.log(`warning: ${noqueue}: BDAT request from ${s.namaddr} exceeds message size limit`);
    return skip('552 5.3.4 Chunk exceeds message size limit');
  }
  s.bdat = 'ok';
  s.where = 'BDAT content';
  const records = (s.bdatRecords ??= new ContentRecords(s));
  // The chunk is read VSTREAM_BUFSIZE bytes at a time, each fragment cut into records at once; the
  // loop runs once for an empty chunk too (BDAT 0 LAST ends the message).
  const readFragment = (at: Micros, done: number): void => {
    const readLen = Math.min(chunkSize - done, VSTREAM_BUFSIZE);
    s.readBytes(at, readLen, (after, bytes) => {
      records.storeFragment(bytes, last && done + readLen === chunkSize);
      if (done + readLen < chunkSize) return readFragment(after, done + readLen);
      if (last) return endOfData(s, after, row, transaction as Transaction, records);
      if (records.ok) return s.respond(after, row, true, t.quickDelayUs, `250 2.0.0 Ok: ${chunkSize} bytes`);
      // A failed chunk that is not the last: the error now, then every chunk is skipped until LAST or RSET.
      const reply = refusal(s, records);
      s.mailReset();
      s.bdat = 'error';
      s.respond(after, row, false, t.quickDelayUs, reply);
    });
  };
  readFragment(now, 0);
}

/**
 * data_cmd() and bdat_cmd(): milter_data_event() unless saved_flags hold DISCARD, and the reply
 * check_milter_reply() leaves to send, or null. The model milter continues at DATA, so only a
 * def_reply comes back (a quarantine's "H": milter.ts).
 */
function milterDataEvent(s: SmtpdSession): string | null {
  const verdict = s.milter?.data() ?? null;
  return verdict === null ? null : checkMilterReply(s, verdict);
}

/** data_cmd() + receive_data_message(): 354, content up to ".", dot-unstuffing, size limit, the first line's kluges. */
export function dataCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: string[]): void {
  const t = s.config.timings;
  const transaction = s.transaction;
  if (s.bdat !== 'none') return s.respond(now, row, false, t.quickDelayUs, '503 5.5.1 Error: DATA after BDAT');
  if (!transaction || transaction.recipients.length === 0) {
    const text = transaction ? '554 5.5.1 Error: no valid recipients' : '503 5.5.1 Error: need RCPT command';
    return s.respond(now, row, false, t.quickDelayUs, text);
  }
  if (argv.length !== 1) return s.respond(now, row, false, t.quickDelayUs, '501 5.5.4 Syntax: DATA');
  const milterErr = smtpdCheckData(s) ?? milterDataEvent(s);
  if (milterErr !== null) return s.respond(now, row, false, t.quickDelayUs, milterErr);
  s.busy(now, t.dataDelayUs, (start) => {
    s.reply('354 End data with <CR><LF>.<CR><LF>');
    s.where = 'DATA content';
    const records = new ContentRecords(s);
    let previousBareLf = false;
    let continuing = false;
    let first = true;
    const nextLine = (at: Micros, line: Line): void => {
      const dotted = !continuing && line.text.startsWith('.');
      const nearBareLf = line.bareLf || previousBareLf;
      previousBareLf = line.bareLf;
      continuing = !line.complete;
      if (first) {
        // A "From " line first (after any ">", as sendmail permits) goes to the queue file as an
        // X-Mailbox-Line: header, neither counted nor dot-unstuffed; the first other line, when it
        // starts with a blank, gets an empty record before it "so that it won't be considered as
        // being part of our own Received: header".
        if (/^>*From /.test(line.text)) {
          records.content.add(`X-Mailbox-Line: ${line.text}${line.complete ? '\r\n' : ''}`);
          return s.readRecord(at, s.config.line_length_limit, false, nextLine);
        }
        first = false;
        if (/^[ \t]/.test(line.text)) records.content.add('\r\n');
      }
      // A "." next to a bare LF (seen only with bare-newline detection, BARE_LF_FLAG_WANT_STD_EOD)
      // neither ends the message nor is stored: "Do not store or send to proxy filter".
      if (dotted && line.text === '.' && nearBareLf) return s.readRecord(at, s.config.line_length_limit, false, nextLine);
      if (dotted && line.text === '.') return endOfData(s, at, row, transaction, records);
      records.store(line, dotted ? line.text.slice(1) : line.text);
      s.readRecord(at, s.config.line_length_limit, false, nextLine);
    };
    s.readRecord(start, s.config.line_length_limit, false, nextLine);
  });
}

/**
 * common_post_message_handling(): queue the message, or answer the content's error (the bare LF
 * first, with log_whatsup()'s line) or the milter's at the end of the message (cleanup-milter.ts,
 * which may also discard it behind the 250); either way the transaction is over.
 */
function endOfData(s: SmtpdSession, now: Micros, row: CommandRow, transaction: Transaction, records: ContentRecords): void {
  s.where = 'END-OF-MESSAGE';
  const delayUs = s.config.timings.queueDelayUs;
  if (!records.ok) {
    const reply = refusal(s, records);
    s.mailReset();
    return s.respond(now, row, false, delayUs, reply);
  }
  // smtpd_check_eod() for a message that came through well, before cleanup (and its milter) closes the queue file.
  const eod = smtpdCheckEod(s);
  if (eod !== null) {
    s.mailReset();
    return s.respond(now, row, false, delayUs, eod);
  }
  const milter = endOfMessageMilter(s, transaction);
  if (milter.reply !== null) {
    s.mailReset();
    return s.respond(now, row, false, delayUs, milter.reply);
  }
  // After BDAT the 250 names act_size as well: "Ok: %ld bytes queued as %s".
  const counted = s.bdat === 'none' ? '' : `${s.actSize} bytes `;
  transaction.outcome = milter.discarded ? 'discarded' : 'queued';
  const actions = s.saved.queueActions();
  const discardedByTable = s.saved.discard;
  s.mailReset();
  s.junkCommands = 0;
  const content = records.content;
  const message = {
    queueId: transaction.queueId ?? '',
    from: transaction.sender,
    to: [...transaction.recipients],
    size: content.size,
    saslUser: s.saslUsername,
    clientAddr: s.client.addr,
  };
  const { sha256, content: text } = content.finish();
  if (!milter.discarded) {
    // Every field named, not spread: V8 gives each object built by spreading a hidden class of its
    // own (~250 bytes), which the queue would keep for every record it holds.
    s.shared.queue.enqueue({ queueId: message.queueId, from: message.from, to: message.to, size: message.size, saslUser: message.saslUser, clientAddr: message.clientAddr, sha256, content: text, actions });
    s.shared.out.push({ kind: 'fact', fact: { kind: 'queued', ...message }, conn: s.conn });
  } else if (discardedByTable) {
    s.shared.queue.discard({ queueId: message.queueId, from: message.from, to: message.to });
    s.shared.out.push({ kind: 'fact', fact: { kind: 'discarded', queueId: message.queueId }, conn: s.conn });
  }
  s.respond(now, row, true, delayUs, `250 2.0.0 Ok: ${counted}queued as ${transaction.queueId ?? ''}`);
}

/** common_post_message_handling()'s reply to a failed message: CLEANUP_STAT_BARE_LF before CLEANUP_STAT_SIZE. */
function refusal(s: SmtpdSession, records: ContentRecords): string {
  if (!records.bareLf) return '552 5.3.4 Error: message file too big';
  logWhatsup(s, 'reject', 'bare <LF> received');
  return `${s.config.smtpd_forbid_bare_newline_reject_code} 5.5.2 ${s.config.myhostname} Error: bare <LF> received`;
}
