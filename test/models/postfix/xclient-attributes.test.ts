/* xclient-attributes - xclient_cmd()'s attribute loop on its own: what each attribute changes, and valid_hostname()
 *
 * postfix/src/smtpd/smtpd.c xclient_cmd() (v3.7.11): "[UNAVAILABLE]" (and for NAME "[TEMPUNAVAIL]")
 * means unknown; NAME sets the reverse name too unless the peer is unknown; REVERSE_NAME sets only
 * it; PORT/DESTPORT, ADDR/DESTADDR are separate fields; an attribute value longer than 255 bytes is
 * refused before it is decoded. Addresses follow normalize_mailhost_addr(): IPv6 only behind
 * "IPV6:", ::ffff:a.b.c.d becomes IPv4, each family only when inet_protocols enables it.
 * util/valid_hostname.c: at most 255 bytes, labels of at most 63 letters, digits, '_' and inner '-',
 * no empty label (so no leading or trailing dot), not digits and dots throughout.
 */
import { describe, expect, it } from 'vitest';
import { applyXclientAttributes, validHostname, type ClientRecord, type InetProtocols } from '../../../models/postfix/xclient.ts';

const before = (): ClientRecord => ({ name: 'front.example.test', reverseName: 'front.example.test', addr: '192.168.203.9', port: '40000', destAddr: '192.168.203.10', destPort: '10025' });

/** The client record and outcome after one XCLIENT command's attributes. */
function apply(attributes: string, protocols: InetProtocols = 'all') {
  const client = before();
  const outcome = applyXclientAttributes(attributes.split(' '), client, protocols);
  return { client, ...outcome };
}

describe('valid_hostname()', () => {
  it('takes letters, digits, "_" and inner hyphens, one label or many', () => {
    expect(['a', 'ab', 'a-b.example', 'mail_1.example.test', 'host.2b', 'host.b2'].filter((n) => !validHostname(n))).toEqual([]);
  });

  it('refuses the empty name, empty labels, outer hyphens, other characters and an all-digit name', () => {
    expect(['', 'a..b', '-a.example', 'a-.example', 'a!.example', 'good.bad!', '123', '1.2.3.4'].filter(validHostname)).toEqual([]);
  });

  it('refuses a leading or a trailing dot: every "." must follow a label and precede one ("misplaced delimiter")', () => {
    expect(['.example.test', 'mail.example.test.', 'a.', '.'].filter(validHostname)).toEqual([]);
  });

  it('calls a name numeric only when it is digits and dots throughout: a last label of digits passes', () => {
    expect(['host.123', 'a.1.2', '1-2', '_1', '1.2.3.x'].filter((n) => !validHostname(n))).toEqual([]);
  });

  it('allows 63 bytes per label and 255 in all, no more', () => {
    const label = 'l'.repeat(63);
    expect(validHostname(label)).toBe(true);
    expect(validHostname(`${label}l`)).toBe(false);
    const longest = [label, label, label, label].join('.'); // 4 * 63 + 3 = 255
    expect(validHostname(longest)).toBe(true);
    const tooLong = [label, label, label, 'l'.repeat(62), 'l'].join('.'); // every label valid, 256 bytes
    expect(tooLong.length).toBe(256);
    expect(validHostname(tooLong)).toBe(false);
  });
});

