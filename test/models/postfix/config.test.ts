/* config - parsing main.cf strings, version defaults, presets */
import { describe, expect, it } from 'vitest';
import { labPreset, mailuPreset, parsePostfixConfig, postfixDefaults, versionDefaults } from '../../../models/postfix/config.js';

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
