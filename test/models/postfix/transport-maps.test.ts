/* transport-maps - where trivial-rewrite sends a recipient besides its class's transport: relayhost, transport_maps (resolve-transport.ts)
 *
 * Postfix v3.7.11 trivial-rewrite resolve.c resolve_addr() and transport.c transport_lookup() /
 * update_entry(); smtpd_check.c check_rcpt_maps() refuses what resolves to error or retry. Every reply
 * below is the real 3.7.11's, measured in a lab of its own (RCPT and VRFY alike) on the recorded stack's
 * main.cf with mydestination = local.test, virtual_alias_domains = alias.test, relay_domains = relay.test,
 * recipient_delimiter = +, local_recipient_maps empty, default_transport = error, relay_transport = retry,
 * relayhost = [relay.example.test] and the transport_maps below.
 */
import { describe, expect, it } from 'vitest';
import { labPreset, parsePostfixConfig, type PostfixConfig } from '../../../models/postfix/config.js';
import { lockstep, talk } from './talk.js';

const TABLE = 'inline:{ {stop@example.test = error:5.7.1 stopped here}, {retry.test = retry:4.4.1 later}, {.sub.test = error:sub text}, {sub.test = error:exact sub}, ' +
  '{plain.test = error}, {plainretry.test=retry}, {nh.test = :[mx.nh.test]}, {errnh.test = :only nexthop}, {alias.test = error:not used for alias}, ' +
  '{user+x@ext.test = error:full}, {user@ext.test = error:bare}, {@at.test = error:at form}, {carol = error:localpart}, {local.test = error:local via map}, {smtp.test = smtp} }';

const MEASURED: PostfixConfig = parsePostfixConfig({
  mydestination: 'local.test',
  virtual_alias_domains: 'alias.test',
  relay_domains: 'relay.test',
  recipient_delimiter: '+',
  local_recipient_maps: '',
  default_transport: 'error',
  relay_transport: 'retry',
  relayhost: '[relay.example.test]',
  transport_maps: TABLE,
}, labPreset());

/** RCPT's and VRFY's replies for `to` in one session from 127.0.0.1; VRFY goes through the same check. */
function ask(to: string, config: PostfixConfig = MEASURED) {
  const conv = talk(config, lockstep(['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', `RCPT TO:<${to}>\r\n`, `VRFY ${to}\r\n`, 'QUIT\r\n']));
  const [rcpt, vrfy] = conv.replies.slice(-3, -1);
  expect(vrfy === rcpt || (rcpt === '250 2.1.5 Ok' && vrfy === `252 2.0.0 ${to}`), `VRFY ${vrfy} after RCPT ${rcpt}`).toBe(true);
  return rcpt;
}
const refused = (to: string, text: string, code = '550 5.1.1') => `${code} <${to}>: Recipient address rejected: ${text}`;

describe('relayhost: the relay and default classes\' nexthop, which the error and retry transports show as their text', () => {
  it('default_transport = error and relayhost: the relayhost is the text', () => {
    expect(ask('z@nowhere.test')).toBe(refused('z@nowhere.test', '[relay.example.test]'));
  });

  it('relay_transport = retry: 450 with the relayhost', () => {
    expect(ask('z@relay.test')).toBe(refused('z@relay.test', '[relay.example.test]', '450 4.1.1'));
  });

  it("a main.cf transport:nexthop overrides the relayhost; the local and virtual classes never read it", () => {
    expect(ask('z@nowhere.test', { ...MEASURED, transport_maps: null, default_transport: 'error:5.7.1 no outbound delivery in this lab' })).toBe(refused('z@nowhere.test', 'no outbound delivery in this lab', '550 5.7.1'));
    expect(ask('z@example.test', { ...MEASURED, transport_maps: null, virtual_transport: 'error' })).toBe(refused('z@example.test', 'example.test'));
  });
});

