/* unlisted-recipient - the implicit reject_unlisted_recipient for virtual mailbox domains (rcpt-maps.ts)
 *
 * Postfix v3.7.11 smtpd_check.c smtpd_check_rcpt(): after the restrictions, with
 * smtpd_reject_unlisted_recipient = yes, check_recipient_rcpt_maps() -> check_rcpt_maps(): a
 * recipient that resolves to the virtual class (virtual_mailbox_domains; trivial-rewrite resolve.c)
 * and that mail_addr_find() does not find in virtual_mailbox_maps ("user@domain", then "@domain",
 * case-folded) gets smtpd_check_reject(..., 550, "5.1.1", "<%s>: %s rejected: User unknown%s")
 * with "Recipient address" and " in virtual mailbox table" (show_user_unknown_table_name = yes);
 * VRFY goes through smtpd_check_rcpt() too. An empty virtual_mailbox_maps looks nothing up.
 */
import { describe, expect, it } from 'vitest';
import { parsePostfixConfig, postfixDefaults, type PostfixConfig } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const TABLE = ['alice@example.test', '@example.org'];
const UNKNOWN = (rcpt: string) => `550 5.1.1 <${rcpt}>: Recipient address rejected: User unknown in virtual mailbox table`;
/** The lab preset (3.7.11): virtual_mailbox_domains example.test; relay only for mynetworks (127.0.0.0/8) and SASL. */
const rcptReply = (rcpt: string, config: Partial<PostfixConfig> = {}) =>
  talk({ virtual_mailbox_maps: TABLE, virtual_mailbox_domains: ['example.test', 'example.org'], ...config }, lockstep(['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', `RCPT TO:<${rcpt}>\r\n`, 'QUIT\r\n']));

describe('RCPT to a virtual mailbox domain', () => {
  it('an address the table lists, in any case, or a domain it lists as @domain: 250', () => {
    for (const rcpt of ['alice@example.test', 'Alice@EXAMPLE.test', 'anyone@example.org']) expect(rcptReply(rcpt).replies.at(-2), rcpt).toBe('250 2.1.5 Ok');
  });

  // The client (127.0.0.1) is in mynetworks: permit_mynetworks passed it, and the implicit check still comes after.
  it('one it does not: 550 5.1.1 ... User unknown in virtual mailbox table, logged as a reject with from= and to=', () => {
    const conv = rcptReply('bob@example.test');
    expect(conv.replies.at(-2)).toBe(UNKNOWN('bob@example.test'));
    expect(conv.logLines).toContain(`NOQUEUE: reject: RCPT from localhost[127.0.0.1]: ${UNKNOWN('bob@example.test')}; from=<a@example.test> to=<bob@example.test> proto=ESMTP helo=<lab>`);
  });

  it('smtpd_reject_unlisted_recipient = no (Mailu\'s 10025 service), or an empty virtual_mailbox_maps: nothing is looked up', () => {
    expect(rcptReply('bob@example.test', { smtpd_reject_unlisted_recipient: false }).replies.at(-2)).toBe('250 2.1.5 Ok');
    expect(rcptReply('bob@example.test', { virtual_mailbox_maps: null }).replies.at(-2)).toBe('250 2.1.5 Ok');
  });

  it('a domain outside virtual_mailbox_domains, or in mydestination (the local class), is not looked up here', () => {
    expect(rcptReply('bob@elsewhere.test').replies.at(-2)).toBe('250 2.1.5 Ok');
    expect(rcptReply('bob', { myorigin: 'elsewhere.test' }).replies.at(-2)).toBe('250 2.1.5 Ok');
    expect(rcptReply('bob@example.test', { mydestination: ['example.test'] }).replies.at(-2)).toBe('250 2.1.5 Ok');
    // match_list_match(): a '!domain' that matches first answers no, so the domain is in neither class
    expect(rcptReply('bob@example.test', { virtual_mailbox_domains: ['!example.test', 'example.test'] }).replies.at(-2)).toBe('250 2.1.5 Ok');
    expect(rcptReply('bob@example.test', { mydestination: ['!example.test', 'example.test'] }).replies.at(-2)).toBe(UNKNOWN('bob@example.test'));
  });

  // check_rcpt_maps() looks up reply->recipient, what resolve.c resolve_addr() gives back: "@$myhostname"
  // after an address without a domain ("assume the local machine"), one trailing dot taken off.
  it('the keys are the resolved recipient\'s: a bare local part is at $myorigin (the recorded stack\'s example.test), a trailing dot is dropped; the reply names the address as sent', () => {
    expect(rcptReply('bob').replies.at(-2)).toBe(UNKNOWN('bob'));
    expect(rcptReply('alice').replies.at(-2)).toBe('250 2.1.5 Ok');
    const atMyhostname = { myorigin: 'backend.example.test', virtual_mailbox_domains: ['backend.example.test'] };
    expect(rcptReply('bob', atMyhostname).replies.at(-2)).toBe(UNKNOWN('bob'));
    expect(rcptReply('bob', { ...atMyhostname, virtual_mailbox_maps: ['bob@backend.example.test'] }).replies.at(-2)).toBe('250 2.1.5 Ok');
    expect(rcptReply('bob', { myorigin: 'backend.example.test', virtual_mailbox_domains: ['bob'] }).replies.at(-2)).toBe('250 2.1.5 Ok');
    expect(rcptReply('bob@example.test.').replies.at(-2)).toBe(UNKNOWN('bob@example.test.'));
    expect(rcptReply('alice@example.test.').replies.at(-2)).toBe('250 2.1.5 Ok');
  });

  it('an empty local part is still a virtual address: "@example.test" is looked up as itself', () => {
    expect(rcptReply('@example.test').replies.at(-2)).toBe(UNKNOWN('@example.test'));
    expect(rcptReply('@example.test', { virtual_mailbox_maps: ['@example.test'] }).replies.at(-2)).toBe('250 2.1.5 Ok');
  });

  it('only the address\'s own keys are tried: a table that lists null@ or a shorter local part does not answer for alice', () => {
    expect(rcptReply('alice@example.test', { virtual_mailbox_maps: ['null@example.test', 'alic@example.test'], recipient_delimiter: '+' }).replies.at(-2)).toBe(UNKNOWN('alice@example.test'));
  });

  it('the restrictions answer first: a relay refusal is the reply, not the unknown user', () => {
    const outsider = talk({ virtual_mailbox_maps: TABLE, mynetworks: [] }, lockstep(['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<bob@elsewhere.test>\r\n', 'QUIT\r\n']));
    expect(outsider.replies.at(-2)).toBe('554 5.7.1 <bob@elsewhere.test>: Relay access denied');
  });
});

