/* list-styles - '!' and parent domains in the address lists smtpd reads, each list in its own style
 *
 * Postfix v3.7.11 (the same at v3.9.0 and v3.10.13): util/match_list.c match_list_match() answers
 * "no" for a '!pattern' that matches and stops; util/match_ops.c match_hostname() matches names
 * below "domain" when the list has MATCH_FLAG_PARENT, below ".domain" when it has not. Which list
 * has it: global/match_parent_style.c, the list's parameter in parent_domain_matches_subdomains
 * (mail_params.h DEF_PAR_DOM_MATCH holds mynetworks). smtpd.c pre_jail_init(): xclient_hosts has
 * MATCH_FLAG_RETURN alone; bare_lf_excl takes mynetworks' style; hogger_list
 * (smtpd_client_event_limit_exceptions) its own. smtpd_check.c smtpd_check_init(): mynetworks its own.
 */
import { describe, expect, it } from 'vitest';
import { labPreset, parsePostfixConfig, postfixDefaults, type PostfixConfig } from '../../../models/postfix/config.js';
import { createPostfix } from '../../../models/postfix/smtpd.js';
import { DirectDriver } from '../front/direct-driver.js';
import { DELIVERING, lockstep, talk } from './talk.js';

const CLIENT = '192.0.2.9';
const named = (overrides: Partial<PostfixConfig>) => labPreset({ ...DELIVERING, reverseDns: { [CLIENT]: 'mx.example.test' }, ...overrides });

const relayReply = (config: PostfixConfig) =>
  talk(config, lockstep(['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<x@elsewhere.test>\r\n', 'QUIT\r\n']), CLIENT).replies.at(-2);
const xclientReply = (config: PostfixConfig) =>
  talk(config, lockstep(['EHLO lab\r\n', 'XCLIENT LOGIN=alice\r\n', 'QUIT\r\n']), CLIENT).replies.at(-2);

const DENIED = '554 5.7.1 <x@elsewhere.test>: Relay access denied';

describe('mynetworks: parent style by default', () => {
  it('"example.test" permits relay for mx.example.test; without mynetworks in parent_domain_matches_subdomains it does not', () => {
    expect(relayReply(named({ mynetworks: ['example.test'] }))).toBe('250 2.1.5 Ok');
    expect(relayReply(named({ mynetworks: ['example.test'], parent_domain_matches_subdomains: [] }))).toBe(DENIED);
    expect(relayReply(named({ mynetworks: ['.example.test'], parent_domain_matches_subdomains: [] }))).toBe('250 2.1.5 Ok');
  });
  it("'!address' before a block leaves that client out", () => {
    expect(relayReply(named({ mynetworks: ['!192.0.2.9', '192.0.2.0/24'] }))).toBe(DENIED);
    expect(relayReply(named({ mynetworks: ['!192.0.2.8', '192.0.2.0/24'] }))).toBe('250 2.1.5 Ok');
  });
});

describe('smtpd_authorized_xclient_hosts: never the parent style', () => {
  it('"example.test" does not authorize mx.example.test, even listed in parent_domain_matches_subdomains; ".example.test" does', () => {
    expect(xclientReply(named({ smtpd_authorized_xclient_hosts: ['example.test'] }))).toBe('550 5.7.0 Error: insufficient authorization');
    expect(xclientReply(named({ smtpd_authorized_xclient_hosts: ['example.test'], parent_domain_matches_subdomains: ['smtpd_authorized_xclient_hosts'] }))).toBe('550 5.7.0 Error: insufficient authorization');
    expect(xclientReply(named({ smtpd_authorized_xclient_hosts: ['.example.test'] }))).toMatch(/^220 /);
  });
  it('after XCLIENT the new client is judged in the same style (xclient_cmd() re-evaluates xclient_allowed): a second XCLIENT as NAME=mx.example.test', () => {
    const secondXclient = (hosts: string[]) =>
      talk(named({ smtpd_authorized_xclient_hosts: hosts }), lockstep(['EHLO lab\r\n', 'XCLIENT NAME=mx.example.test ADDR=198.51.100.7\r\n', 'EHLO lab\r\n', 'XCLIENT LOGIN=alice\r\n', 'QUIT\r\n']), CLIENT).replies.at(-2);
    expect(secondXclient([CLIENT, 'example.test'])).toBe('550 5.7.0 Error: insufficient authorization');
    expect(secondXclient([CLIENT, '.example.test'])).toMatch(/^220 /);
  });
  it("'!address' before the block refuses that proxy", () => {
    expect(xclientReply(named({ smtpd_authorized_xclient_hosts: ['!192.0.2.9', '192.0.2.0/24'] }))).toBe('550 5.7.0 Error: insufficient authorization');
    expect(xclientReply(named({ smtpd_authorized_xclient_hosts: ['!192.0.2.8', '192.0.2.0/24'] }))).toMatch(/^220 /);
  });
});

describe('smtpd_forbid_bare_newline_exclusions: mynetworks\' style', () => {
  const bareNoop = (config: PostfixConfig) => talk(config, lockstep(['NOOP\n', 'QUIT\r\n']), CLIENT).replies[1];
  it('"example.test" excludes mx.example.test while mynetworks is parent style, not after', () => {
    const exclusions = { smtpd_forbid_bare_newline: 'reject' as const, smtpd_forbid_bare_newline_exclusions: ['example.test'] };
    expect(bareNoop(named(exclusions))).toBe('250 2.0.0 Ok');
    expect(bareNoop(named({ ...exclusions, parent_domain_matches_subdomains: ['smtpd_forbid_bare_newline_exclusions'] }))).toMatch(/^550 5\.5\.2 /);
  });
});

