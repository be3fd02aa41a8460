/* address-list - namadr_list_match() as the lab uses it: CIDR blocks, exact addresses, [addresses], host names
 *
 * postfix/src/global/namadr_list.c and util/match_list.c / match_ops.c (v3.7.11): a pattern
 * a.b.c.d/n matches the addresses in that block, a bare or [bracketed] address matches that
 * address, anything else is a host name compared without case with the client's name.
 * util/cidr_match.c cidr_match_parse() refuses a net/mask with a bad mask, a bad network or host
 * bits set; match_list_match() then answers "no match" for the whole list ("else if (list->error
 * != 0) return (0)").
 */
import { describe, expect, it } from 'vitest';
import { listPatternError, matchParentStyle, namadrListLookup, namadrListMatch } from '../../../models/postfix/address-list.js';

describe('namadr_list_match()', () => {
  it('a CIDR block matches exactly the addresses inside it', () => {
    const list = ['192.0.2.0/24'];
    expect(['192.0.2.0', '192.0.2.255'].every((addr) => namadrListMatch(list, 'unknown', addr, false))).toBe(true);
    expect(['192.0.1.255', '192.0.3.0'].some((addr) => namadrListMatch(list, 'unknown', addr, false))).toBe(false);
  });
  it('a block whose last byte has two or three digits', () => {
    expect(namadrListMatch(['192.0.2.64/26'], 'unknown', '192.0.2.100', false)).toBe(true);
    expect(namadrListMatch(['192.0.2.128/25'], 'unknown', '192.0.2.100', false)).toBe(false);
  });
  it('/32 is one address, /0 every IPv4 address; more than 32 bits matches nothing', () => {
    expect(namadrListMatch(['192.0.2.9/32'], 'unknown', '192.0.2.9', false)).toBe(true);
    expect(namadrListMatch(['192.0.2.9/32'], 'unknown', '192.0.2.8', false)).toBe(false);
    expect(namadrListMatch(['0.0.0.0/0'], 'unknown', '203.0.113.7', false)).toBe(true);
    expect(namadrListMatch(['192.0.2.9/33'], 'unknown', '192.0.2.9', false)).toBe(false);
  });
  it('an IPv4 block never matches an IPv6 client', () => {
    expect(namadrListMatch(['0.0.0.0/0'], 'unknown', '2001:db8::1', false)).toBe(false);
  });
  it('an address, bare or in brackets, matches that address (IPv6 without case)', () => {
    expect(namadrListMatch(['192.0.2.9'], 'unknown', '192.0.2.9', false)).toBe(true);
    expect(namadrListMatch(['[192.0.2.9]'], 'unknown', '192.0.2.9', false)).toBe(true);
    expect(namadrListMatch(['[2001:DB8::1]'], 'unknown', '2001:db8::1', false)).toBe(true);
    expect(namadrListMatch(['192.0.2.9'], 'unknown', '192.0.2.90', false)).toBe(false);
  });
  it('brackets only around the whole address (match_hostaddr(): "[" address "]")', () => {
    expect(namadrListMatch(['[192.0.2.9'], 'unknown', '192.0.2.9', false)).toBe(false);
    expect(namadrListMatch(['192.0.2.9]'], 'unknown', '192.0.2.9', false)).toBe(false);
    expect(namadrListMatch(['[192.0.2.9]]'], 'unknown', '192.0.2.9', false)).toBe(false);
  });
  it('a net/mask with junk around it, or one cidr_match_parse() refuses, matches nothing', () => {
    expect(namadrListMatch(['x192.0.2.0/24'], 'unknown', '192.0.2.9', false)).toBe(false);
    expect(namadrListMatch(['192.0.2.0/24x'], 'unknown', '192.0.2.9', false)).toBe(false);
    expect(namadrListMatch(['0.0.0.256/24'], 'unknown', '0.0.1.9', false)).toBe(false);
  });
  it('a network with bits set past its mask is refused ("non-null host address bits"): it matches nothing', () => {
    expect(namadrListMatch(['192.0.2.9/24'], 'unknown', '192.0.2.9', false)).toBe(false);
    expect(namadrListMatch(['10.0.0.0/0'], 'unknown', '10.0.0.1', false)).toBe(false);
  });
  it('cidr_match_parse() strips [] from [net]/bits and [net/bits]; a mask must be digits', () => {
    expect(namadrListMatch(['[192.0.2.0]/24'], 'unknown', '192.0.2.9', false)).toBe(true);
    expect(namadrListMatch(['[192.0.2.0/24]'], 'unknown', '192.0.2.9', false)).toBe(true);
    expect(namadrListMatch(['0.0.0.0/'], 'unknown', '192.0.2.9', false)).toBe(false);
  });
  it('a refused net/mask ends the list for an IPv4 client; junk, an earlier match, and an IPv6 client are not affected', () => {
    for (const refused of ['192.0.2.0/33', '192.0.2.9/24', '192.0.2.0/2a', '[192.0.2.]0/24', '[192.0.2.0/24', '192.0.2.0/24.0', '192.0.2/24']) {
      expect(namadrListMatch([refused, '192.0.2.9'], 'unknown', '192.0.2.9', false), refused).toBe(false);
      expect(namadrListMatch([refused, 'mx.example.test'], 'mx.example.test', '192.0.2.9', false), refused).toBe(false);
      expect(namadrListMatch(['192.0.2.9', refused], 'unknown', '192.0.2.9', false), refused).toBe(true);
      expect(namadrListMatch([refused, '2001:db8::1'], 'unknown', '2001:db8::1', false), refused).toBe(true);
    }
    // Not net/masks: junk around one, a name, another address; match_hostaddr() returns before cidr_match_parse().
    for (const other of ['x192.0.2.0/24', '192.0.2.0/24x', 'mx.example/24', '192.0.2.0']) {
      expect(namadrListMatch([other, '192.0.2.9'], 'unknown', '192.0.2.9', false), other).toBe(true);
    }
  });
  it('a host name matches the client name without case, never the address', () => {
    expect(namadrListMatch(['Front.Example.TEST'], 'front.example.test', '192.0.2.9', false)).toBe(true);
    expect(namadrListMatch(['front.example.test'], 'unknown', '192.0.2.9', false)).toBe(false);
  });
  it('any pattern of the list may match; an empty list matches nothing', () => {
    expect(namadrListMatch(['10.0.0.0/8', 'mx.example.test', '192.0.2.9'], 'unknown', '192.0.2.9', false)).toBe(true);
    expect(namadrListMatch([], 'localhost', '127.0.0.1', false)).toBe(false);
  });
  // match_list_match() casefolds the address before match_hostaddr()'s strcmp(); for an address
  // inet_pton() reads the binary compare would find it anyway, so only a string it cannot read shows it.
  it('the client address is compared without case', () => {
    expect(namadrListMatch(['abc'], 'unknown', 'ABC', false)).toBe(true);
  });
  it('a client address inet_pton() cannot read is in no block of its family (cidr_match_execute() returns no match)', () => {
    expect(namadrListLookup(['192.0.2.0/24'], 'unknown', '192.0.2.300', false)).toBe(false);
    expect(namadrListLookup(['2001:db8::/32'], 'unknown', '2001:db8:::1', false)).toBe(false);
  });
  // util/match_ops.c match_hostaddr(): "Don't bother unless the pattern is either an IPv6 address or
  // net/mask": a pattern of address characters without ':' or '/' never reaches cidr_match_parse(),
  // so it is no list error (here a name of hex letters, which only the client name could match).
  it('an IPv4-family pattern with neither "/" nor ":" is not parsed as a net/mask: "cafe" ends nothing', () => {
    expect(namadrListLookup(['cafe', '192.0.2.9'], 'unknown', '192.0.2.9', false)).toBe(true);
  });
  it('the same list asked about another client answers for that client', () => {
    const list = ['192.0.2.0/24', 'mx.example.test'];
    expect(namadrListMatch(list, 'unknown', '192.0.2.9', false)).toBe(true);
    expect(namadrListMatch(list, 'unknown', '198.51.100.1', false)).toBe(false);
    expect(namadrListMatch(list, 'mx.example.test', '198.51.100.1', false)).toBe(true);
    expect(namadrListMatch(list, 'mx.example.test', '198.51.100.1', false)).toBe(true);
    expect(namadrListMatch(list, 'unknown', '198.51.100.1', false)).toBe(false);
  });
});

