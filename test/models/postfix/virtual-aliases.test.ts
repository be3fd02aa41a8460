/* virtual-aliases - the virtual alias class and virtual_alias_maps in check_rcpt_maps(), a domain in two class lists, proxy_interfaces
 *
 * Postfix v3.7.11 trivial-rewrite resolve.c resolve_addr() (address-class.ts, resolve-transport.ts) and
 * smtpd_check.c check_rcpt_maps() (rcpt-maps.ts). Every reply and log line below is the real 3.7.11's,
 * measured in a lab of its own (the recorded stack's main.cf: myorigin = example.test, virtual_mailbox_domains
 * example.test, default_transport and relay_transport error:5.7.1 no outbound delivery in this lab) with
 * mydestination = local.test, virtual_alias_domains = alias.test, both.test, relayalias.test, local.test,
 * virtual_mailbox_domains = example.test, both.test, vboth.test, relay_domains = relayalias.test, vboth.test,
 * relay.test, recipient_delimiter = +, proxy_interfaces = 192.0.2.7, local_recipient_maps = inline:{ root=x }
 * and the virtual_alias_maps below; the sender's with smtpd_reject_unlisted_sender = yes.
 */
import { describe, expect, it } from 'vitest';
import { labPreset, parsePostfixConfig, type PostfixConfig } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const MEASURED: PostfixConfig = parsePostfixConfig({
  mydestination: 'local.test',
  virtual_alias_domains: 'alias.test, both.test, relayalias.test, local.test',
  virtual_mailbox_domains: 'example.test, both.test, vboth.test',
  relay_domains: 'relayalias.test, vboth.test, relay.test',
  virtual_alias_maps: 'inline:{ known@alias.test=x, @catchall.test=x, bob@elsewhere.invalid=x, carol=x, dave+x@alias.test=x, erin@alias.test=x }',
  recipient_delimiter: '+',
  proxy_interfaces: '192.0.2.7',
  local_recipient_maps: 'inline:{ root=x }',
}, labPreset());

/** RCPT and VRFY of `to` in one session from 127.0.0.1 (mynetworks): both replies and every log line with its program. */
function ask(to: string, config: PostfixConfig = MEASURED, from = '127.0.0.1') {
  const conv = talk(config, lockstep(['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', `RCPT TO:<${to}>\r\n`, `VRFY ${to}\r\n`, 'QUIT\r\n']), from);
  return { rcpt: conv.replies.at(-3), vrfy: conv.replies.at(-2), logs: conv.logs.map((l) => `${l.program}: ${l.line}`) };
}

const UNKNOWN_ALIAS = (to: string) => `550 5.1.1 <${to}>: Recipient address rejected: User unknown in virtual alias table`;