describe('recipient_delimiter (mail_addr_find(): "user+ext@domain", then "user@domain"; split_addr_internal())', () => {
  const reply = (rcpt: string, recipient_delimiter: string) => rcptReply(rcpt, { recipient_delimiter }).replies.at(-2);
  it('user+ext@domain is found as user@domain with "+" a delimiter, not without; the whole address is tried first', () => {
    expect(reply('alice+news@example.test', '+')).toBe('250 2.1.5 Ok');
    expect(reply('alice+news@example.test', '')).toBe(UNKNOWN('alice+news@example.test'));
    expect(rcptReply('bob+x@example.test', { recipient_delimiter: '+', virtual_mailbox_maps: ['bob+x@example.test'] }).replies.at(-2)).toBe('250 2.1.5 Ok');
  });
  it('a set of delimiters: the first of any of them ends the local part', () => {
    expect(reply('alice-news+x@example.test', '+-')).toBe('250 2.1.5 Ok');
    expect(reply('alice-news@example.test', '+')).toBe(UNKNOWN('alice-news@example.test'));
  });
  it('not split: a delimiter first, postmaster, MAILER-DAEMON, double-bounce, and with "-" owner-* and *-request', () => {
    expect(reply('+alice@example.test', '+')).toBe(UNKNOWN('+alice@example.test'));
    const table = (localpart: string) => ({ recipient_delimiter: '-', virtual_mailbox_maps: [`${localpart}@example.test`] });
    for (const [rcpt, listed] of [['owner-alice', 'owner'], ['alice-request', 'alice'], ['Owner-x', 'owner']] as const) {
      expect(rcptReply(`${rcpt}@example.test`, table(listed)).replies.at(-2), rcpt).toBe(UNKNOWN(`${rcpt}@example.test`));
    }
    expect(rcptReply('alice-x@example.test', table('alice')).replies.at(-2)).toBe('250 2.1.5 Ok');
    // Each would split at its delimiter into a listed name.
    for (const [special, delimiter, listed] of [['postmaster', 't', 'pos'], ['MAILER-DAEMON', '-', 'mailer'], ['double-bounce', '-', 'double']] as const) {
      expect(rcptReply(`${special}@example.test`, { recipient_delimiter: delimiter, virtual_mailbox_maps: [`${listed}@example.test`] }).replies.at(-2), special).toBe(UNKNOWN(`${special}@example.test`));
    }
  });
  it('owner-* and *-request are split as any other without "-" a delimiter', () => {
    expect(rcptReply('owner-list+x@example.test', { recipient_delimiter: '+', virtual_mailbox_maps: ['owner-list@example.test'] }).replies.at(-2)).toBe('250 2.1.5 Ok');
  });
});

