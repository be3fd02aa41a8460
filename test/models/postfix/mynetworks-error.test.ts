/* mynetworks-error - a mynetworks entry cidr_match_parse() refuses, and IPv6 blocks, at permit_mynetworks
 *
 * Postfix v3.7.11: util/match_ops.c match_hostaddr() hands a net/mask of the client's family to
 * util/cidr_match.c cidr_match_parse(); a refusal is match_error() (list->error = DICT_ERR_RETRY,
 * "warning: mynetworks: <reason>"), smtpd_check.c permit_mynetworks() returns that error, and
 * generic_checks() answers it with reject_dict_retry(): "451 4.3.0 <recipient>: Temporary lookup
 * failure", logged by log_whatsup() as a reject. cidr_match_parse() reads IPv6 too: [::1]/128.
 */
import { describe, expect, it } from 'vitest';
import { namadrListLookup } from '../../../models/postfix/address-list.js';
import { lockstep, talk } from './talk.js';

const relayTo = (mynetworks: string[], from: string) => {
  const conv = talk({ mynetworks }, lockstep(['EHLO lab\r\n', 'MAIL FROM:<a@example.test>\r\n', 'RCPT TO:<x@elsewhere.test>\r\n', 'QUIT\r\n']), from);
  return { reply: conv.replies.at(-2), logLines: conv.logLines };
};

describe('permit_mynetworks with a refused entry', () => {
  it('answers 451 4.3.0 Temporary lookup failure for an IPv4 client and logs the warning with the list name', () => {
    const { reply, logLines } = relayTo(['192.168.1.1/24'], '192.168.1.7');
    expect(reply).toBe('451 4.3.0 <x@elsewhere.test>: Temporary lookup failure');
    expect(logLines).toContain('warning: mynetworks: non-null host address bits in "192.168.1.1/24", perhaps you should use "192.168.1.0/24" instead');
    expect(logLines).toContain('NOQUEUE: reject: RCPT from unknown[192.168.1.7]: 451 4.3.0 <x@elsewhere.test>: Temporary lookup failure; from=<a@example.test> to=<x@elsewhere.test> proto=ESMTP helo=<lab>');
  });

  it('an entry before it that matches still permits; an IPv6 client never parses an IPv4 entry', () => {
    expect(relayTo(['192.168.1.7', '192.168.1.1/24'], '192.168.1.7').reply).toBe('250 2.1.5 Ok');
    expect(relayTo(['192.168.1.1/24'], '2001:db8::7').reply).toBe('554 5.7.1 <x@elsewhere.test>: Relay access denied');
  });
});

describe('IPv6 entries', () => {
  it('[::1]/128 permits ::1, and [2001:db8::]/32 its block, in any spelling of the address', () => {
    expect(relayTo(['127.0.0.1/32', '[::1]/128'], '::1').reply).toBe('250 2.1.5 Ok');
    expect(relayTo(['[2001:db8::]/32'], '2001:db8:0:0::7').reply).toBe('250 2.1.5 Ok');
    expect(relayTo(['[2001:db8::]/32'], '2001:db9::7').reply).toBe('554 5.7.1 <x@elsewhere.test>: Relay access denied');
    expect(relayTo(['[0:0::1]'], '::1').reply).toBe('250 2.1.5 Ok');
  });

  it("cidr_match_parse()'s reasons, as the warning shows them", () => {
    const reason = (pattern: string, addr: string) => {
      const answer = namadrListLookup([pattern], 'unknown', addr, false);
      return typeof answer === 'boolean' ? answer : answer.error;
    };
    expect(reason('[2001:db8::1]/32', '2001:db8::9')).toBe('non-null host address bits in "2001:db8::1/32", perhaps you should use "2001:db8::/32" instead');
    expect(reason('[::1]/129', '::1')).toBe('bad mask length in "::1/129"');
    expect(reason('[1::2::3]/64', '::1')).toBe('bad network value in "1::2::3/64"');
    expect(reason('[1::2::3]', '::1')).toBe('bad address pattern: "1::2::3"');
    expect(reason('[::1]a', '::1')).toBe('garbage after "[::1]"');
    expect(reason('[::1]x', '::1')).toBe(false); // 'x' is no address character: junk, not parsed
    expect(reason('[::1/128', '::1')).toBe(`missing ']' character after "[::1/128"`);
    expect(reason('[::ffff:10.0.0.1]/104', '::ffff:10.0.0.1')).toBe('non-null host address bits in "::ffff:10.0.0.1/104", perhaps you should use "::ffff:10.0.0.0/104" instead');
    expect(reason('10.0.0.0/8x', '10.1.2.3')).toBe(false);
  });
});