describe('transport_maps (transport.c transport_lookup(): the address, without its extension, the domain, its parents, then *)', () => {
  it('an address, an exact domain, a parent domain in the ".domain" style (not in parent_domain_matches_subdomains)', () => {
    expect(ask('stop@example.test')).toBe(refused('stop@example.test', 'stopped here', '550 5.7.1'));
    expect(ask('x@retry.test')).toBe(refused('x@retry.test', 'later', '450 4.4.1'));
    expect(ask('X@Retry.Test')).toBe(refused('X@Retry.Test', 'later', '450 4.4.1'));
    expect(ask('x@sub.test')).toBe(refused('x@sub.test', 'exact sub'));
    expect(ask('x@a.sub.test')).toBe(refused('x@a.sub.test', 'sub text'));
    expect(ask('x@b.a.sub.test')).toBe(refused('x@b.a.sub.test', 'sub text'));
  });

  it('user+ext@domain, then user@domain; never @domain or a bare local part', () => {
    expect(ask('user+x@ext.test')).toBe(refused('user+x@ext.test', 'full'));
    expect(ask('user+y@ext.test')).toBe(refused('user+y@ext.test', 'bare'));
    expect(ask('user@ext.test')).toBe(refused('user@ext.test', 'bare'));
    expect(ask('x@at.test')).toBe(refused('x@at.test', '[relay.example.test]'));
    expect(ask('carol@example.test')).toBe('250 2.1.5 Ok');
  });

  it('error or retry without a nexthop: "Address is undeliverable"; ":nexthop" keeps the transport; another transport delivers', () => {
    expect(ask('x@plain.test')).toBe(refused('x@plain.test', 'Address is undeliverable'));
    expect(ask('x@plainretry.test')).toBe(refused('x@plainretry.test', 'Address is undeliverable', '450 4.1.1'));
    expect(ask('x@nh.test')).toBe(refused('x@nh.test', '[mx.nh.test]'));
    expect(ask('x@errnh.test')).toBe(refused('x@errnh.test', 'only nexthop'));
    expect(ask('x@smtp.test')).toBe('250 2.1.5 Ok');
  });

  it('every class but the virtual alias class: a local domain goes to the table\'s transport; alias.test keeps User unknown', () => {
    expect(ask('z@local.test')).toBe(refused('z@local.test', 'local via map'));
    expect(ask('x@alias.test')).toBe(refused('x@alias.test', 'User unknown in virtual alias table'));
  });

  it('parent_domain_matches_subdomains = transport_maps: parents as "domain"; the * entry for anything else, the virtual domain too', () => {
    const wild = parsePostfixConfig({
      parent_domain_matches_subdomains: 'transport_maps',
      transport_maps: 'inline:{ {stop@example.test = error:5.7.1 stopped here}, {.sub.test = error:sub text}, {sub.test = error:exact sub}, {* = retry:4.3.5 wild} }',
    }, MEASURED);
    expect(ask('z@nowhere.test', wild)).toBe(refused('z@nowhere.test', 'wild', '450 4.3.5'));
    expect(ask('other@example.test', wild)).toBe(refused('other@example.test', 'wild', '450 4.3.5'));
    expect(ask('stop@example.test', wild)).toBe(refused('stop@example.test', 'stopped here', '550 5.7.1'));
    expect(ask('x@a.sub.test', wild)).toBe(refused('x@a.sub.test', 'exact sub'));
    expect(ask('x@b.a.sub.test', wild)).toBe(refused('x@b.a.sub.test', 'exact sub'));
    const plain = parsePostfixConfig({ transport_maps: 'inline:{ {* = error} }', relayhost: '' }, MEASURED);
    expect(ask('z@nowhere.test', plain)).toBe(refused('z@nowhere.test', 'Address is undeliverable'));
  });
});

describe('transport_maps and relayhost in main.cf form (parsePostfixConfig)', () => {
  it.each([
    ['transport_maps', 'lmdb:/etc/postfix/transport.map', /^transport_maps: .*one inline:\{ key=value, \.\.\. \} table only/],
    ['transport_maps', 'inline:{ {x.test = error:5.7.1} }', /^transport_maps: "x.test = error:5.7.1": a DSN with no text after it/],
    ['transport_maps', 'inline:{ x.test }', /^transport_maps: .*missing '='/],
    ['relayhost', '$mydomain', /^relayhost: .*expands no \$parameter/],
  ])('%s = %s is refused', (name, value, error) => {
    expect(() => parsePostfixConfig({ [name]: value })).toThrow(error);
  });

  it('the defaults: no table, no relayhost; an entry\'s $ is text (table values are not expanded)', () => {
    expect([parsePostfixConfig({}).transport_maps, parsePostfixConfig({}).relayhost]).toEqual([null, '']);
    expect(parsePostfixConfig({ transport_maps: 'inline:{ {X.Test = error:costs $5} }' }).transport_maps).toEqual({ 'x.test': 'error:costs $5' });
  });
});
