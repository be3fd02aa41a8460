/* local-recipients - the local class by inet_interfaces (resolve_local()) and local_recipient_maps (check_rcpt_maps())
 *
 * Postfix v3.7.11 (the same at v3.5.0 .. v3.10.13) global/resolve_local.c resolve_local(): a domain in
 * mydestination, or an [address] literal of one of smtpd's own addresses (own_inet_addr(): inet_interfaces;
 * "all" the host's interfaces, "loopback-only" the loopback ones), is the local class (address-class.ts): an
 * authorized destination (permit_auth_destination()) whose recipient check_rcpt_maps() looks up in
 * local_recipient_maps with mail_addr_find() ("user@domain", then the local part, then "@domain"):
 * not found is 550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table, except
 * postmaster@, MAILER-DAEMON@ and double-bounce@ (MATCH_LEFT()). The recorded stack listens on
 * 127.0.0.1 and its table is passwd.byname (models/postfix/debian-accounts.ts).
 */
import { describe, expect, it } from 'vitest';
import { labPreset, parsePostfixConfig, type PostfixConfig } from '../../../models/postfix/config.js';
import { createPostfix } from '../../../models/postfix/smtpd.js';
import { bytes, drive } from './driver.js';
import { lockstep, talk } from './talk.js';

const UNKNOWN = (rcpt: string) => `550 5.1.1 <${rcpt}>: Recipient address rejected: User unknown in local recipient table`;
const rcpt = (to: string, config: PostfixConfig = labPreset(), from = '127.0.0.1') =>
  talk(config, lockstep(['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', `RCPT TO:<${to}>\r\n`, 'QUIT\r\n']), from);
const reply = (to: string, config?: PostfixConfig, from?: string) => rcpt(to, config, from).replies.at(-2);

describe('the recorded stack: inet_interfaces = 127.0.0.1, local_recipient_maps = passwd.byname', () => {
  it('bob@[127.0.0.1] is a local recipient passwd does not know: 550 5.1.1, logged as a reject', () => {
    const conv = rcpt('bob@[127.0.0.1]');
    expect(conv.replies.at(-2)).toBe(UNKNOWN('bob@[127.0.0.1]'));
    expect(conv.logLines).toContain(`NOQUEUE: reject: RCPT from localhost[127.0.0.1]: ${UNKNOWN('bob@[127.0.0.1]')}; from=<a@example.test> to=<bob@[127.0.0.1]> proto=ESMTP helo=<lab>`);
  });

  it('an account is found by its local part, in any case; postmaster, MAILER-DAEMON and double-bounce are never looked up', () => {
    for (const to of ['root@[127.0.0.1]', 'Postfix@[127.0.0.1]', 'postmaster@[127.0.0.1]', 'MAILER-DAEMON@[127.0.0.1]', 'double-bounce@[127.0.0.1]']) expect(reply(to), to).toBe('250 2.1.5 Ok');
  });

  it('VRFY goes through the same check', () => {
    expect(talk(labPreset(), lockstep(['EHLO lab\r\n', 'VRFY bob@[127.0.0.1]\r\n', 'QUIT\r\n'])).replies.at(-2)).toBe(UNKNOWN('bob@[127.0.0.1]'));
  });

  it('another address literal is not the local class: the default class, whose transport refuses it', () => {
    expect(reply('bob@[192.0.2.1]')).toBe('550 5.7.1 <bob@[192.0.2.1]>: Recipient address rejected: no outbound delivery in this lab');
    expect(reply('bob@[IPv6:::1]')).toBe('550 5.7.1 <bob@[IPv6:::1]>: Recipient address rejected: no outbound delivery in this lab');
  });

  it('the local class is an authorized destination: an outside client is not refused relaying there, only the unknown user', () => {
    expect(reply('bob@[127.0.0.1]', labPreset(), '192.0.2.9')).toBe(UNKNOWN('bob@[127.0.0.1]'));
    expect(reply('root@[127.0.0.1]', labPreset(), '192.0.2.9')).toBe('250 2.1.5 Ok');
    expect(reply('root@[127.0.0.2]', labPreset(), '192.0.2.9')).toBe('554 5.7.1 <root@[127.0.0.2]>: Relay access denied');
  });

  it('an empty local_recipient_maps looks nothing up; smtpd_reject_unlisted_recipient = no neither', () => {
    expect(reply('bob@[127.0.0.1]', labPreset({ local_recipient_maps: null }))).toBe('250 2.1.5 Ok');
    expect(reply('bob@[127.0.0.1]', labPreset({ smtpd_reject_unlisted_recipient: false }))).toBe('250 2.1.5 Ok');
  });
});