/** cidr_match_parse()'s reason for a refused pattern, else the match. */
const reason = (pattern: string, addr: string) => {
  const answer = namadrListLookup([pattern], 'unknown', addr, false);
  return typeof answer === 'boolean' ? answer : answer.error;
};

// The expected texts are glibc's own: Python's socket.inet_pton()/inet_ntop() on Linux call them.
describe('IPv6 patterns as inet_pton(AF_INET6) reads them', () => {
  it('eight groups, or fewer with one "::"; a dotted IPv4 address only as the last two', () => {
    for (const bad of ['1:2:3:4:5:6:7', '1:2:3:4::5:6:7:8', '1:2:3:4:5:6:7:8::', '12345::', '1.2.3.4::', '::1.2.3', '1::2::3', '1:2:3:4:5:6:7:8::1::2', '::1.2.3.4:5']) {
      expect(reason(`[${bad}]`, '::1'), bad).toBe(`bad address pattern: "${bad}"`);
    }
    expect(reason('[1:2:3:4:5:6:7::]', '1:2:3:4:5:6:7:0')).toBe(true);
    expect(reason('[::1:2:3:4:5:6:7]', '0:1:2:3:4:5:6:7')).toBe(true);
    expect(reason('[1:2:3:4:5:6:1.2.3.4]', '1:2:3:4:5:6:102:304')).toBe(true);
  });
  // cidr_match_parse(): split_at(pattern, '/') leaves "" before a leading '/', which inet_pton() refuses after the mask's two tests.
  it('the reasons, in cidr_match_parse()\'s order: mask digits, mask length, then the network', () => {
    expect(reason('192.0.2.0/2a', '192.0.2.9')).toBe('bad mask value in "192.0.2.0/2a"');
    expect(reason('192.0.2.0/33', '192.0.2.9')).toBe('bad mask length in "192.0.2.0/33"');
    expect(reason('192.0.2/33', '192.0.2.9')).toBe('bad mask length in "192.0.2/33"');
    expect(reason('/24', '192.0.2.9')).toBe('bad network value in "/24"');
    expect(reason('[192.0.2.0/24', '192.0.2.9')).toBe('missing \']\' character after "[192.0.2.0/24"');
  });
  it('a mask that is not a whole number of bytes', () => {
    expect(reason('[2001:db8::]/33', '2001:db8:7fff::1')).toBe(true);
    expect(reason('[2001:db8::]/33', '2001:db8:8000::1')).toBe(false);
  });
  it('an IPv6 pattern spelled otherwise than the address (or without a digit) matches through the binary compare', () => {
    expect(namadrListMatch(['ab::cd'], 'unknown', '00ab:0::cd', false)).toBe(true);
  });
  it('an IPv6 pattern is never parsed for an IPv4 client, so its error does not end the list', () => {
    expect(namadrListLookup(['[::1]/129', '192.0.2.9'], 'unknown', '192.0.2.9', false)).toBe(true);
  });
});

