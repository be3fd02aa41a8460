/* transports - check_rcpt_maps() refuses a recipient whose class's transport is error or retry (transports.ts)
 *
 * Postfix v3.7.11 (the same at v3.5.0 .. v3.10.13) trivial-rewrite resolve.c resolve_addr(): each class
 * its transport (local_transport, virtual_transport, relay_transport, default_transport), the nexthop
 * after the first ':' or the recipient's domain; smtpd_check.c check_rcpt_maps(): transport "error" is
 * 550 with dsn_split("5.1.1", nexthop), "retry" 450 with "4.1.1", "<%s>: Recipient address rejected: %s",
 * the DSN's first digit the code's (smtpd_check_reject()), an X.1.Y DSN in its recipient form
 * (smtpd_dsn_fix(): "mapping DSN status ..."); logged by log_whatsup(); only under reject_unlisted_recipient.
 * The recorded stack (labPreset()) sends relay and default mail to error:5.7.1 no outbound delivery in this lab.
 */
import { describe, expect, it } from 'vitest';
import { labPreset, parsePostfixConfig, type PostfixConfig } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const LAB = 'error:5.7.1 no outbound delivery in this lab';
const REFUSED = (rcpt: string) => `550 5.7.1 <${rcpt}>: Recipient address rejected: no outbound delivery in this lab`;
/** The recorded stack's smtpd as it is (talk() with a whole config keeps its transports). */
const recorded = (overrides: Partial<PostfixConfig> = {}) => labPreset(overrides);
const rcpt = (to: string, config: PostfixConfig = recorded(), from = '127.0.0.1') =>
  talk(config, lockstep(['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', `RCPT TO:<${to}>\r\n`, 'QUIT\r\n']), from);
const reply = (to: string, config?: PostfixConfig) => rcpt(to, config).replies.at(-2);

describe('the recorded stack: default_transport and relay_transport = error:5.7.1 no outbound delivery in this lab', () => {
  it('RCPT to a foreign domain from mynetworks: 550 5.7.1 with the transport\'s text, logged as a reject with from= and to=', () => {
    const conv = rcpt('bob@elsewhere.invalid');
    expect(conv.replies.at(-2)).toBe(REFUSED('bob@elsewhere.invalid'));
    expect(conv.logLines).toContain(`NOQUEUE: reject: RCPT from localhost[127.0.0.1]: ${REFUSED('bob@elsewhere.invalid')}; from=<a@example.test> to=<bob@elsewhere.invalid> proto=ESMTP helo=<lab>`);
    // no queue file for a refused recipient
    expect(conv.logLines.some((line) => line.includes('client='))).toBe(false);
  });

  it('VRFY goes through the same check (smtpd_check_rcpt()): the same reply, logged as a VRFY reject', () => {
    const conv = talk(recorded(), lockstep(['EHLO lab\r\n', 'VRFY bob@elsewhere.invalid\r\n', 'QUIT\r\n']));
    expect(conv.replies.at(-2)).toBe(REFUSED('bob@elsewhere.invalid'));
    expect(conv.logLines).toContain(`NOQUEUE: reject: VRFY from localhost[127.0.0.1]: ${REFUSED('bob@elsewhere.invalid')}; to=<bob@elsewhere.invalid> proto=ESMTP helo=<lab>`);
  });

  it('the resolved recipient decides, the reply names the address as sent: a bare local part is at $myorigin (example.test, the virtual domain); site!user at site', () => {
    expect(reply('bob')).toBe('250 2.1.5 Ok');
    expect(reply('postmaster')).toBe('250 2.1.5 Ok');
    expect(reply('bob!elsewhere.invalid')).toBe(REFUSED('bob!elsewhere.invalid'));
    expect(reply('bob', recorded({ myorigin: 'elsewhere.invalid' }))).toBe(REFUSED('bob'));
  });

  it('the virtual domain goes to virtual_transport (virtual): accepted', () => {
    expect(reply('bob@example.test')).toBe('250 2.1.5 Ok');
  });

  it('the relay restrictions answer first: an outside client gets Relay access denied', () => {
    expect(rcpt('bob@elsewhere.invalid', recorded(), '192.0.2.9').replies.at(-2)).toBe('554 5.7.1 <bob@elsewhere.invalid>: Relay access denied');
  });

  it('smtpd_reject_unlisted_recipient = no: check_rcpt_maps() does not run, so nothing is refused', () => {
    expect(reply('bob@elsewhere.invalid', recorded({ smtpd_reject_unlisted_recipient: false }))).toBe('250 2.1.5 Ok');
  });
});