describe('VRFY (smtpd_check_rcpt() as at RCPT)', () => {
  it('an unlisted address gets the 550; a listed one 252', () => {
    const vrfy = (address: string) => talk({ virtual_mailbox_maps: TABLE }, lockstep(['EHLO lab\r\n', `VRFY ${address}\r\n`, 'QUIT\r\n'])).replies.at(-2);
    expect(vrfy('bob@example.test')).toBe(UNKNOWN('bob@example.test'));
    expect(vrfy('alice@example.test')).toBe('252 2.0.0 alice@example.test');
  });
});

describe('main.cf', () => {
  it('virtual_mailbox_maps: an inline:{ name=value, ... } table gives its names, case-folded; empty is no table', () => {
    expect(parsePostfixConfig({ virtual_mailbox_maps: 'inline:{ Alice@Example.test=x, @example.org=y }' }).virtual_mailbox_maps).toEqual(['alice@example.test', '@example.org']);
    expect(parsePostfixConfig({ virtual_mailbox_maps: '' }).virtual_mailbox_maps).toBeNull();
    expect(postfixDefaults().virtual_mailbox_maps).toBeNull();
  });
  it('another table type, an empty inline table, or an item without "=" is refused with the reason', () => {
    expect(() => parsePostfixConfig({ virtual_mailbox_maps: 'hash:/etc/postfix/vmailbox' })).toThrow('the lab looks up one inline:{ key=value, ... } table only');
    expect(() => parsePostfixConfig({ virtual_mailbox_maps: 'inline:{ }' })).toThrow('an inline table needs at least one name=value');
    expect(() => parsePostfixConfig({ virtual_mailbox_maps: 'inline:{ alice@example.test }' })).toThrow('"alice@example.test" in inline:{ alice@example.test }: need name=value');
  });
  // util/dict_inline.c dict_inline_open(): "balpar(name, CHARS_BRACE) == 0 || name[len] != 0" is "bad
  // syntax" (nothing may follow the closing brace; the real 3.7.11's postmap -s says the same); an item
  // without a name is stored with "empty lookup key value is not allowed" and can never match: refused.
  it('nothing may follow the braces, and a name may not be empty; blanks around the value are main.cf\'s, not the table\'s', () => {
    expect(() => parsePostfixConfig({ virtual_mailbox_maps: 'inline:{ a@example.test=x }junk' })).toThrow('virtual_mailbox_maps: bad syntax: "inline:{ a@example.test=x }junk"; need "inline:{name=value...}"');
    expect(() => parsePostfixConfig({ virtual_mailbox_maps: 'inline:{ =a=b }' })).toThrow('"=a=b" in inline:{ =a=b }: need name=value');
    expect(parsePostfixConfig({ virtual_mailbox_maps: ' inline:{ a@example.test=x } ' }).virtual_mailbox_maps).toEqual(['a@example.test']);
  });
  it('smtpd_reject_unlisted_recipient is a boolean, yes by default (DEF_SMTPD_REJ_UNL_RCPT)', () => {
    expect(postfixDefaults().smtpd_reject_unlisted_recipient).toBe(true);
    expect(parsePostfixConfig({ smtpd_reject_unlisted_recipient: 'no' }).smtpd_reject_unlisted_recipient).toBe(false);
  });
});