describe('inet_interfaces', () => {
  /** A session accepted on `localHost` (the address the client reached), from 127.0.0.1. */
  const at = (localHost: string, config: PostfixConfig, to: string) => {
    const lines = ['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', `RCPT TO:<${to}>\r\n`, 'QUIT\r\n'];
    const rec = drive(createPostfix(config), [
      { t: 0, input: { kind: 'accepted', conn: 'c', local: { host: localHost, port: 10025 }, remote: { host: '127.0.0.1', port: 40000 } } },
      ...lines.map((line, i) => ({ t: 200_000 + i * 50_000, input: bytes('c', line) })),
    ]);
    return rec.writes.map((w) => w.data).join('').trimEnd().split('\r\n').at(-2);
  };
  const lab = (inet_interfaces: PostfixConfig['inet_interfaces'], inet_protocols: PostfixConfig['inet_protocols'] = 'ipv4') => labPreset({ inet_interfaces, inet_protocols });

  it('all: the host\'s interfaces, the loopback ones and the address smtpd was reached on', () => {
    expect(at('192.168.203.4', lab('all'), 'bob@[192.168.203.4]')).toBe(UNKNOWN('bob@[192.168.203.4]'));
    expect(at('192.168.203.4', lab('all'), 'bob@[127.0.0.1]')).toBe(UNKNOWN('bob@[127.0.0.1]'));
  });

  it('loopback-only: the loopback addresses, not the host\'s other one', () => {
    expect(at('192.168.203.4', lab('loopback-only'), 'bob@[192.168.203.4]')).toBe('550 5.7.1 <bob@[192.168.203.4]>: Recipient address rejected: no outbound delivery in this lab');
    expect(at('192.168.203.4', lab('loopback-only'), 'bob@[127.0.0.1]')).toBe(UNKNOWN('bob@[127.0.0.1]'));
  });

  it('IPv6 addresses in any spelling, as [IPv6:...] literals; ::1 only where inet_protocols has IPv6', () => {
    expect(at('127.0.0.1', lab(['0:0::1']), 'bob@[IPv6:::1]')).toBe(UNKNOWN('bob@[IPv6:::1]'));
    expect(at('127.0.0.1', lab('loopback-only', 'all'), 'bob@[ipv6:0::1]')).toBe(UNKNOWN('bob@[ipv6:0::1]'));
    expect(at('127.0.0.1', lab('loopback-only', 'ipv4'), 'bob@[IPv6:::1]')).toBe('550 5.7.1 <bob@[IPv6:::1]>: Recipient address rejected: no outbound delivery in this lab');
  });

  it('main.cf form: all, loopback-only or addresses; a host name, an empty value or a mix with all are refused naming it', () => {
    expect(parsePostfixConfig({ inet_interfaces: 'all' }).inet_interfaces).toBe('all');
    expect(parsePostfixConfig({ inet_interfaces: '127.0.0.1, ::1' }).inet_interfaces).toEqual(['127.0.0.1', '::1']);
    expect(() => parsePostfixConfig({ inet_interfaces: 'localhost' })).toThrow(/^inet_interfaces: "localhost" is not an IPv4 or IPv6 address/);
    expect(() => parsePostfixConfig({ inet_interfaces: 'all, 127.0.0.1' })).toThrow(/^inet_interfaces: "all" is not/);
    expect(() => parsePostfixConfig({ inet_interfaces: ' ' })).toThrow(/^inet_interfaces: empty/);
  });
});

describe('local_recipient_maps lookups (mail_addr_find() MA_FIND_DEFAULT for a local domain)', () => {
  const table = (keys: string[], extra: Partial<PostfixConfig> = {}) => labPreset({ mydestination: ['example.org'], local_recipient_maps: keys, ...extra });
  it('a mydestination domain is the local class too: the whole address, the local part, or @domain finds it', () => {
    expect(reply('carol@example.org', table(['carol@example.org']))).toBe('250 2.1.5 Ok');
    expect(reply('carol@example.org', table(['carol']))).toBe('250 2.1.5 Ok');
    expect(reply('carol@example.org', table(['@example.org']))).toBe('250 2.1.5 Ok');
    expect(reply('carol@example.org', table(['dave', 'carol@example.net']))).toBe(UNKNOWN('carol@example.org'));
  });

  it('recipient_delimiter: user+ext is found as user, whole or as a local part', () => {
    expect(reply('carol+news@example.org', table(['carol'], { recipient_delimiter: '+' }))).toBe('250 2.1.5 Ok');
    expect(reply('carol+news@example.org', table(['carol@example.org'], { recipient_delimiter: '+' }))).toBe('250 2.1.5 Ok');
    expect(reply('carol+news@example.org', table(['carol']))).toBe(UNKNOWN('carol+news@example.org'));
  });

  it('main.cf form: empty or one inline table, as virtual_mailbox_maps', () => {
    expect(parsePostfixConfig({ local_recipient_maps: '' }).local_recipient_maps).toBeNull();
    expect(parsePostfixConfig({ local_recipient_maps: 'inline:{ Root=x, bob@[127.0.0.1]=x }' }).local_recipient_maps).toEqual(['root', 'bob@[127.0.0.1]']);
    expect(() => parsePostfixConfig({ local_recipient_maps: 'proxy:unix:passwd.byname $alias_maps' })).toThrow(/^local_recipient_maps: .*inline/);
  });
});
