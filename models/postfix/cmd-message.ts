/* cmd-message - DATA and BDAT: message content, size limit, queueing
 *
 * data_cmd(), receive_data_message(), bdat_cmd(), skip_bdat() in postfix/src/smtpd/smtpd.c (v3.7.11).
 */
import type { Micros } from '../contract.js';
import type { CommandRow } from './command-table.js';
import { discards } from './ehlo-mask.js';
import type { Line } from './line-reader.js';
import { MessageContent } from './message-content.js';
import type { SmtpdSession, Transaction } from './session.js';
import { printable } from './text.js';

/** bdat_cmd()/skip_bdat() (v3.7.11 ~3925): chunks read by count, LAST queues the message. */
export function bdatCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: string[], text: string): void {
  const t = s.config.timings;
  const noqueue = s.transaction?.queueId ?? 'NOQUEUE';
  if (discards(s.ehloDiscardMask, 'CHUNKING')) return s.respond(now, row, false, t.quickDelayUs, '521 5.5.1 Error: command not implemented');
  const size = argv[1] ?? '';
  const last = argv.length === 3;
  if (argv.length < 2 || argv.length > 3 || !/^\d+$/.test(size) || (last && (argv[2] ?? '').toUpperCase() !== 'LAST')) {
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
  const limit = s.config.message_size_limit;
  if (limit > 0 && s.actSize > limit - chunkSize) {
    s.log(`warning: ${noqueue}: BDAT request from ${s.namaddr} exceeds message size limit`);
    return skip('552 5.3.4 Chunk exceeds message size limit');
  }
  s.bdat = 'ok';
  s.where = 'BDAT content';
  s.readBytes(now, chunkSize, (at, chunk) => {
    // Records are stored without their LF/CRLF and counted as len + 2 (act_size).
    const normalised = chunk.replace(/\r?\n/g, '\r\n');
    if (limit > 0 && s.actSize + normalised.length > limit) s.bdatTooBig = true;
    else {
      s.bdatContent ??= new MessageContent(s.shared.queue.retention.keepContentBytes);
      s.bdatContent.add(normalised);
      s.actSize += normalised.length;
    }
    if (!last) return s.respond(at, row, true, t.quickDelayUs, `250 2.0.0 Ok: ${chunkSize} bytes`);
    endOfData(s, at, row, transaction as Transaction, s.bdatContent ?? new MessageContent(0), s.bdatTooBig);
  });
}

/** data_cmd() + receive_data_message(): 354, content up to ".", dot-unstuffing, size limit. */
export function dataCommand(s: SmtpdSession, now: Micros, row: CommandRow, argv: string[]): void {
  const t = s.config.timings;
  const transaction = s.transaction;
  if (s.bdat !== 'none') return s.respond(now, row, false, t.quickDelayUs, '503 5.5.1 Error: DATA after BDAT');
  if (!transaction || transaction.recipients.length === 0) {
    const text = transaction ? '554 5.5.1 Error: no valid recipients' : '503 5.5.1 Error: need RCPT command';
    return s.respond(now, row, false, t.quickDelayUs, text);
  }
  if (argv.length !== 1) return s.respond(now, row, false, t.quickDelayUs, '501 5.5.4 Syntax: DATA');
  s.busy(now, t.dataDelayUs, (start) => {
    s.reply('354 End data with <CR><LF>.<CR><LF>');
    s.where = 'DATA content';
    const content = new MessageContent(s.shared.queue.retention.keepContentBytes);
    let tooBig = false;
    let previousBareLf = false;
    let continuing = false;
    const nextLine = (at: Micros, line: Line): void => {
      // With bare-newline detection only CRLF . CRLF ends the message (BARE_LF_FLAG_WANT_STD_EOD).
      const isEnd = !continuing && line.complete && line.text === '.' && !(line.bareLf || previousBareLf);
      if (isEnd) return endOfData(s, at, row, transaction, content, tooBig);
      const text = !continuing && line.text.startsWith('.') ? line.text.slice(1) : line.text;
      const piece = text + (line.complete ? '\r\n' : '');
      if (s.config.message_size_limit > 0 && content.size + piece.length > s.config.message_size_limit) tooBig = true;
      else {
        content.add(piece);
        s.actSize += piece.length;
      }
      previousBareLf = line.bareLf;
      continuing = !line.complete;
      s.readRecord(at, s.config.line_length_limit, false, nextLine);
    };
    s.readRecord(start, s.config.line_length_limit, false, nextLine);
  });
}

function endOfData(s: SmtpdSession, now: Micros, row: CommandRow, transaction: Transaction, content: MessageContent, tooBig: boolean): void {
  s.where = 'END-OF-MESSAGE';
  s.mailReset();
  if (tooBig) return s.respond(now, row, false, s.config.timings.queueDelayUs, '552 5.3.4 Error: message file too big');
  s.junkCommands = 0;
  const message = {
    queueId: transaction.queueId ?? '',
    from: transaction.sender,
    to: [...transaction.recipients],
    size: content.size,
    saslUser: s.saslUsername,
    clientAddr: s.client.addr,
  };
  const { sha256, content: text } = content.finish();
  // Every field named, not spread: V8 gives each object built by spreading a hidden class of its
  // own (~250 bytes), which the queue would keep for every record it holds.
  s.shared.queue.enqueue({ queueId: message.queueId, from: message.from, to: message.to, size: message.size, saslUser: message.saslUser, clientAddr: message.clientAddr, sha256, content: text });
  s.shared.out.push({ kind: 'fact', fact: { kind: 'queued', ...message }, conn: s.conn });
  s.respond(now, row, true, s.config.timings.queueDelayUs, `250 2.0.0 Ok: queued as ${transaction.queueId ?? ''}`);
}
