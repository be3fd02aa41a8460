/* restrictions - smtpd_check.c's restriction lists in the model: each stage, smtpd_delay_reject, the replies and reject lines
 *
 * postfix/src/smtpd/smtpd_check.c generic_checks(), smtpd_check_reject(), smtpd_check_client() ..
 * smtpd_check_eod() (v3.7.11). Every reply and log line here was checked against the real 3.7.11
 * (test/conformance/real-stack/restrictions.test.ts runs the same kinds of sessions on both).
 * The sessions come from 127.0.0.1 (the lab preset's mynetworks and XCLIENT hosts) and become an
 * outside client with XCLIENT ADDR=, a logged-in one with LOGIN=.
 */
import { describe, expect, it } from 'vitest';
import { labPreset, parsePostfixConfig, type PostfixConfig } from '../../../models/postfix/config.js';
import { loadScenario } from '../../../scenarios/index.js';
import { postfixConfigOf } from '../../../scenarios/topology.js';
import { DELIVERING, lockstep, talk } from './talk.js';

const outside = (login?: string) => ['EHLO c.example.test\r\n', `XCLIENT ADDR=192.0.2.7 NAME=[UNAVAILABLE]${login === undefined ? '' : ` LOGIN=${login}`}\r\n`, 'EHLO c.example.test\r\n'];
const cmd = (...lines: string[]) => lines.map((l) => `${l}\r\n`);
/** The lab preset with main.cf-style settings over it. */
const withSettings = (settings: Record<string, string>, base: Partial<PostfixConfig> = {}) => parsePostfixConfig(settings, labPreset({ ...DELIVERING, ...base }));
const run = (settings: Record<string, string>, lines: readonly string[], base: Partial<PostfixConfig> = {}) => talk(withSettings(settings, base), lockstep([...lines, 'QUIT\r\n']));
const rejects = (logLines: readonly string[]) => logLines.filter((l) => /: (reject|reject_warning|warn): /.test(l) || l.startsWith('warning: '));

const MAILU_10025 = 'check_sasl_access inline:{ {bob@example.test = REJECT no sending for you} }, reject_unlisted_sender, reject_authenticated_sender_login_mismatch, permit';
const LOGINS = 'inline:{ alice@example.test=alice@example.test, {shared@example.test = carol@example.test, alice@example.test} }';

