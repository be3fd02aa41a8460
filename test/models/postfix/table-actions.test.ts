/* table-actions - HOLD, DISCARD, FILTER, REDIRECT, BCC, PREPEND and HANGUP in an access table, in the model
 *
 * postfix/src/smtpd/smtpd_check.c check_table_result(), can_delegate_action(), not_in_client_helo(),
 * generic_checks() (state->discard) and smtpd.c (saved_flags, saved_filter, saved_redirect, saved_bcc,
 * prepend; mail_reset()), v3.7.11. Every reply and log line here was checked against the real 3.7.11
 * (test/conformance/real-stack/restrictions.test.ts runs the same sessions on both, and its queue case
 * the held and discarded messages with postqueue).
 */
import { describe, expect, it } from 'vitest';
import { labPreset, parsePostfixConfig } from '../../../models/postfix/config.js';
import { MILTER_CONTINUES, milterReplyOf } from '../../../models/postfix/milter.js';
import { isHeader } from '../../../models/postfix/table-actions.js';
import { DELIVERING, lockstep, talk } from './talk.js';

const outside = ['EHLO c.example.test\r\n', 'XCLIENT ADDR=192.0.2.7 NAME=[UNAVAILABLE]\r\n', 'EHLO c.example.test\r\n'];
const cmd = (...lines: string[]) => lines.map((l) => `${l}\r\n`);
const DATA = cmd('DATA', 'Subject: t\r\n\r\nhi\r\n.');
const run = (settings: Record<string, string>, lines: readonly string[]) => talk(parsePostfixConfig(settings, labPreset(DELIVERING)), lockstep([...outside, ...lines, 'QUIT\r\n']));
const senderTable = (entries: string) => ({ smtpd_sender_restrictions: `check_sender_access inline:{ ${entries} }` });
const actionLines = (logLines: readonly string[]) => logLines.filter((l) => /^(NOQUEUE|[0-9A-F]+): (hold|discard|filter|redirect|bcc|hangup|reject): /.test(l) || l.startsWith('warning: access table'));
const EVIDENCE = 'proto=ESMTP helo=<c.example.test>';