describe('smtpd_client_event_limit_exceptions: its own style, even as the default $mynetworks', () => {
  const local = { host: '192.0.2.10', port: 25 };
  const thirdReply = (config: PostfixConfig) => {
    const d = new DirectDriver(createPostfix(config));
    for (const [i, conn] of ['a', 'b', 'c'].entries()) d.input({ kind: 'accepted', conn, local, remote: { host: CLIENT, port: 40000 + i } }).advanceBy(1_000_000);
    return d.writes('c');
  };
  const limited = (overrides: Partial<PostfixConfig>) => ({ ...postfixDefaults(), reverseDns: { [CLIENT]: 'mx.example.test' }, smtpd_client_connection_count_limit: 1, ...overrides });
  it('mynetworks "example.test" does not exempt mx.example.test from anvil; ".example.test" and the parent style by name do', () => {
    expect(thirdReply(limited({ mynetworks: ['example.test'] }))).toEqual(['421 4.7.0 localhost Error: too many connections from 192.0.2.9\r\n']);
    expect(thirdReply(limited({ mynetworks: ['.example.test'] }))).toEqual(['220 localhost ESMTP Postfix\r\n']);
    expect(thirdReply(limited({ mynetworks: ['example.test'], parent_domain_matches_subdomains: ['smtpd_client_event_limit_exceptions'] }))).toEqual(['220 localhost ESMTP Postfix\r\n']);
  });
});

describe('the destination lists of permit_auth_destination (trivial-rewrite resolve.c resolve_class())', () => {
  // relay_domains: domain_list_init(VAR_RELAY_DOMAINS, MATCH_FLAG_RETURN | match_parent_style(VAR_RELAY_DOMAINS)) in
  // resolve_init(); mydestination (global/resolve_local.c) and virtual_mailbox_domains: string_list_init(), match_string().
  const rcptReply = (config: PostfixConfig, recipient: string) =>
    talk(config, lockstep(['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', `RCPT TO:<${recipient}>\r\n`, 'QUIT\r\n']), CLIENT).replies.at(-2);
  const denied = (recipient: string) => `554 5.7.1 <${recipient}>: Relay access denied`;
  it('relay_domains "elsewhere.test" takes its subdomains in the default parent style; without it only ".elsewhere.test" does', () => {
    expect(rcptReply(named({ relay_domains: ['elsewhere.test'] }), 'x@sub.elsewhere.test')).toBe('250 2.1.5 Ok');
    expect(rcptReply(named({ relay_domains: ['elsewhere.test'], parent_domain_matches_subdomains: [] }), 'x@sub.elsewhere.test')).toBe(denied('x@sub.elsewhere.test'));
    expect(rcptReply(named({ relay_domains: ['.elsewhere.test'], parent_domain_matches_subdomains: [] }), 'x@sub.elsewhere.test')).toBe('250 2.1.5 Ok');
    expect(rcptReply(named({ relay_domains: ['.elsewhere.test'], parent_domain_matches_subdomains: [] }), 'x@elsewhere.test')).toBe(denied('x@elsewhere.test'));
    expect(rcptReply(named({ relay_domains: ['elsewhere.test'] }), 'x@notelsewhere.test')).toBe(denied('x@notelsewhere.test'));
  });
  it("'!domain' before its parent leaves that domain out of relay_domains", () => {
    const relay = named({ relay_domains: ['!sub.elsewhere.test', 'elsewhere.test'] });
    expect(rcptReply(relay, 'x@sub.elsewhere.test')).toBe(denied('x@sub.elsewhere.test'));
    expect(rcptReply(relay, 'x@other.elsewhere.test')).toBe('250 2.1.5 Ok');
  });
  it("mydestination and virtual_mailbox_domains match the whole domain, without case, and a '!domain' first leaves it out", () => {
    expect(rcptReply(named({ mydestination: ['Elsewhere.TEST'] }), 'x@elsewhere.test')).toBe('250 2.1.5 Ok');
    expect(rcptReply(named({ mydestination: ['elsewhere.test'] }), 'x@sub.elsewhere.test')).toBe(denied('x@sub.elsewhere.test'));
    expect(rcptReply(named({ mydestination: ['!elsewhere.test', 'elsewhere.test'] }), 'x@elsewhere.test')).toBe(denied('x@elsewhere.test'));
    expect(rcptReply(named({ virtual_mailbox_domains: ['!example.test', 'example.test'] }), 'x@example.test')).toBe(denied('x@example.test'));
  });
});

describe('main.cf', () => {
  it('parent_domain_matches_subdomains is a list; an item of only "!" stops Postfix (match_list_parse(): "no pattern after \'!\'")', () => {
    expect(parsePostfixConfig({ parent_domain_matches_subdomains: 'relay_domains, mynetworks' }).parent_domain_matches_subdomains).toEqual(['relay_domains', 'mynetworks']);
    expect(postfixDefaults().parent_domain_matches_subdomains).toContain('mynetworks');
    expect(() => parsePostfixConfig({ smtpd_authorized_xclient_hosts: '192.0.2.0/24, !' })).toThrow("smtpd_authorized_xclient_hosts: no pattern after '!'");
    expect(() => parsePostfixConfig({ mynetworks: '!!' })).toThrow("mynetworks: no pattern after '!'");
    expect(parsePostfixConfig({ mynetworks: '!192.0.2.9 192.0.2.0/24' }).mynetworks).toEqual(['!192.0.2.9', '192.0.2.0/24']);
    // smtpd_milters is a list of milter names (milter_create()), not a match list: no match_list_parse() fatal.
    expect(parsePostfixConfig({ smtpd_milters: '!' }).smtpd_milters).toEqual(['!']);
  });
});