describe("Mailu's 10025 smtpd_client_restrictions, delayed to RCPT (smtpd_delay_reject = yes)", () => {
  const mailu = (login: string | undefined, lines: readonly string[]) =>
    run({ smtpd_client_restrictions: MAILU_10025, smtpd_sender_login_maps: LOGINS }, [...outside(login), ...lines], { default_transport: 'error:5.7.1 no outbound delivery in this lab' });

  it('after XCLIENT LOGIN=, a sender the login does not own: MAIL passes, RCPT gets 553 and the reject line names both', () => {
    const conv = mailu('alice@example.test', cmd('MAIL FROM:<carol@example.test>', 'RCPT TO:<x@example.test>'));
    expect(conv.replies.slice(-3, -1)).toEqual(['250 2.1.0 Ok', '553 5.7.1 <carol@example.test>: Sender address rejected: not owned by user alice@example.test']);
    expect(rejects(conv.logLines)).toEqual(['NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 553 5.7.1 <carol@example.test>: Sender address rejected: not owned by user alice@example.test; from=<carol@example.test> to=<x@example.test> proto=ESMTP helo=<c.example.test>']);
  });

  it('an address with several owners, any of them (the owners split at commas and blanks, compared without case)', () => {
    expect(mailu('ALICE@example.test', cmd('MAIL FROM:<shared@example.test>', 'RCPT TO:<x@example.test>')).replies.at(-2)).toBe('250 2.1.5 Ok');
  });

  it('check_sasl_access: the login looked up, its REJECT text in the class "SASL login name"', () => {
    const conv = mailu('bob@example.test', cmd('MAIL FROM:<bob@example.test>', 'RCPT TO:<x@example.test>'));
    expect(conv.replies.at(-2)).toBe('554 5.7.1 <bob@example.test>: SASL login name rejected: no sending for you');
  });

  it('reject_unlisted_sender: a sender that resolves to the error transport is refused with its text; VRFY runs the client restrictions too', () => {
    const conv = mailu('alice@example.test', cmd('MAIL FROM:<nobody@elsewhere.test>', 'RCPT TO:<x@example.test>', 'VRFY x@example.test'));
    expect(conv.replies.slice(-3, -1)).toEqual([
      '550 5.7.1 <nobody@elsewhere.test>: Sender address rejected: no outbound delivery in this lab',
      '553 5.7.1 <nobody@elsewhere.test>: Sender address rejected: not owned by user alice@example.test',
    ]);
    expect(rejects(conv.logLines)[1]).toBe('NOQUEUE: reject: VRFY from unknown[192.0.2.7]: 553 5.7.1 <nobody@elsewhere.test>: Sender address rejected: not owned by user alice@example.test; from=<nobody@elsewhere.test> to=<x@example.test> proto=ESMTP helo=<c.example.test>');
  });

  it('reject_unlisted_sender: an unknown sender of a virtual mailbox domain (550 5.1.0 ... User unknown in virtual mailbox table)', () => {
    const conv = run({ smtpd_sender_restrictions: 'reject_unlisted_sender', virtual_mailbox_maps: 'inline:{ alice@example.test=x }' }, [...outside(), ...cmd('MAIL FROM:<nobody@example.test>', 'RCPT TO:<alice@example.test>')]);
    expect(conv.replies.at(-2)).toBe('550 5.1.0 <nobody@example.test>: Sender address rejected: User unknown in virtual mailbox table');
  });

  it('without a login the sender is not judged (reject_authenticated_sender_login_mismatch) and permit ends the list; the relay restrictions still run', () => {
    const conv = mailu(undefined, cmd('MAIL FROM:<alice@example.test>', 'RCPT TO:<x@example.test>', 'RCPT TO:<x@elsewhere.test>'));
    expect(conv.replies.slice(-3, -1)).toEqual(['250 2.1.5 Ok', '554 5.7.1 <x@elsewhere.test>: Relay access denied']);
  });

  it('reject_unauthenticated_sender_login_mismatch (in reject_sender_login_mismatch): an owned sender needs a login', () => {
    const conv = run({ smtpd_sender_restrictions: 'reject_sender_login_mismatch', smtpd_sender_login_maps: LOGINS }, [...outside(), ...cmd('MAIL FROM:<alice@example.test>', 'RCPT TO:<x@example.test>')]);
    expect(conv.replies.at(-2)).toBe('553 5.7.1 <alice@example.test>: Sender address rejected: not logged in');
  });

  it('a sender the table gives to another login is refused for this one, whatever restriction list holds the check', () => {
    const conv = run({ smtpd_sender_restrictions: 'reject_sender_login_mismatch', smtpd_sender_login_maps: LOGINS }, [...outside('carol@example.test'), ...cmd('MAIL FROM:<alice@example.test>', 'RCPT TO:<x@example.test>')]);
    expect(conv.replies.at(-2)).toBe('553 5.7.1 <alice@example.test>: Sender address rejected: not owned by user carol@example.test');
  });

  it('reject_known_sender_login_mismatch: an unlisted sender passes a logged-in client; without SASL the login restrictions are ignored with a warning', () => {
    const known = run({ smtpd_sender_restrictions: 'reject_known_sender_login_mismatch', smtpd_sender_login_maps: LOGINS }, [...outside('carol@example.test'), ...cmd('MAIL FROM:<other@example.test>', 'RCPT TO:<x@example.test>')]);
    expect(known.replies.at(-2)).toBe('250 2.1.5 Ok');
    const noSasl = run({ smtpd_sender_restrictions: 'reject_authenticated_sender_login_mismatch', smtpd_sender_login_maps: LOGINS, smtpd_sasl_auth_enable: 'no' }, [...outside('carol@example.test'), ...cmd('MAIL FROM:<alice@example.test>', 'RCPT TO:<x@example.test>')]);
    expect(noSasl.replies.at(-2)).toBe('250 2.1.5 Ok');
    expect(noSasl.logLines).toContain("warning: restriction `reject_authenticated_sender_login_mismatch' ignored: no SASL support");
  });
});

