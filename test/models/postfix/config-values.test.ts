/* config-values - how main.cf values are read: white space around a value, time units, the release in an error
 *
 * Postfix trims the white space around a main.cf value before it reads it (util/dict.c
 * dict_load_fp() -> split_nameval(): "skip leading blanks", "trim trailing blanks"), conv_time() (global/mail_conf_time.c) takes
 * digits and at most one unit letter and nothing else, and the lab names the release when it
 * refuses a setting that release does not have.
 */
import { describe, expect, it } from 'vitest';
import { parsePostfixConfig } from '../../../models/postfix/config.js';

describe('main.cf values', () => {
  it('white space around a word value is not part of it', () => {
    expect(parsePostfixConfig({ inet_protocols: ' IPv4 ' }).inet_protocols).toBe('ipv4');
  });
  it('a time value is digits and a unit, with nothing before the digits', () => {
    expect(() => parsePostfixConfig({ smtpd_timeout: 'x5s' })).toThrow('smtpd_timeout: "x5s" is not a time value; allowed: <number>[s|m|h|d|w]');
  });
  it('a bare-newline mode the release lacks is refused naming that release', () => {
    expect(() => parsePostfixConfig({ mail_version: '3.8.5', smtpd_forbid_bare_newline: 'note' })).toThrow('"note" is not allowed on Postfix 3.8.5 (note came with 3.9.0, not back-ported)');
  });
});