describe('HOLD', () => {
  it('logs "hold" with "triggers HOLD action" or its own text, once per transaction, and the message goes to the hold queue', () => {
    const conv = run({ ...senderTable('{held@example.test = HOLD}'), smtpd_recipient_restrictions: 'check_recipient_access inline:{ {held@example.test = HOLD again} }' }, cmd('MAIL FROM:<held@example.test>', 'RCPT TO:<x@example.test>', 'RCPT TO:<held@example.test>').concat(DATA));
    expect(conv.replies.at(-2)).toMatch(/^250 2\.0\.0 Ok: queued as /);
    expect(actionLines(conv.logLines)).toEqual([`NOQUEUE: hold: RCPT from unknown[192.0.2.7]: <held@example.test>: Sender address triggers HOLD action; from=<held@example.test> to=<x@example.test> ${EVIDENCE}`]);
    expect(conv.model.queue.messages.map((m) => m.actions)).toEqual([{ held: true, filter: null, redirect: null, bcc: [], prepended: [] }]);
  });

  it('its own text replaces "triggers HOLD action"; mail_reset() forgets it: the next message is queued as usual', () => {
    const conv = run(senderTable('{quiet@example.test = HOLD kept for review}'), cmd('MAIL FROM:<quiet@example.test>', 'RCPT TO:<x@example.test>').concat(DATA, cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@example.test>'), DATA));
    expect(actionLines(conv.logLines)).toEqual([`NOQUEUE: hold: RCPT from unknown[192.0.2.7]: <quiet@example.test>: Sender address kept for review; from=<quiet@example.test> to=<x@example.test> ${EVIDENCE}`]);
    expect(conv.model.queue.messages.map((m) => m.actions?.held ?? false)).toEqual([true, false]);
  });
});

describe('DISCARD', () => {
  it('a permit that ends every later check of the transaction: a relay recipient and a non-FQDN one pass; the message is 250 and not queued', () => {
    const conv = run({ ...senderTable('{spam@example.test = DISCARD}'), smtpd_recipient_restrictions: 'reject_non_fqdn_recipient' }, cmd('MAIL FROM:<spam@example.test>', 'RCPT TO:<x@example.test>', 'RCPT TO:<x@elsewhere.test>', 'RCPT TO:<a@b>').concat(DATA));
    expect(conv.replies.slice(-6, -1)).toEqual(['250 2.1.5 Ok', '250 2.1.5 Ok', '250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>', expect.stringMatching(/^250 2\.0\.0 Ok: queued as [0-9A-F]+$/)]);
    expect(actionLines(conv.logLines)).toEqual([`NOQUEUE: discard: RCPT from unknown[192.0.2.7]: <spam@example.test>: Sender address triggers DISCARD action; from=<spam@example.test> to=<x@example.test> ${EVIDENCE}`]);
    expect(conv.model.queue.messages).toEqual([]);
    const queueId = /queued as (\S+)/.exec(conv.replies.at(-2)!)![1]!;
    expect(conv.model.queue.discarded).toEqual([{ queueId, from: 'spam@example.test', to: ['x@example.test', 'x@elsewhere.test', 'a@b'] }]);
    expect(conv.facts.map((f) => f.fact)).toContainEqual({ kind: 'discarded', queueId });
  });

  it('the implicit reject_unlisted_recipient is skipped too (state->discard), and the next transaction is checked again', () => {
    const conv = run({ ...senderTable('{spam@example.test = DISCARD}'), local_recipient_maps: 'inline:{ alice=x }', mydestination: 'example.test' }, cmd('MAIL FROM:<spam@example.test>', 'RCPT TO:<nobody@example.test>', 'RSET', 'MAIL FROM:<a@example.test>', 'RCPT TO:<nobody@example.test>'));
    expect(conv.replies.at(-5)).toBe('250 2.1.5 Ok');
    expect(conv.replies.at(-2)).toMatch(/^550 5\.1\.1 <nobody@example\.test>: Recipient address rejected: User unknown/);
  });
});

describe('DISCARD from 3.10.0', () => {
  it('cleanup logs the removed queue file "removed (discarded)" (cleanup_api.c cleanup_flush() v3.10.0: any CLEANUP_FLAG_DISCARD)', () => {
    const conv = talk(parsePostfixConfig({ mail_version: '3.10.0', ...senderTable('{spam@example.test = DISCARD}') }, labPreset(DELIVERING)), lockstep([...outside, ...cmd('MAIL FROM:<spam@example.test>', 'RCPT TO:<x@example.test>'), ...DATA, 'QUIT\r\n']));
    const queueId = /queued as (\S+)/.exec(conv.replies.at(-2)!)![1]!;
    expect(conv.logs.filter((l) => l.program === 'postfix/cleanup').map((l) => l.line)).toEqual([`${queueId}: removed (discarded)`]);
  });
});

describe('DISCARD and the milter (saved_flags are one)', () => {
  it('after the table\'s DISCARD smtpd asks the milter nothing more (MILTER_SKIP_FLAGS): its RCPT and end-of-message rejects never come', () => {
    const config = parsePostfixConfig(senderTable('{spam@example.test = DISCARD}'), labPreset({ ...DELIVERING, smtpd_milters: ['inet:milter:11332'], milterReplies: { ...MILTER_CONTINUES, rcpt: milterReplyOf('reject'), endOfMessage: milterReplyOf('reject') } }));
    const conv = talk(config, lockstep([...outside, ...cmd('MAIL FROM:<spam@example.test>', 'RCPT TO:<x@example.test>'), ...DATA, 'QUIT\r\n']));
    expect(conv.replies.slice(-4, -1)).toEqual(['250 2.1.5 Ok', '354 End data with <CR><LF>.<CR><LF>', expect.stringMatching(/^250 2\.0\.0 Ok: queued as /)]);
    expect(conv.logLines.filter((l) => l.includes('milter-'))).toEqual([]);
  });
});

describe('FILTER, REDIRECT and BCC', () => {
  it('each logged "triggers <ACTION> <text>" and recorded on the queue file; every BCC kept, logged with the queue ID once there is one', () => {
    const table = '{f@example.test = FILTER smtp:[127.0.0.1]:10026}, {r@example.test = REDIRECT boss@example.test}, {b@example.test = BCC audit@example.test}';
    const conv = run({ ...senderTable(table), smtpd_recipient_restrictions: 'check_recipient_access inline:{ {y@example.test = BCC legal@example.test} }' }, cmd('MAIL FROM:<f@example.test>', 'RCPT TO:<x@example.test>').concat(DATA, cmd('MAIL FROM:<r@example.test>', 'RCPT TO:<x@example.test>'), DATA, cmd('MAIL FROM:<b@example.test>', 'RCPT TO:<x@example.test>', 'RCPT TO:<y@example.test>'), DATA));
    const lines = actionLines(conv.logLines).map((l) => l.replace(/^[0-9A-F]+:/, 'QUEUEID:'));
    expect(lines).toEqual([
      `NOQUEUE: filter: RCPT from unknown[192.0.2.7]: <f@example.test>: Sender address triggers FILTER smtp:[127.0.0.1]:10026; from=<f@example.test> to=<x@example.test> ${EVIDENCE}`,
      `NOQUEUE: redirect: RCPT from unknown[192.0.2.7]: <r@example.test>: Sender address triggers REDIRECT boss@example.test; from=<r@example.test> to=<x@example.test> ${EVIDENCE}`,
      `NOQUEUE: bcc: RCPT from unknown[192.0.2.7]: <b@example.test>: Sender address triggers BCC audit@example.test; from=<b@example.test> to=<x@example.test> ${EVIDENCE}`,
      `QUEUEID: bcc: RCPT from unknown[192.0.2.7]: <b@example.test>: Sender address triggers BCC audit@example.test; from=<b@example.test> to=<y@example.test> ${EVIDENCE}`,
      `QUEUEID: bcc: RCPT from unknown[192.0.2.7]: <y@example.test>: Recipient address triggers BCC legal@example.test; from=<b@example.test> to=<y@example.test> ${EVIDENCE}`,
    ]);
    expect(conv.model.queue.messages.map((m) => m.actions)).toEqual([
      { held: false, filter: 'smtp:[127.0.0.1]:10026', redirect: null, bcc: [], prepended: [] },
      { held: false, filter: null, redirect: 'boss@example.test', bcc: [], prepended: [] },
      { held: false, filter: null, redirect: null, bcc: ['audit@example.test', 'audit@example.test', 'legal@example.test'], prepended: [] },
    ]);
  });

  it('an entry without its target: the warning names the table and the address looked up, and nothing is saved', () => {
    const table = 'inline:{ {nof@example.test = FILTER}, {badf@example.test = FILTER nocolon}, {badr@example.test = REDIRECT nobody}, {badb@example.test = BCC nobody} }';
    const conv = run({ smtpd_sender_restrictions: `check_sender_access ${table}` }, ['nof', 'badf', 'badr', 'badb'].flatMap((who) => cmd(`MAIL FROM:<${who}@example.test>`, 'RCPT TO:<x@example.test>', 'RSET')));
    expect(actionLines(conv.logLines)).toEqual([
      `warning: access table ${table} entry "nof@example.test" has FILTER entry without value`,
      `warning: access table ${table} entry "badf@example.test" requires transport:destination`,
      `warning: access table ${table} entry "badr@example.test" requires user@domain target`,
      `warning: access table ${table} entry "badb@example.test" requires user@domain target`,
    ]);
    expect(conv.replies.filter((r) => r === '250 2.1.5 Ok')).toHaveLength(4);
  });
});

describe('PREPEND', () => {
  it('a header is kept for the queue file, unlogged; a text that is no header is warned about', () => {
    const table = 'inline:{ {p@example.test = PREPEND X-Tag: seen}, {badp@example.test = PREPEND not a header} }';
    const conv = run({ smtpd_sender_restrictions: `check_sender_access ${table}` }, cmd('MAIL FROM:<p@example.test>', 'RCPT TO:<x@example.test>').concat(DATA, cmd('MAIL FROM:<badp@example.test>', 'RCPT TO:<x@example.test>')));
    expect(actionLines(conv.logLines)).toEqual([`warning: access table ${table} entry "badp@example.test" requires header: text`]);
    expect(conv.model.queue.messages.map((m) => m.actions?.prepended)).toEqual([['X-Tag: seen']]);
  });

  it('is_header(): a label of printable ASCII, blanks before the colon allowed, none inside the label', () => {
    expect([isHeader('X-Tag: seen'), isHeader('X-Tag :x'), isHeader('X-Tag:'), isHeader('not a header'), isHeader(' X: y'), isHeader(': y'), isHeader('X\u0001: y'), isHeader('')]).toEqual([true, true, true, false, false, false, false, false]);
  });
});

describe('where the actions cannot act', () => {
  it('without delay, at connect: skipped with the not_in_client_helo() warning; in ETRN and at the end of data their own warnings', () => {
    const client = 'inline:{ {192.0.2.7 = HOLD}, {127.0.0.1 = PREPEND X-Client: local} }';
    const etrn = 'inline:{ {example.test = DISCARD}, {other.test = FILTER smtp:x} }';
    const eod = 'inline:{ {a@example.test = PREPEND X-Late: yes} }';
    const conv = run({ smtpd_delay_reject: 'no', smtpd_client_restrictions: `check_client_access ${client}`, smtpd_etrn_restrictions: `check_etrn_access ${etrn}`, smtpd_end_of_data_restrictions: `check_sender_access ${eod}` },
      cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@example.test>').concat(DATA, cmd('ETRN example.test', 'ETRN other.test')));
    expect(actionLines(conv.logLines)).toEqual([
      `warning: access table ${client}: with smtpd_delay_reject=no, action PREPEND is always skipped in Client host or Helo command restrictions`,
      `warning: access table ${client}: with smtpd_delay_reject=no, action HOLD is always skipped in Client host or Helo command restrictions`,
      `warning: access table ${eod}: action PREPEND must be used before smtpd_end_of_data_restrictions`,
      `warning: access table ${etrn}: action DISCARD is unavailable in smtpd_etrn_restrictions`,
      `warning: access table ${etrn}: action FILTER is unavailable in smtpd_etrn_restrictions`,
    ]);
    expect(conv.model.queue.messages.map((m) => m.actions)).toEqual([null]);
  });
});

describe('HANGUP', () => {
  it('no reply: the connection closes, "hangup" is logged with its text (empty by default), then only "disconnect from"', () => {
    const conv = talk(parsePostfixConfig({ smtpd_client_restrictions: 'check_client_access inline:{ {192.0.2.9 = HANGUP} }' }, labPreset(DELIVERING)), lockstep(cmd('EHLO c', 'XCLIENT ADDR=192.0.2.9', 'EHLO c', 'MAIL FROM:<a@example.test>', 'RCPT TO:<x@example.test>', 'NOOP')));
    expect(conv.replies.at(-1)).toBe('250 2.1.0 Ok');
    expect(conv.closed.has('c')).toBe(true);
    expect(conv.logLines.slice(-2)).toEqual([
      'NOQUEUE: hangup: RCPT from localhost[192.0.2.9]: ; from=<a@example.test> to=<x@example.test> proto=ESMTP helo=<c>',
      'disconnect from localhost[192.0.2.9] ehlo=2 xclient=0/1 mail=1 rcpt=0/1 commands=3/5',
    ]);
  });

  it('replies still buffered are lost with the connection (shutdown() before the longjmp)', () => {
    const config = parsePostfixConfig({ smtpd_client_restrictions: 'check_client_access inline:{ {192.0.2.10 = HANGUP go away} }' }, labPreset(DELIVERING));
    const conv = talk(config, [...lockstep(cmd('EHLO c', 'XCLIENT ADDR=192.0.2.10', 'EHLO c')), [400_000, 'MAIL FROM:<a@example.test>\r\nRCPT TO:<x@example.test>\r\nNOOP\r\n']]);
    expect(conv.replies.some((r) => r.startsWith('250 2.1.0'))).toBe(false);
    expect(conv.logLines).toContain('NOQUEUE: hangup: RCPT from localhost[192.0.2.10]: go away; from=<a@example.test> to=<x@example.test> proto=ESMTP helo=<c>');
  });
});