describe('smtpd_delay_reject', () => {
  const table = 'check_client_access inline:{ {192.0.2.7 = REJECT go away} }';
  it('yes (the default): the client reject comes at RCPT, logged with sender and recipient', () => {
    const conv = run({ smtpd_client_restrictions: table }, [...outside(), ...cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@example.test>')]);
    expect(conv.replies.at(-2)).toBe('554 5.7.1 <unknown[192.0.2.7]>: Client host rejected: go away');
    expect(rejects(conv.logLines)).toEqual(['NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 554 5.7.1 <unknown[192.0.2.7]>: Client host rejected: go away; from=<a@example.test> to=<x@example.test> proto=ESMTP helo=<c.example.test>']);
  });

  it('no: the reject replaces the greeting (after XCLIENT, in place of its 220), then 503 to every command but QUIT', () => {
    const conv = run({ smtpd_delay_reject: 'no', smtpd_client_restrictions: table }, [...outside(), ...cmd('MAIL FROM:<a@example.test>')]);
    expect(conv.replies.slice(-4)).toEqual(['554 5.7.1 <unknown[192.0.2.7]>: Client host rejected: go away', '503 5.7.0 Error: access denied for unknown[192.0.2.7]', '503 5.7.0 Error: access denied for unknown[192.0.2.7]', '221 2.0.0 Bye']);
    expect(rejects(conv.logLines)).toEqual(['NOQUEUE: reject: XCLIENT from unknown[192.0.2.7]: 554 5.7.1 <unknown[192.0.2.7]>: Client host rejected: go away; proto=SMTP']);
  });

  it('no: the HELO restrictions answer HELO/EHLO, the sender restrictions MAIL', () => {
    const helo = run({ smtpd_delay_reject: 'no', smtpd_helo_restrictions: 'reject_non_fqdn_helo_hostname' }, cmd('EHLO localhost', 'EHLO mail.example.test'));
    expect(helo.replies.slice(1, 2)).toEqual(['504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname']);
    expect(rejects(helo.logLines)).toEqual(['NOQUEUE: reject: EHLO from localhost[127.0.0.1]: 504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname; proto=SMTP helo=<localhost>']);
    const mail = run({ smtpd_delay_reject: 'no', smtpd_sender_restrictions: 'reject_non_fqdn_sender' }, [...outside(), ...cmd('MAIL FROM:<a@b>', 'MAIL FROM:<a@example.test>')]);
    expect(mail.replies.slice(-3, -1)).toEqual(['504 5.5.2 <a@b>: Sender address rejected: need fully-qualified address', '250 2.1.0 Ok']);
    expect(rejects(mail.logLines)).toEqual(['NOQUEUE: reject: MAIL from unknown[192.0.2.7]: 504 5.5.2 <a@b>: Sender address rejected: need fully-qualified address; from=<a@b> proto=ESMTP helo=<c.example.test>']);
  });
});

describe('the restrictions of each stage', () => {
  it('HELO: invalid name, invalid address literal, not fully qualified, an access table (parent domains; a trailing dot)', () => {
    const helo = (name: string) => run({ smtpd_helo_restrictions: 'reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname, check_helo_access inline:{ bad.example.test=REJECT }' }, ['EHLO c\r\n', 'XCLIENT ADDR=192.0.2.7\r\n', `EHLO ${name}\r\n`, ...cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@example.test>')]).replies.at(-2);
    expect(helo('bad_name!')).toBe('501 5.5.2 <bad_name!>: Helo command rejected: Invalid name');
    expect(helo('[1.2.3]')).toBe('501 5.5.2 <[1.2.3]>: Helo command rejected: invalid ip address');
    expect(helo('localhost')).toBe('504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname');
    expect(helo('mx.bad.example.test')).toBe('554 5.7.1 <mx.bad.example.test>: Helo command rejected: Access denied');
    expect(helo('ok.example.test.')).toBe('250 2.1.5 Ok');
  });

  it('sender: not fully qualified (the DSN follows the code), an access table by domain, the null sender as <>, a 4xx/5xx entry with its DSN', () => {
    const settings = { smtpd_sender_restrictions: 'reject_non_fqdn_sender, check_sender_access inline:{ spammer.test=REJECT, {<> = DEFER no bounces now}, {user+tag@example.test = 553 5.1.8 not you} }' };
    const sender = (from: string) => run(settings, [...outside(), `MAIL FROM:<${from}>\r\n`, 'RCPT TO:<x@example.test>\r\n']).replies.at(-2);
    expect(sender('a@b')).toBe('504 5.5.2 <a@b>: Sender address rejected: need fully-qualified address');
    expect(sender('x@mx.spammer.test')).toBe('554 5.7.1 <x@mx.spammer.test>: Sender address rejected: Access denied');
    expect(sender('')).toBe('450 4.7.1 <>: Sender address rejected: no bounces now');
    expect(sender('user+tag@example.test')).toBe('553 5.1.8 <user+tag@example.test>: Sender address rejected: not you');
  });

  it('recipient: relay first (3.6 on), warn_if_reject, an entry with its code, DEFER_IF_PERMIT, OK, a restriction list as the value, bare postmaster', () => {
    const settings = {
      smtpd_relay_restrictions: 'permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination',
      smtpd_recipient_restrictions: 'reject_non_fqdn_recipient, warn_if_reject reject, check_recipient_access inline:{ {blocked@example.test = 550 5.1.1 gone away}, soft@example.test=DEFER_IF_PERMIT, ok@example.test=OK, {chain@example.test = reject_non_fqdn_sender, reject} }, permit',
    };
    const conv = run(settings, [...outside(), ...cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@elsewhere.test>', 'RCPT TO:<blocked@example.test>', 'RCPT TO:<soft@example.test>', 'RCPT TO:<ok@example.test>', 'RCPT TO:<chain@example.test>', 'RCPT TO:<postmaster>', 'RCPT TO:<a@b>')]);
    expect(conv.replies.slice(-8, -1)).toEqual([
      '454 4.7.1 <x@elsewhere.test>: Relay access denied',
      '550 5.1.1 <blocked@example.test>: Recipient address rejected: gone away',
      '450 4.7.1 <soft@example.test>: Recipient address rejected: Service unavailable',
      '250 2.1.5 Ok',
      '554 5.7.1 <chain@example.test>: Recipient address rejected: Access denied',
      '250 2.1.5 Ok',
      '454 4.7.1 <a@b>: Relay access denied',
    ]);
    expect(rejects(conv.logLines).filter((l) => l.includes('reject_warning'))).toHaveLength(4);
  });

  it('DATA and end-of-data: reject_unauth_pipelining (the old check) names <DATA>; an end-of-data reject names no recipient when there are several', () => {
    const pipelined = talk(withSettings({ smtpd_forbid_unauth_pipelining: 'no', smtpd_data_restrictions: 'reject_unauth_pipelining' }), [
      ...lockstep([...outside(), ...cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@example.test>')]),
      [600_000, 'DATA\r\nSubject: t\r\n\r\nhi\r\n.\r\n'],
    ]);
    expect(pipelined.replies.slice(-2)).toEqual(['503 5.5.0 <DATA>: Data command rejected: Improper use of SMTP command pipelining', '221 2.7.0 Error: I can break rules, too. Goodbye.']);
    const eod = run({ smtpd_end_of_data_restrictions: 'check_client_access inline:{ 192.0.2.8=REJECT }' }, ['EHLO c\r\n', 'XCLIENT ADDR=192.0.2.8\r\n', 'EHLO c\r\n', ...cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@example.test>', 'RCPT TO:<y@example.test>', 'DATA'), 'Subject: t\r\n\r\nhi\r\n.\r\n']);
    expect(eod.replies.at(-2)).toBe('554 5.7.1 <localhost[192.0.2.8]>: Client host rejected: Access denied');
    expect(rejects(eod.logLines)).toEqual([expect.stringMatching(/^[0-9A-F]+: reject: END-OF-MESSAGE from localhost\[192\.0\.2\.8\]: 554 5\.7\.1 <localhost\[192\.0\.2\.8\]>: Client host rejected: Access denied; from=<a@example\.test> proto=ESMTP helo=<c>$/)]);
  });

  it('reject_unauth_pipelining in the recipient restrictions: the flag an EHLO with more behind it set', () => {
    const conv = talk(withSettings({ smtpd_forbid_unauth_pipelining: 'no', smtpd_recipient_restrictions: 'reject_unauth_pipelining' }), [
      ...lockstep(['EHLO c\r\n', 'XCLIENT ADDR=192.0.2.7\r\n']),
      [400_000, 'EHLO c\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<x@example.test>\r\n'],
      [600_000, 'QUIT\r\n'],
    ]);
    expect(conv.replies.at(-2)).toBe('503 5.5.0 <x@example.test>: Recipient address rejected: Improper use of SMTP command pipelining');
    expect(conv.logLines).toContain('improper command pipelining after EHLO from localhost[192.0.2.7]: MAIL FROM:<a@example.test>\\r\\nRCPT TO:<x@example.test>\\r\\n');
  });

  it('ETRN: the delayed client restrictions, then smtpd_etrn_restrictions with check_etrn_access', () => {
    const etrn = run({ smtpd_etrn_restrictions: 'check_etrn_access inline:{ example.test=REJECT }' }, cmd('EHLO c.example.test', 'ETRN mx.example.test', 'ETRN other.test'));
    expect(etrn.replies.slice(-3, -1)).toEqual(['554 5.7.1 <mx.example.test>: Etrn command rejected: Access denied', '459 <other.test>: service unavailable']);
    const client = run({ smtpd_client_restrictions: 'permit_mynetworks, reject' }, [...outside(), 'ETRN other.test\r\n']);
    expect(client.replies.at(-2)).toBe('554 5.7.1 <unknown[192.0.2.7]>: Client host rejected: Access denied');
  });
});

describe('generic restrictions and smtpd_check_reject()', () => {
  const client = (list: string, settings: Record<string, string> = {}, login?: string) =>
    run({ smtpd_client_restrictions: list, ...settings }, [...outside(login), ...cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@example.test>')]);

  it('reject and defer with reject_code and defer_code; soft_bounce makes every 5xx reply 4xx (the DSN too)', () => {
    expect(client('reject').replies.at(-2)).toBe('554 5.7.1 <unknown[192.0.2.7]>: Client host rejected: Access denied');
    expect(client('reject', { reject_code: '550' }).replies.at(-2)).toBe('550 5.7.1 <unknown[192.0.2.7]>: Client host rejected: Access denied');
    expect(client('defer').replies.at(-2)).toBe('450 4.3.2 <unknown[192.0.2.7]>: Client host rejected: Try again later');
    const soft = client('reject', { soft_bounce: 'yes' });
    expect(soft.replies.at(-2)).toBe('454 4.7.1 <unknown[192.0.2.7]>: Client host rejected: Access denied');
    expect(rejects(soft.logLines)[0]).toContain(': 454 4.7.1 <unknown[192.0.2.7]>: Client host rejected: Access denied;');
    expect(run({ soft_bounce: 'yes' }, cmd('EHLO c', 'FOO')).replies.at(-2)).toBe('400 4.5.2 Error: command not recognized');
  });

  it('a reply code outside 400-599 is warned about and becomes 450 4.7.1 Service unavailable', () => {
    const conv = client('reject', { reject_code: '250' });
    expect(conv.replies.at(-2)).toBe('450 4.7.1 Service unavailable');
    expect(conv.logLines).toContain('warning: SMTP reply code configuration error: 250 5.7.1 <unknown[192.0.2.7]>: Client host rejected: Access denied');
  });

  it('defer_if_permit: a later permit becomes its 450; defer_if_reject: a later 5xx becomes its 450', () => {
    expect(client('defer_if_permit, permit').replies.at(-2)).toBe('450 4.7.0 <unknown[192.0.2.7]>: Client host rejected: defer_if_permit requested');
    expect(client('defer_if_reject, reject').replies.at(-2)).toBe('450 4.7.0 <unknown[192.0.2.7]>: Client host rejected: defer_if_reject requested');
    expect(client('defer_if_reject, permit').replies.at(-2)).toBe('250 2.1.5 Ok');
    // A table's value is a list run with the table's reply name and class (check_table_result()).
    expect(client('check_sasl_access inline:{ {carol@example.test = defer_if_reject, reject} }, permit', {}, 'carol@example.test').replies.at(-2)).toBe('450 4.7.0 <carol@example.test>: SASL login name rejected: defer_if_reject requested');
  });

  it('an unknown restriction (also as a table value): warning, 451 4.3.5 Server configuration error', () => {
    const conv = client('permit_mynetworks, check_sasl_access inline:{ {dave@example.test = bogus_restriction} }, permit', {}, 'dave@example.test');
    expect(conv.replies.at(-2)).toBe('451 4.3.5 Server configuration error');
    expect(conv.logLines).toContain('warning: unknown smtpd restriction: "bogus_restriction"');
    expect(client('no_such_thing').replies.at(-2)).toBe('451 4.3.5 Server configuration error');
  });

  it('a check_*_access without its table, and a bare table in DATA (no default access restriction)', () => {
    const conv = client('check_client_access');
    expect(conv.replies.at(-2)).toBe('451 4.3.5 Server configuration error');
    expect(conv.logLines).toContain('warning: restriction check_client_access: bad argument "check_client_access": need maptype:mapname');
    const bare = run({ smtpd_data_restrictions: 'inline:{ x=REJECT }' }, [...outside(), ...cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@example.test>', 'DATA')]);
    expect(bare.replies.at(-2)).toBe('451 4.3.5 Server configuration error');
  });

  it('a bare table in a list is the stage\'s default access restriction (check_client_access in the client list)', () => {
    expect(client('inline:{ 192.0.2=REJECT }').replies.at(-2)).toBe('554 5.7.1 <unknown[192.0.2.7]>: Client host rejected: Access denied');
  });
});

describe('release differences', () => {
  const relay = (version: string) =>
    talk(withSettings({ mail_version: version, smtpd_sasl_auth_enable: 'no', smtpd_relay_restrictions: 'permit_sasl_authenticated, reject_unauth_destination' }), lockstep([...outside('alice@example.test'), ...cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@elsewhere.test>', 'QUIT')])).replies.at(-2);

  it('permit_sasl_without_sasl_enable: 3.7.11 ignores an XCLIENT LOGIN= with SASL off, 3.7.12 (and 3.9.1) permit it', () => {
    expect(relay('3.7.11')).toBe('554 5.7.1 <x@elsewhere.test>: Relay access denied');
    expect(relay('3.7.12')).toBe('250 2.1.5 Ok');
    expect(relay('3.9')).toBe('554 5.7.1 <x@elsewhere.test>: Relay access denied');
    expect(relay('3.9.1')).toBe('250 2.1.5 Ok');
  });

  it('relay_before_recipient_restrictions: 3.5.27 runs the recipient restrictions first, 3.6.0 the relay ones', () => {
    const order = (version: string) =>
      talk(withSettings({ mail_version: version, smtpd_relay_restrictions: 'reject_unauth_destination', smtpd_recipient_restrictions: 'reject_non_fqdn_recipient' }), lockstep([...outside(), ...cmd('MAIL FROM:<a@example.test>', 'RCPT TO:<x@elsewhere>', 'QUIT')])).replies.at(-2);
    expect(order('3.5.27')).toBe('504 5.5.2 <x@elsewhere>: Recipient address rejected: need fully-qualified address');
    expect(order('3.6')).toBe('554 5.7.1 <x@elsewhere>: Relay access denied');
  });
});

describe('the configuration', () => {
  it('restrictions that need DNS or a policy service are refused by name; so are the ones the lab does not model, and tables it cannot read', () => {
    expect(() => parsePostfixConfig({ smtpd_client_restrictions: 'permit_mynetworks, reject_unknown_sender_domain, reject_rbl_client zen.example' })).toThrow('smtpd_client_restrictions: reject_unknown_sender_domain, reject_rbl_client: the lab has no DNS and no policy service to answer these');
    expect(() => parsePostfixConfig({ smtpd_client_restrictions: 'check_sasl_access socketmap:unix:/tmp/podop.socket:senderrate' })).toThrow('the lab reads inline:{ key=value, ... } access tables only');
    expect(() => parsePostfixConfig({ smtpd_helo_restrictions: 'permit_naked_ip_address' })).toThrow('permit_naked_ip_address is not modelled');
    expect(() => parsePostfixConfig({ smtpd_client_restrictions: 'check_client_access inline:{ x }' })).toThrow("missing '=' after attribute name");
  });

  it('smtpd does not start without a working reject among the RCPT restrictions (a permit before it does not count)', () => {
    expect(() => parsePostfixConfig({ smtpd_relay_restrictions: 'permit_mynetworks' })).toThrow('in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of: reject_unauth_destination, defer_unauth_destination, reject, defer, defer_if_permit or check_relay_domains');
    expect(() => parsePostfixConfig({ smtpd_relay_restrictions: '', smtpd_recipient_restrictions: 'permit, reject_unauth_destination' })).toThrow('specify at least one working instance');
    expect(parsePostfixConfig({ smtpd_relay_restrictions: '', smtpd_recipient_restrictions: 'permit_mynetworks, reject_unauth_destination' }).smtpd_relay_restrictions).toEqual([]);
  });

  it('a scenario whose RCPT lists have no working reject is refused with the same reason', () => {
    const scenario = loadScenario({ scenario: 'real-stack', sets: ['postfix.smtpd_relay_restrictions=permit_mynetworks'] });
    expect(() => postfixConfigOf(scenario)).toThrow('postfix.smtpd_relay_restrictions, postfix.smtpd_recipient_restrictions: in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of');
  });

  it('the lists keep an inline table whole; smtpd_sender_login_maps is an inline table of owners', () => {
    const c = parsePostfixConfig({ smtpd_client_restrictions: MAILU_10025, smtpd_sender_login_maps: LOGINS });
    expect(c.smtpd_client_restrictions).toEqual(['check_sasl_access', 'inline:{ {bob@example.test = REJECT no sending for you} }', 'reject_unlisted_sender', 'reject_authenticated_sender_login_mismatch', 'permit']);
    expect(c.smtpd_sender_login_maps).toEqual({ 'alice@example.test': 'alice@example.test', 'shared@example.test': 'carol@example.test, alice@example.test' });
    expect(() => parsePostfixConfig({ smtpd_sender_login_maps: '${podop}senderlogin' })).toThrow('smtpd_sender_login_maps: "${podop}senderlogin": the lab reads an inline:{ address=login, ... } table only');
  });
});