describe('each class its transport', () => {
  it('relay_domains: relay_transport decides, default_transport not', () => {
    const config = recorded({ relay_domains: ['elsewhere.invalid'], default_transport: 'smtp' });
    expect(reply('bob@elsewhere.invalid', config)).toBe(REFUSED('bob@elsewhere.invalid'));
    expect(reply('bob@other.invalid', config)).toBe('250 2.1.5 Ok');
    expect(reply('bob@elsewhere.invalid', { ...config, relay_transport: 'relay' })).toBe('250 2.1.5 Ok');
  });

  it('virtual_transport = error is refused before virtual_mailbox_maps is looked up', () => {
    const config = recorded({ virtual_transport: 'error:mailboxes are read-only', virtual_mailbox_maps: ['alice@example.test'] });
    expect(reply('alice@example.test', config)).toBe('550 5.1.1 <alice@example.test>: Recipient address rejected: mailboxes are read-only');
  });

  it('local_transport = error (a null client): a local domain\'s recipient is refused, before local_recipient_maps', () => {
    const config = recorded({ mydestination: ['backend.example.test'], local_transport: 'error:5.1.1 local delivery is disabled' });
    expect(reply('root@backend.example.test', config)).toBe('550 5.1.1 <root@backend.example.test>: Recipient address rejected: local delivery is disabled');
  });
});

describe("the error and retry transports' nexthop (dsn_split(), smtpd_dsn_fix(), smtpd_check_reject())", () => {
  const refused = (transport: string, to = 'bob@elsewhere.invalid') => rcpt(to, recorded({ default_transport: transport }));
  it('error without a nexthop: the default DSN 5.1.1 and the recipient\'s domain as the text', () => {
    expect(refused('error').replies.at(-2)).toBe('550 5.1.1 <bob@elsewhere.invalid>: Recipient address rejected: elsewhere.invalid');
    expect(refused('error:').replies.at(-2)).toBe('550 5.1.1 <bob@elsewhere.invalid>: Recipient address rejected: elsewhere.invalid');
  });

  it('retry: 450 with 4.1.1 by default; a DSN in the text takes the reply code\'s first digit', () => {
    expect(refused('retry:try later').replies.at(-2)).toBe('450 4.1.1 <bob@elsewhere.invalid>: Recipient address rejected: try later');
    expect(refused('retry:5.7.1 try later').replies.at(-2)).toBe('450 4.7.1 <bob@elsewhere.invalid>: Recipient address rejected: try later');
    expect(refused('error:4.3.2 not now').replies.at(-2)).toBe('550 5.3.2 <bob@elsewhere.invalid>: Recipient address rejected: not now');
  });

  it('an X.1.Y DSN is put in its recipient form, and the change logged', () => {
    const conv = refused('error:5.1.7 bad sender');
    expect(conv.replies.at(-2)).toBe('550 5.1.3 <bob@elsewhere.invalid>: Recipient address rejected: bad sender');
    expect(conv.logLines).toContain('mapping DSN status 5.1.7 into Recipient address status 5.1.3');
    expect(refused('error:5.1.10 odd').replies.at(-2)).toBe('550 5.1.0 <bob@elsewhere.invalid>: Recipient address rejected: odd');
    const kept = refused('error:5.1.1 no such user');
    expect(kept.replies.at(-2)).toBe('550 5.1.1 <bob@elsewhere.invalid>: Recipient address rejected: no such user');
    expect(kept.logLines.some((line) => line.startsWith('mapping DSN'))).toBe(false);
  });

  it('text that only looks like a DSN stays text; the name is compared exactly (Error is another transport)', () => {
    expect(refused('error:5.7 not a dsn').replies.at(-2)).toBe('550 5.1.1 <bob@elsewhere.invalid>: Recipient address rejected: 5.7 not a dsn');
    expect(refused('error:5.7.1234 too long').replies.at(-2)).toBe('550 5.1.1 <bob@elsewhere.invalid>: Recipient address rejected: 5.7.1234 too long');
    expect(refused('Error:5.7.1 x').replies.at(-2)).toBe('250 2.1.5 Ok');
    expect(refused('smtp:[relay.example.test]:587').replies.at(-2)).toBe('250 2.1.5 Ok');
  });
});

describe('the transport parameters in main.cf form (parsePostfixConfig)', () => {
  it("reads the real stack's lines, Postfix's defaults when absent", () => {
    const config = parsePostfixConfig({ default_transport: LAB, relay_transport: ` ${LAB} ` });
    expect([config.default_transport, config.relay_transport, config.local_transport, config.virtual_transport]).toEqual([LAB, LAB, 'local:$myhostname', 'virtual']);
  });

  it('refuses what the lab would answer otherwise, naming the parameter', () => {
    expect(() => parsePostfixConfig({ relay_transport: '' })).toThrow(/^relay_transport: "": Postfix refuses a null transport/);
    expect(() => parsePostfixConfig({ default_transport: 'error:$myhostname says no' })).toThrow(/^default_transport: .*does not expand \$parameters/);
    expect(() => parsePostfixConfig({ local_transport: 'retry:4.3.2' })).toThrow(/^local_transport: .*a DSN with no text after it/);
    // not the error or retry transport: the nexthop is never shown
    expect(parsePostfixConfig({ local_transport: 'local:$myhostname' }).local_transport).toBe('local:$myhostname');
  });
});