describe('virtual_alias_domains: the virtual alias class (resolve.c: transport error, "5.1.1 User unknown in virtual alias table")', () => {
  it('an address virtual_alias_maps does not find is refused at RCPT and VRFY, logged as a reject', () => {
    const { rcpt, vrfy, logs } = ask('nobody@alias.test');
    expect([rcpt, vrfy]).toEqual([UNKNOWN_ALIAS('nobody@alias.test'), UNKNOWN_ALIAS('nobody@alias.test')]);
    expect(logs).toContain(`postfix/smtpd: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: ${UNKNOWN_ALIAS('nobody@alias.test')}; from=<a@example.test> to=<nobody@alias.test> proto=ESMTP helo=<lab>`);
  });

  it('one it finds is accepted: the address (any case), user@domain for user+ext@domain, @domain for the rest', () => {
    expect(ask('known@alias.test')).toMatchObject({ rcpt: '250 2.1.5 Ok', vrfy: '252 2.0.0 known@alias.test' });
    expect(ask('KNOWN@Alias.Test').rcpt).toBe('250 2.1.5 Ok');
    expect(ask('erin+tag@alias.test').rcpt).toBe('250 2.1.5 Ok');
    expect(ask('dave+x@alias.test').rcpt).toBe('250 2.1.5 Ok');
    // dave+x@ is a key, dave@ is not: the extension is stripped from the address, never added to it
    expect(ask('dave@alias.test').rcpt).toBe(UNKNOWN_ALIAS('dave@alias.test'));
    expect(ask('x@catchall.test').rcpt).toBe('250 2.1.5 Ok');
  });

  it('a bare local part key finds the user at $myorigin and at a local domain, not at a virtual alias domain (MA_FIND_LOCALPART_IF_LOCAL)', () => {
    expect(ask('carol@example.test').rcpt).toBe('250 2.1.5 Ok');
    expect(ask('carol@local.test').rcpt).toBe('250 2.1.5 Ok');
    expect(ask('carol@alias.test').rcpt).toBe(UNKNOWN_ALIAS('carol@alias.test'));
  });

  it('virtual_alias_maps is asked before the error transport, whatever the class: a listed foreign address passes', () => {
    expect(ask('bob@elsewhere.invalid').rcpt).toBe('250 2.1.5 Ok');
    expect(ask('other@elsewhere.invalid').rcpt).toBe('550 5.7.1 <other@elsewhere.invalid>: Recipient address rejected: no outbound delivery in this lab');
  });

  it('a virtual alias domain is an authorized destination (RESOLVE_CLASS_FINAL): an outside client is not refused relaying', () => {
    const outside = { ...MEASURED, smtpd_reject_unlisted_recipient: false };
    expect(ask('nobody@alias.test', outside, '192.0.2.9').rcpt).toBe('250 2.1.5 Ok');
    expect(ask('nobody@elsewhere.invalid', outside, '192.0.2.9').rcpt).toBe('554 5.7.1 <nobody@elsewhere.invalid>: Relay access denied');
  });

  it("virtual_alias_domains' default $virtual_alias_maps: a domain that is a key of the table", () => {
    const config = parsePostfixConfig({ virtual_alias_maps: 'inline:{ alias.test=x, known@alias.test=x }' }, labPreset());
    expect(config.virtual_alias_domains).toBeNull();
    expect(ask('known@alias.test', config).rcpt).toBe('250 2.1.5 Ok');
    expect(ask('nobody@alias.test', config).rcpt).toBe(UNKNOWN_ALIAS('nobody@alias.test'));
    // known@other.test: a key, but other.test is not one, so it is relaying (the lab's default_transport refuses it)
    expect(ask('nobody@other.test', config).rcpt).toBe('550 5.7.1 <nobody@other.test>: Recipient address rejected: no outbound delivery in this lab');
  });
});

describe('reject_unlisted_sender: a sender in a virtual alias domain goes through the same check (check_sender_rcpt_maps())', () => {
  it('the alias class\'s 5.1.1 is put in the sender form 5.1.7 and the change logged; at RCPT and VRFY with smtpd_delay_reject', () => {
    const config = parsePostfixConfig({ virtual_alias_domains: 'alias.test', smtpd_reject_unlisted_sender: 'yes', virtual_alias_maps: 'inline:{ known@alias.test=x }' }, labPreset());
    const conv = talk(config, lockstep(['EHLO lab\r\n', 'MAIL FROM:<nobody@alias.test>\r\n', 'RCPT TO:<known@alias.test>\r\n', 'VRFY known@alias.test\r\n', 'QUIT\r\n']));
    const refused = '550 5.1.7 <nobody@alias.test>: Sender address rejected: User unknown in virtual alias table';
    expect(conv.replies.slice(-3, -1)).toEqual([refused, refused]);
    expect(conv.logLines).toEqual(expect.arrayContaining([
      'mapping DSN status 5.1.1 into Sender address status 5.1.7',
      `NOQUEUE: reject: RCPT from localhost[127.0.0.1]: ${refused}; from=<nobody@alias.test> to=<known@alias.test> proto=ESMTP helo=<lab>`,
    ]));
  });
});