describe('the "perhaps you should use" hint, as inet_ntop() writes the masked network', () => {
  it('IPv4 dotted; IPv6 with the first longest run of two or more zero groups as "::"', () => {
    expect(reason('192.0.2.9/24', '192.0.2.9')).toBe('non-null host address bits in "192.0.2.9/24", perhaps you should use "192.0.2.0/24" instead');
    expect(reason('[1:0:0:2:0:0:3:5]/112', '1::9')).toBe('non-null host address bits in "1:0:0:2:0:0:3:5/112", perhaps you should use "1::2:0:0:3:0/112" instead');
    expect(reason('[1::1]/8', '1::9')).toBe('non-null host address bits in "1::1/8", perhaps you should use "::/8" instead');
  });
  it('::a.b.c.d and ::ffff:a.b.c.d in dotted form, other prefixes in hex', () => {
    expect(reason('[::10.0.0.1]/120', '::1')).toBe('non-null host address bits in "::10.0.0.1/120", perhaps you should use "::10.0.0.0/120" instead');
    expect(reason('[::fffe:10.0.0.1]/120', '::1')).toBe('non-null host address bits in "::fffe:10.0.0.1/120", perhaps you should use "::fffe:a00:0/120" instead');
    expect(reason('[::ffff:10.0.0.1]/120', '::1')).toBe('non-null host address bits in "::ffff:10.0.0.1/120", perhaps you should use "::ffff:10.0.0.0/120" instead');
  });
  it('only five leading zero groups and ffff, or six, are dotted: four (also before ffff), or five before another word, stay hex', () => {
    expect(reason('[::1:2:3:4]/120', '::1')).toBe('non-null host address bits in "::1:2:3:4/120", perhaps you should use "::1:2:3:0/120" instead');
    expect(reason('[::1:a:b01]/120', '::1')).toBe('non-null host address bits in "::1:a:b01/120", perhaps you should use "::1:a:b00/120" instead');
    expect(reason('[::1:ffff:10.0.0.1]/120', '::1')).toBe('non-null host address bits in "::1:ffff:10.0.0.1/120", perhaps you should use "::1:ffff:a00:0/120" instead');
  });
  it('a single zero group is not "::" (inet_ntop6(): "if (best.base != -1 && best.len < 2) best.base = -1")', () => {
    expect(reason('[1:0:2:3:4:5:6:7]/112', '::1')).toBe('non-null host address bits in "1:0:2:3:4:5:6:7/112", perhaps you should use "1:0:2:3:4:5:6:0/112" instead');
  });
});

