/* config - parsing main.cf strings, version defaults, presets */
import { describe, expect, it } from 'vitest';
import { knownKeys, labPreset, mailuPreset, parsePostfixConfig, postfixDefaults, versionDefaults } from '../../../models/postfix/config.js';

describe('version defaults', () => {
  it('smtpd_forbid_unauth_pipelining: no in 3.7 and 3.8, yes from 3.9', () => {
    expect(versionDefaults('3.7.11').smtpd_forbid_unauth_pipelining).toBe(false);
    expect(versionDefaults('3.8.6').smtpd_forbid_unauth_pipelining).toBe(false);
    expect(versionDefaults('3.9').smtpd_forbid_unauth_pipelining).toBe(true);
    expect(versionDefaults('3.10.1').smtpd_forbid_unauth_pipelining).toBe(true);
  });
  it('smtpd_forbid_bare_newline: no before 3.9, normalize from 3.9', () => {
    expect(versionDefaults('3.8').smtpd_forbid_bare_newline).toBe('no');
    expect(versionDefaults('3.9.1').smtpd_forbid_bare_newline).toBe('normalize');
  });
  it('parsing mail_version applies that release\'s defaults unless the key is set too', () => {
    expect(parsePostfixConfig({ mail_version: '3.9' }, postfixDefaults('3.7')).smtpd_forbid_unauth_pipelining).toBe(true);
    expect(parsePostfixConfig({ mail_version: '3.9', smtpd_forbid_unauth_pipelining: 'no' }).smtpd_forbid_unauth_pipelining).toBe(false);
  });
});

describe('parsePostfixConfig', () => {
  it('reads main.cf values: booleans, counts, time units, lists, $myhostname', () => {
    const config = parsePostfixConfig({
      myhostname: 'mx.example.test',
      smtpd_banner: '$myhostname ESMTP lab',
      smtpd_sasl_auth_enable: 'yes',
      smtpd_timeout: '5m',
      smtpd_hard_error_limit: '3',
      smtpd_discard_ehlo_keywords: 'PIPELINING, silent-discard',
      smtpd_authorized_xclient_hosts: '127.0.0.0/8 10.0.0.1',
      smtpd_forbid_bare_newline: 'reject',
    });
    expect(config.smtpd_banner).toBe('mx.example.test ESMTP lab');
    expect(config.smtpd_sasl_auth_enable).toBe(true);
    expect(config.smtpd_timeout).toBe(300);
    expect(config.smtpd_hard_error_limit).toBe(3);
    expect(config.smtpd_discard_ehlo_keywords).toEqual(['pipelining', 'silent-discard']);
    expect(config.smtpd_authorized_xclient_hosts).toEqual(['127.0.0.0/8', '10.0.0.1']);
    expect(config.smtpd_forbid_bare_newline).toBe('reject');
  });

  it('names the key and the allowed values in its errors', () => {
    expect(() => parsePostfixConfig({ smtpd_forbid_unauth_pipelining: 'maybe' })).toThrow('smtpd_forbid_unauth_pipelining: "maybe" is not a boolean; allowed: yes, no');
    expect(() => parsePostfixConfig({ smtpd_forbid_bare_newline: 'sometimes' })).toThrow(/smtpd_forbid_bare_newline: .*allowed: no, normalize, yes, reject/);
    expect(() => parsePostfixConfig({ smtpd_timeout: '5 parsecs' })).toThrow(/smtpd_timeout: .*<number>\[s\|m\|h\|d\|w\]/);
    expect(() => parsePostfixConfig({ line_length_limit: '-1' })).toThrow(/line_length_limit: .*non-negative integer/);
    expect(() => parsePostfixConfig({ mail_version: 'latest' })).toThrow(/mail_version/);
    expect(() => parsePostfixConfig({ smtpd_tls_security_level: 'dane' })).toThrow(/allowed: none, may, encrypt/);
    expect(() => parsePostfixConfig({ no_such_parameter: 'x' })).toThrow(/no_such_parameter: unknown parameter/);
  });
});