describe('what each attribute changes', () => {
  it('NAME sets the name and the reverse name; [TEMPUNAVAIL] and [UNAVAILABLE] set only the name, to "unknown"', () => {
    expect(apply('NAME=mail.example.test').client).toMatchObject({ name: 'mail.example.test', reverseName: 'mail.example.test' });
    expect(apply('NAME=[TEMPUNAVAIL]').client).toMatchObject({ name: 'unknown', reverseName: 'front.example.test' });
    expect(apply('NAME=[UNAVAILABLE]').client).toMatchObject({ name: 'unknown', reverseName: 'front.example.test' });
  });

  it('REVERSE_NAME sets only the reverse name, and is checked like NAME', () => {
    expect(apply('REVERSE_NAME=rev.example.test').client).toMatchObject({ name: 'front.example.test', reverseName: 'rev.example.test' });
    expect(apply('REVERSE_NAME=bad!name').error).toBe('501 5.5.4 Bad REVERSE_NAME syntax: bad!name');
  });

  it('PORT and DESTPORT are separate fields; [UNAVAILABLE] makes either "unknown"', () => {
    expect(apply('PORT=2525').client).toMatchObject({ port: '2525', destPort: '10025' });
    expect(apply('DESTPORT=587').client).toMatchObject({ port: '40000', destPort: '587' });
    expect(apply('PORT=[UNAVAILABLE]').client.port).toBe('unknown');
    expect(apply('DESTPORT=x').error).toBe('501 5.5.4 Bad DESTPORT syntax: x');
  });

  it('ADDR and DESTADDR take an address or [UNAVAILABLE] ("unknown")', () => {
    expect(apply('ADDR=[UNAVAILABLE]').client.addr).toBe('unknown');
    expect(apply('DESTADDR=192.0.2.1').client).toMatchObject({ addr: '192.168.203.9', destAddr: '192.0.2.1' });
    expect(apply('DESTADDR=[UNAVAILABLE]').client.destAddr).toBe('unknown');
  });

  it('HELO=[UNAVAILABLE] leaves no HELO name; PROTO takes SMTP and ESMTP in any case', () => {
    expect(apply('HELO=[UNAVAILABLE]').helo).toBeNull();
    expect(apply('PROTO=smtp').proto).toBe('SMTP');
    expect(apply('PROTO=ESMTP').proto).toBe('ESMTP');
  });

  it('LOGIN=[UNAVAILABLE] logs nobody in', () => {
    expect(apply('LOGIN=[UNAVAILABLE]').login).toBeUndefined();
    expect(apply('LOGIN=alice@example.test').login).toBe('alice@example.test');
  });

  it('an empty attribute name is an unknown attribute, not a missing value', () => {
    expect(apply('=value').error).toBe('501 5.5.4 Bad XCLIENT attribute name: ');
  });

  it('a value of exactly 255 bytes is taken (only longer ones are "too long"), for HELO and LOGIN alike', () => {
    const value = 'h'.repeat(255);
    expect(apply(`HELO=${value}`)).toMatchObject({ error: null, helo: value });
    expect(apply(`LOGIN=${value}`)).toMatchObject({ error: null, login: value });
  });
});

describe('addresses (normalize_mailhost_addr)', () => {
  it('IPv6 only with the "IPV6:" prefix at the start of the value', () => {
    expect(apply('ADDR=IPV6:2001:DB8::1').client.addr).toBe('2001:db8::1');
    expect(apply('ADDR=aipv6::1').error).toBe('501 5.5.4 Bad ADDR syntax: aipv6::1');
    expect(apply('ADDR=IPV6:zz').error).toBe('501 5.5.4 Bad ADDR syntax: IPV6:zz');
  });

  it('::ffff:a.b.c.d becomes the IPv4 address, unless IPv4 is off; other IPv6 forms stay IPv6', () => {
    expect(apply('ADDR=IPV6:::ffff:10.20.30.40').client.addr).toBe('10.20.30.40');
    expect(apply('ADDR=IPV6:::ffff:10.20.30.40', 'ipv6').client.addr).toBe('::ffff:10.20.30.40');
    expect(apply('ADDR=IPV6:1::ffff:10.20.30.40').client.addr).toBe('1::ffff:10.20.30.40');
  });

  it('each family only when inet_protocols enables it', () => {
    expect(apply('ADDR=192.0.2.7', 'ipv6').error).toBe('501 5.5.4 Bad ADDR syntax: 192.0.2.7');
    expect(apply('ADDR=IPV6:2001:db8::1', 'ipv4').error).toBe('501 5.5.4 Bad ADDR syntax: IPV6:2001:db8::1');
  });

  it('characters that could break a header are neutered to "?" before the check, as the reply shows', () => {
    expect(apply('ADDR=192.0.2.7;').error).toBe('501 5.5.4 Bad ADDR syntax: 192.0.2.7?');
  });
});