describe('a domain in two class lists: the first class wins, and trivial-rewrite warns', () => {
  const warning = (domain: string, first: string, second: string) => `postfix/trivial-rewrite: warning: do not list domain ${domain} in BOTH ${first} and ${second}`;

  it('virtual alias before virtual mailbox and relay; virtual mailbox before relay; the warning once for RCPT and VRFY, before the reject', () => {
    const both = ask('z@both.test');
    expect(both.rcpt).toBe(UNKNOWN_ALIAS('z@both.test'));
    expect(both.logs.filter((l) => l.includes('trivial-rewrite'))).toEqual([warning('both.test', 'virtual_alias_domains', 'virtual_mailbox_domains')]);
    expect(both.logs.findIndex((l) => l.includes('trivial-rewrite'))).toBeLessThan(both.logs.findIndex((l) => l.includes('reject: RCPT')));
    expect(ask('z@relayalias.test').logs).toContain(warning('relayalias.test', 'virtual_alias_domains', 'relay_domains'));
    const vboth = ask('z@vboth.test');
    expect(vboth.rcpt).toBe('250 2.1.5 Ok');
    expect(vboth.logs).toContain(warning('vboth.test', 'virtual_mailbox_domains', 'relay_domains'));
  });

  it('mydestination first: the local class, looked up in local_recipient_maps', () => {
    const local = ask('z@local.test');
    expect(local.rcpt).toBe('550 5.1.1 <z@local.test>: Recipient address rejected: User unknown in local recipient table');
    expect(local.logs.filter((l) => l.includes('trivial-rewrite'))).toEqual([warning('local.test', 'mydestination', 'virtual_alias_domains')]);
  });

  it('permit_auth_destination() resolves through the same cache: without check_rcpt_maps() the relay check logs it', () => {
    const relayOnly = ask('z@both.test', { ...MEASURED, smtpd_reject_unlisted_recipient: false }, '192.0.2.9');
    expect(relayOnly.rcpt).toBe('250 2.1.5 Ok');
    expect(relayOnly.logs.filter((l) => l.includes('trivial-rewrite'))).toEqual([warning('both.test', 'virtual_alias_domains', 'virtual_mailbox_domains')]);
  });

  it('no warning for a domain in one list', () => {
    expect(ask('nobody@alias.test').logs.some((l) => l.includes('trivial-rewrite'))).toBe(false);
  });
});

describe('proxy_interfaces: an [address] literal of one is the local class (resolve_local.c proxy_inet_addr())', () => {
  it('looked up in local_recipient_maps', () => {
    expect(ask('root@[192.0.2.7]').rcpt).toBe('250 2.1.5 Ok');
    expect(ask('nobody@[192.0.2.7]').rcpt).toBe('550 5.1.1 <nobody@[192.0.2.7]>: Recipient address rejected: User unknown in local recipient table');
    // without it the literal is relaying, refused by the default transport
    expect(ask('nobody@[192.0.2.7]', { ...MEASURED, proxy_interfaces: [] }).rcpt).toBe('550 5.7.1 <nobody@[192.0.2.7]>: Recipient address rejected: no outbound delivery in this lab');
  });
});

describe('virtual_mailbox_maps: a bare local part key finds the user at $myorigin (mail_addr_find() MA_FIND_LOCALPART_IF_LOCAL)', () => {
  it('carol finds carol@example.test, the layout\'s $myorigin, and not carol@ another virtual domain', () => {
    const config = labPreset({ virtual_mailbox_domains: ['example.test', 'other.test'], virtual_mailbox_maps: ['carol'] });
    expect(ask('carol@example.test', config).rcpt).toBe('250 2.1.5 Ok');
    expect(ask('carol@other.test', config).rcpt).toBe('550 5.1.1 <carol@other.test>: Recipient address rejected: User unknown in virtual mailbox table');
  });
});

describe('the new parameters in main.cf form (parsePostfixConfig): what the lab cannot read is refused, naming the parameter', () => {
  it.each([
    ['virtual_alias_maps', 'socketmap:unix:/tmp/podop.socket:alias', /^virtual_alias_maps: .*one inline:\{ key=value, \.\.\. \} table only/],
    ['virtual_alias_maps', 'inline:{ a@b }', /^virtual_alias_maps: .*missing '='/],
    ['virtual_alias_domains', '$mydomain', /^virtual_alias_domains: .*expands no \$parameter/],
    ['virtual_alias_domains', 'alias.test, !', /no pattern after '!'/],
    ['proxy_interfaces', 'proxy.example.test', /^proxy_interfaces: "proxy.example.test" is not an IPv4 or IPv6 address/],
  ])('%s = %s', (name, value, error) => {
    expect(() => parsePostfixConfig({ [name]: value })).toThrow(error);
  });

  it('the defaults: no alias table, virtual_alias_domains $virtual_alias_maps, no proxy interfaces', () => {
    const config = parsePostfixConfig({});
    expect([config.virtual_alias_maps, config.virtual_alias_domains, config.proxy_interfaces]).toEqual([null, null, []]);
    expect(parsePostfixConfig({ virtual_alias_domains: '${virtual_alias_maps}' }).virtual_alias_domains).toBeNull();
    expect(parsePostfixConfig({ virtual_alias_domains: '' }).virtual_alias_domains).toEqual([]);
  });
});