describe('presets', () => {
  it('lab matches raw/postconf-n.txt and master.cf of the recorded stack', () => {
    const lab = labPreset();
    expect(lab.mail_version).toBe('3.7.11');
    expect(lab.myhostname).toBe('backend.example.test');
    expect(lab.smtpd_banner).toBe('backend.example.test ESMTP lab-postfix');
    expect(lab.smtpd_authorized_xclient_hosts).toEqual(['127.0.0.0/8']);
    expect(lab.smtpd_forbid_unauth_pipelining).toBe(true);
    expect(lab.smtpd_sasl_auth_enable).toBe(true);
    expect(lab.smtpd_helo_required).toBe(true);
    expect(lab.smtpd_discard_ehlo_keywords).toEqual([]);
  });
  it('mailu is Mailu\'s port-10025 service on Postfix 3.9 (before PR 3322)', () => {
    const mailu = mailuPreset();
    expect(mailu.smtpd_forbid_unauth_pipelining).toBe(true);
    expect(mailu.smtpd_discard_ehlo_keywords).toEqual(['pipelining', 'silent-discard']);
    expect(mailu.smtpd_sasl_auth_enable).toBe(true);
    expect(mailu.smtpd_milters).toEqual(['inet:antispam:11332']);
    expect(mailu.smtpd_relay_restrictions).toEqual(['permit_mynetworks', 'permit_sasl_authenticated', 'reject_unauth_destination']);
    expect(mailuPreset({ smtpd_forbid_unauth_pipelining: false }).smtpd_forbid_unauth_pipelining).toBe(false);
  });
});

describe('postconf -d: the built-in defaults (global/mail_params.h, v3.9.0)', () => {
  const defaults = postfixDefaults('3.9');
  it('limits and times: DEF_LINE_LIMIT 2048, DEF_SMTPD_TMOUT 300s, error limits 20/10, 1s sleep, junk 100, (DEF_PROC_LIMIT + 1) / 2 connections, DEF_MESSAGE_LIMIT, 5s proxy timeout', () => {
    expect(defaults).toMatchObject({
      line_length_limit: 2048, smtpd_timeout: 300, smtpd_hard_error_limit: 20, smtpd_soft_error_limit: 10, smtpd_error_sleep_time: 1,
      smtpd_junk_command_limit: 100, smtpd_client_connection_count_limit: 50, message_size_limit: 10_240_000, smtpd_upstream_proxy_timeout: 5,
      smtpd_forbid_bare_newline_reject_code: 550,
    });
  });
  it('switches: no SASL, no HELO requirement, VRFY on, no TLS, no TLS-only AUTH, no upstream proxy, no milters, no XCLIENT hosts, nothing discarded from EHLO', () => {
    expect(defaults).toMatchObject({
      smtpd_sasl_auth_enable: false, smtpd_helo_required: false, disable_vrfy_command: false, smtpd_tls_security_level: 'none', smtpd_tls_auth_only: false,
      smtpd_upstream_proxy_protocol: '', smtpd_milters: [], smtpd_authorized_xclient_hosts: [], smtpd_discard_ehlo_keywords: [],
    });
  });
  it('DEF_SMTPD_RELAY_CHECKS is permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination; relay_domains is empty from compatibility level 2', () => {
    expect(defaults.smtpd_relay_restrictions).toEqual(['permit_mynetworks', 'permit_sasl_authenticated', 'defer_unauth_destination']);
    expect(defaults.relay_domains).toEqual([]);
    expect(defaults.virtual_mailbox_domains).toEqual([]);
  });
  it('the event-limit exceptions and the bare-newline exclusions default to $mynetworks (DEF_SMTPD_HOGGERS, DEF_SMTPD_FORBID_BARE_LF_EXCL)', () => {
    expect(defaults.smtpd_client_event_limit_exceptions).toBeNull();
    expect(defaults.smtpd_forbid_bare_newline_exclusions).toBeNull();
  });
  it('the lab\'s stand-ins for the machine: host name localhost, loopback mynetworks, both address families, Dovecot offering PLAIN and LOGIN, a fresh process', () => {
    expect(defaults).toMatchObject({
      mail_version: '3.9', myhostname: 'localhost', smtpd_banner: 'localhost ESMTP Postfix', mynetworks: ['127.0.0.0/8'], inet_protocols: 'all',
      mydestination: ['localhost'], saslMechanisms: ['PLAIN', 'LOGIN'], saslUsers: {}, reverseDns: { '127.0.0.1': 'localhost' }, processReused: false,
    });
  });
  it('no recipient_delimiter (DEF_RCPT_DELIM ""); DEF_PAR_DOM_MATCH names the lists whose "domain" also matches the names below it', () => {
    expect(defaults.recipient_delimiter).toBe('');
    expect(defaults.parent_domain_matches_subdomains).toEqual(['debug_peer_list', 'fast_flush_domains', 'mynetworks', 'permit_mx_backup_networks', 'qmqpd_authorized_clients', 'relay_domains', 'smtpd_access_maps']);
  });
  it('the recorded stack: IPv4 only, alice\'s password, virtual domain example.test, relaying refused (reject, not defer)', () => {
    expect(labPreset()).toMatchObject({
      inet_protocols: 'ipv4', saslUsers: { 'alice@example.test': 'secret' }, mydestination: [], virtual_mailbox_domains: ['example.test'],
      mynetworks: ['127.0.0.0/8'], smtpd_relay_restrictions: ['permit_mynetworks', 'permit_sasl_authenticated', 'reject_unauth_destination'],
    });
  });
  it('Mailu: its host name and banner, SUBNET for XCLIENT and mynetworks, helo required, no mydestination, example.test virtual, 50 MB messages, any release asked for', () => {
    expect(mailuPreset()).toMatchObject({
      mail_version: '3.9', myhostname: 'mail.example.test', smtpd_banner: 'mail.example.test ESMTP Postfix', smtpd_authorized_xclient_hosts: ['192.168.203.0/24'],
      mynetworks: ['127.0.0.1/32', '[::1]/128', '192.168.203.0/24'], smtpd_helo_required: true, mydestination: [], virtual_mailbox_domains: ['example.test'],
      message_size_limit: 50_000_000, recipient_delimiter: '+',
    });
    expect(mailuPreset({ mail_version: '3.7.11' })).toMatchObject({ mail_version: '3.7.11', smtpd_forbid_unauth_pipelining: false, smtpd_forbid_bare_newline: 'no' });
  });
});