// util/match_list.c match_list_match() (v3.7.11): a pattern's leading '!'s turn the answer of its match, and the first match ends the list.
describe("'!pattern': a match answers no and stops", () => {
  it('a negated address or block refuses the client even when a later pattern holds it', () => {
    expect(namadrListMatch(['!192.0.2.9', '192.0.2.0/24'], 'unknown', '192.0.2.9', false)).toBe(false);
    expect(namadrListMatch(['!192.0.2.9', '192.0.2.0/24'], 'unknown', '192.0.2.10', false)).toBe(true);
    expect(namadrListMatch(['!192.0.2.0/28', '192.0.2.0/24'], 'unknown', '192.0.2.15', false)).toBe(false);
    expect(namadrListMatch(['!192.0.2.0/28', '192.0.2.0/24'], 'unknown', '192.0.2.16', false)).toBe(true);
  });
  it('a match earlier in the list wins over a negation after it', () => {
    expect(namadrListMatch(['192.0.2.0/24', '!192.0.2.9'], 'unknown', '192.0.2.9', false)).toBe(true);
  });
  it('a negated host name, and [address]; two "!" match again', () => {
    expect(namadrListMatch(['!MX.example.test', '0.0.0.0/0'], 'mx.example.test', '192.0.2.9', false)).toBe(false);
    expect(namadrListMatch(['![192.0.2.9]', '0.0.0.0/0'], 'unknown', '192.0.2.9', false)).toBe(false);
    expect(namadrListMatch(['!!192.0.2.9'], 'unknown', '192.0.2.9', false)).toBe(true);
  });
  it('a negated net/mask cidr_match_parse() refuses is still the list error', () => {
    expect(namadrListLookup(['!192.0.2.9/24', '192.0.2.9'], 'unknown', '192.0.2.9', false)).toEqual({ error: 'non-null host address bits in "192.0.2.9/24", perhaps you should use "192.0.2.0/24" instead' });
  });
});

// util/match_ops.c match_hostname() (v3.7.11): names below a pattern, by the list's MATCH_FLAG_PARENT.
describe('host names below a pattern', () => {
  it('with MATCH_FLAG_PARENT, "domain" matches itself and every name below it, not a name that only ends the same', () => {
    expect(namadrListMatch(['example.test'], 'example.test', '192.0.2.9', true)).toBe(true);
    expect(namadrListMatch(['example.test'], 'mx.example.test', '192.0.2.9', true)).toBe(true);
    expect(namadrListMatch(['example.test'], 'a.b.example.test', '192.0.2.9', true)).toBe(true);
    expect(namadrListMatch(['example.test'], 'badexample.test', '192.0.2.9', true)).toBe(false);
  });
  it('with MATCH_FLAG_PARENT, ".domain" matches no real name (the name must end in "." ".domain")', () => {
    expect(namadrListMatch(['.example.test'], 'mx.example.test', '192.0.2.9', true)).toBe(false);
  });
  it('without it, "domain" is that name only and ".domain" every name below it, not the domain itself', () => {
    expect(namadrListMatch(['example.test'], 'mx.example.test', '192.0.2.9', false)).toBe(false);
    expect(namadrListMatch(['.example.test'], 'mx.example.test', '192.0.2.9', false)).toBe(true);
    expect(namadrListMatch(['.example.test'], 'example.test', '192.0.2.9', false)).toBe(false);
    expect(namadrListMatch(['.example.test'], 'badexample.test', '192.0.2.9', false)).toBe(false);
  });
  it('the same list asked with the other style answers in that style', () => {
    const list = ['example.test'];
    expect(namadrListMatch(list, 'mx.example.test', '192.0.2.9', true)).toBe(true);
    expect(namadrListMatch(list, 'mx.example.test', '192.0.2.9', false)).toBe(false);
  });
  it('a negated parent domain refuses the names below it', () => {
    expect(namadrListMatch(['!example.test', '192.0.2.0/24'], 'mx.example.test', '192.0.2.9', true)).toBe(false);
  });
});

describe('match_parent_style()', () => {
  it('the parameter named exactly, without case; a negation or no entry is no parent style', () => {
    expect(matchParentStyle(['debug_peer_list', 'MyNetworks'], 'mynetworks')).toBe(true);
    expect(matchParentStyle(['!mynetworks', 'mynetworks'], 'mynetworks')).toBe(false);
    expect(matchParentStyle(['mynetworks'], 'smtpd_client_event_limit_exceptions')).toBe(false);
  });
});

describe('match_list_parse()', () => {
  // util/match_list.c v3.7.11: the leading '!'s are counted, then "if (*item == 0) msg_fatal(... no pattern after '!')".
  it("only an item that is nothing but '!'s stops Postfix; a '!' after the pattern starts is part of it", () => {
    expect(listPatternError('mynetworks', ['example!', '192.0.2.0/24'])).toBeNull();
    expect(listPatternError('mynetworks', ['192.0.2.0/24', '!!'])).toBe('mynetworks: Postfix does not start: "mynetworks: no pattern after \'!\'" (match_list_parse())');
  });
});