describe('parsePostfixConfig: each kind of value', () => {
  it('trims strings and counts, takes booleans in any case', () => {
    expect(parsePostfixConfig({ myhostname: ' mx.test ', smtpd_helo_required: ' YES ', message_size_limit: ' 0 ' })).toMatchObject({ myhostname: 'mx.test', smtpd_helo_required: true, message_size_limit: 0 });
    expect(parsePostfixConfig({ disable_vrfy_command: 'No' }, labPreset({ disable_vrfy_command: true })).disable_vrfy_command).toBe(false);
  });
  it('time values: s, m, h, d, w, or none (seconds); for smtpd_timeout, smtpd_error_sleep_time and smtpd_upstream_proxy_timeout', () => {
    const seconds = (value: string) => parsePostfixConfig({ smtpd_timeout: value }).smtpd_timeout;
    expect(['7', '7s', '2m', '2h', '1d', '1w', ' 3 '].map(seconds)).toEqual([7, 7, 120, 7200, 86_400, 604_800, 3]);
    expect(parsePostfixConfig({ smtpd_error_sleep_time: '0', smtpd_upstream_proxy_timeout: '1m' })).toMatchObject({ smtpd_error_sleep_time: 0, smtpd_upstream_proxy_timeout: 60 });
    expect(() => parsePostfixConfig({ smtpd_timeout: '5x' })).toThrow('smtpd_timeout: "5x" is not a time value; allowed: <number>[s|m|h|d|w]');
    expect(() => parsePostfixConfig({ smtpd_timeout: 'm' })).toThrow(/not a time value/);
  });
  it('lists: separated by commas and white space, empty items dropped; an empty value is an empty list', () => {
    expect(parsePostfixConfig({ mynetworks: ' 10.0.0.0/8,,192.0.2.1\t[::1]/128 ' }).mynetworks).toEqual(['10.0.0.0/8', '192.0.2.1', '[::1]/128']);
    expect(parsePostfixConfig({ smtpd_milters: '' }).smtpd_milters).toEqual([]);
    expect(parsePostfixConfig({ smtpd_client_event_limit_exceptions: '192.0.2.9' }).smtpd_client_event_limit_exceptions).toEqual(['192.0.2.9']);
  });
  it('every list parameter and every switch is read', () => {
    const lists = ['smtpd_authorized_xclient_hosts', 'mynetworks', 'smtpd_forbid_bare_newline_exclusions', 'smtpd_milters', 'mydestination', 'virtual_mailbox_domains', 'relay_domains', 'smtpd_client_event_limit_exceptions'];
    const parsed = parsePostfixConfig(Object.fromEntries(lists.map((key) => [key, 'a.test, b.test'])), postfixDefaults('3.9'));
    expect(lists.filter((key) => JSON.stringify(parsed[key as keyof typeof parsed]) !== '["a.test","b.test"]')).toEqual([]);
    const switches = ['smtpd_forbid_unauth_pipelining', 'smtpd_sasl_auth_enable', 'smtpd_helo_required', 'disable_vrfy_command', 'smtpd_tls_auth_only'];
    const on = parsePostfixConfig(Object.fromEntries(switches.map((key) => [key, 'yes'])), postfixDefaults('3.9'));
    expect(switches.filter((key) => on[key as keyof typeof on] !== true)).toEqual([]);
  });
  it('counts: digits only, with the key in the error', () => {
    expect(parsePostfixConfig({ smtpd_junk_command_limit: '5', smtpd_client_connection_count_limit: '0', smtpd_forbid_bare_newline_reject_code: '521' }, postfixDefaults('3.9')))
      .toMatchObject({ smtpd_junk_command_limit: 5, smtpd_client_connection_count_limit: 0, smtpd_forbid_bare_newline_reject_code: 521 });
    expect(() => parsePostfixConfig({ smtpd_soft_error_limit: '1.5' })).toThrow('smtpd_soft_error_limit: "1.5" is not a non-negative integer');
  });
  it('smtpd_relay_restrictions: the restrictions in the order given; one the lab does not model is refused by name', () => {
    expect(parsePostfixConfig({ smtpd_relay_restrictions: 'permit_sasl_authenticated, reject_unauth_destination' }).smtpd_relay_restrictions).toEqual(['permit_sasl_authenticated', 'reject_unauth_destination']);
    expect(() => parsePostfixConfig({ smtpd_relay_restrictions: 'permit_mynetworks, check_relay_domains' }))
      .toThrow('smtpd_relay_restrictions: check_relay_domains is not modelled (it needs the obsolete relay_domains check)');
  });
  it('smtpd_upstream_proxy_protocol: haproxy or empty (smtpd_peer.c refuses any other name)', () => {
    expect(parsePostfixConfig({ smtpd_upstream_proxy_protocol: ' haproxy ' }).smtpd_upstream_proxy_protocol).toBe('haproxy');
    expect(parsePostfixConfig({ smtpd_upstream_proxy_protocol: '' }, labPreset({ smtpd_upstream_proxy_protocol: 'haproxy' })).smtpd_upstream_proxy_protocol).toBe('');
    expect(() => parsePostfixConfig({ smtpd_upstream_proxy_protocol: 'proxy' })).toThrow('smtpd_upstream_proxy_protocol: unsupported value "proxy"; allowed: haproxy, or empty');
  });
  it('levels and families in any case; others refused naming the allowed ones', () => {
    expect(parsePostfixConfig({ smtpd_tls_security_level: ' MAY ', inet_protocols: 'IPv6' })).toMatchObject({ smtpd_tls_security_level: 'may', inet_protocols: 'ipv6' });
    expect(() => parsePostfixConfig({ inet_protocols: 'ipv5' })).toThrow('inet_protocols: "ipv5" is not allowed; allowed: ipv4, ipv6, all');
    expect(() => parsePostfixConfig({ smtpd_tls_security_level: 'dane' })).toThrow('smtpd_tls_security_level: "dane" is not allowed; allowed: none, may, encrypt');
  });
  // milter8.c milter8_comm_error() compares milter_default_action with strcasecmp(); any other word
  // is its "Server configuration problem", which the lab refuses instead of modelling.
  it('milter_default_action: one of the five actions in any case; others refused naming them', () => {
    expect(parsePostfixConfig({ milter_default_action: ' Quarantine ' }).milter_default_action).toBe('quarantine');
    expect(() => parsePostfixConfig({ milter_default_action: 'discard' })).toThrow('milter_default_action: "discard" is not modelled; allowed: tempfail, reject, accept, quarantine, shutdown');
  });
  it('smtpd_forbid_bare_newline: a mode in any case; before the modes (3.7.9) only "no", since "yes" then meant 521 and hang up', () => {
    expect(parsePostfixConfig({ smtpd_forbid_bare_newline: 'Normalize' }).smtpd_forbid_bare_newline).toBe('normalize');
    expect(parsePostfixConfig({ smtpd_forbid_bare_newline: ' Reject ' }).smtpd_forbid_bare_newline).toBe('reject');
    expect(parsePostfixConfig({ mail_version: '3.7.9', smtpd_forbid_bare_newline: ' NO ' }).smtpd_forbid_bare_newline).toBe('no');
    expect(parsePostfixConfig({ mail_version: '3.7.9', smtpd_forbid_bare_newline: 'no' }).smtpd_forbid_bare_newline).toBe('no');
    expect(() => parsePostfixConfig({ mail_version: '3.7.9', smtpd_forbid_bare_newline: 'yes' })).toThrow('smtpd_forbid_bare_newline: "yes" on Postfix 3.7.9 is the first back-port\'s boolean (yes: 521 and disconnect), which the lab does not model; allowed here: no');
    expect(() => parsePostfixConfig({ smtpd_forbid_bare_newline: 'sometimes' })).toThrow('smtpd_forbid_bare_newline: "sometimes" is not allowed; allowed: no, normalize, yes, reject');
  });
  it('a parameter the release lacks is refused, naming the first releases with it', () => {
    expect(() => parsePostfixConfig({ mail_version: '3.7.5', smtpd_forbid_unauth_pipelining: 'yes' })).toThrow(/^smtpd_forbid_unauth_pipelining: .*3\.7\.6/);
  });
  it('an unknown parameter is refused listing the known ones', () => {
    expect(() => parsePostfixConfig({ smtpd_foo: '1' })).toThrow(`smtpd_foo: unknown parameter; known: ${knownKeys.join(', ')}`);
    expect(knownKeys).toEqual(expect.arrayContaining(['smtpd_timeout', 'smtpd_upstream_proxy_timeout', 'smtpd_upstream_proxy_protocol', 'smtpd_forbid_bare_newline', 'smtpd_discard_ehlo_keywords', 'smtpd_tls_security_level', 'inet_protocols', 'smtpd_error_sleep_time', 'smtpd_relay_restrictions', 'smtpd_tls_auth_only', 'relay_domains', 'milter_default_action']));
  });
  it('$myhostname and ${myhostname} in smtpd_banner are expanded with the host name the same settings give', () => {
    expect(parsePostfixConfig({ smtpd_banner: '${myhostname} ESMTP $myhostname', myhostname: 'mx.test' }).smtpd_banner).toBe('mx.test ESMTP mx.test');
  });
  it('mail_version alone keeps the base and takes that release\'s defaults; without it the base\'s release is checked', () => {
    expect(parsePostfixConfig({ mail_version: ' 3.8.6 ' }, postfixDefaults('3.9'))).toMatchObject({ mail_version: '3.8.6', smtpd_forbid_unauth_pipelining: false, smtpd_forbid_bare_newline: 'no' });
    expect(() => parsePostfixConfig({ smtpd_forbid_bare_newline: 'normalize' }, postfixDefaults('3.7.5'))).toThrow(/smtpd_forbid_bare_newline/);
  });
});

describe("smtpd's parameter bounds (CONFIG_INT_TABLE, check_mail_conf_int())", () => {
  it.each([
    ['line_length_limit', '511', 'invalid line_length_limit parameter value 511 < 512'],
    ['smtpd_soft_error_limit', '0', 'invalid smtpd_soft_error_limit parameter value 0 < 1'],
    ['smtpd_hard_error_limit', '0', 'invalid smtpd_hard_error_limit parameter value 0 < 1'],
    ['smtpd_junk_command_limit', '0', 'invalid smtpd_junk_command_limit parameter value 0 < 1'],
    ['smtpd_forbid_bare_newline_reject_code', '499', 'invalid smtpd_forbid_bare_newline_reject_code parameter value 499 < 500'],
    ['smtpd_forbid_bare_newline_reject_code', '600', 'invalid smtpd_forbid_bare_newline_reject_code parameter value 600 > 599'],
  ])('%s = %s is refused as Postfix refuses it', (key, value, fatal) => {
    expect(() => parsePostfixConfig({ [key]: value })).toThrow(`${key}: Postfix refuses ${value} (check_mail_conf_int(): "${fatal}")`);
  });

  it('the bounds themselves are taken; a parameter without one takes 0', () => {
    expect(parsePostfixConfig({ line_length_limit: '512', smtpd_soft_error_limit: '1', smtpd_forbid_bare_newline_reject_code: '599' })).toMatchObject({ line_length_limit: 512, smtpd_soft_error_limit: 1, smtpd_forbid_bare_newline_reject_code: 599 });
    expect(parsePostfixConfig({ smtpd_client_connection_count_limit: '0', message_size_limit: '0' })).toMatchObject({ smtpd_client_connection_count_limit: 0, message_size_limit: 0 });
  });
});
