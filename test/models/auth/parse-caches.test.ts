/* parse-caches - the auth model's parses kept across runs answer as parsing again would */
import { describe, expect, it } from 'vitest';
import { clientNetwork, parseIp, type IpAddress } from '../../../models/auth/ip-network.ts';
import { parseRateLimit } from '../../../models/auth/rate-limiter.ts';

const ip = (text: string): IpAddress => {
  const address = parseIp(text);
  if (address === null) throw new Error(`test address ${text} does not parse`);
  return address;
};

describe('parseRateLimit (limits.parse), kept by text', () => {
  it('answers each text with its own limit, asked in any order and again', () => {
    for (let round = 0; round < 2; round++) {
      expect(parseRateLimit('5/hour')).toEqual({ amount: 5, granularitySeconds: 3600, windowSeconds: 3600 });
      expect(parseRateLimit('50 per day')).toEqual({ amount: 50, granularitySeconds: 86400, windowSeconds: 86400 });
      expect(parseRateLimit('10/2 minutes')).toEqual({ amount: 10, granularitySeconds: 60, windowSeconds: 120 });
    }
  });

  it('still answers after more texts than it keeps', () => {
    for (let amount = 1; amount <= 40; amount++) expect(parseRateLimit(`${amount}/second`).amount).toBe(amount);
    expect(parseRateLimit('5/hour').windowSeconds).toBe(3600);
  });

  it('refuses a bad text every time it is given (an error is not kept)', () => {
    for (let round = 0; round < 2; round++) expect(() => parseRateLimit('5 a fortnight')).toThrow('rate limit "5 a fortnight" is not of the form N/unit (limits.parse)');
  });
});

describe('clientNetwork (utils.extract_network_from_ip), the last answer kept', () => {
  it('answers the same address under other masks with their own network', () => {
    const address = ip('203.0.113.77');
    expect(clientNetwork(address, 24, 48)).toBe('203.0.113.0');
    expect(clientNetwork(address, 24, 48)).toBe('203.0.113.0');
    expect(clientNetwork(address, 16, 48)).toBe('203.0.0.0');
    expect(clientNetwork(address, 32, 48)).toBe('203.0.113.77');
    expect(clientNetwork(address, 0, 48)).toBe('0.0.0.0');
  });

  it('answers another address, and an IPv6 one by its own mask', () => {
    expect(clientNetwork(ip('198.51.100.200'), 24, 48)).toBe('198.51.100.0');
    const v6 = ip('2001:db8:1:2::9');
    expect(clientNetwork(v6, 24, 48)).toBe('2001:db8:1::');
    expect(clientNetwork(v6, 24, 64)).toBe('2001:db8:1:2::');
    expect(clientNetwork(ip('255.255.255.255'), 24, 48)).toBe('255.255.255.0');
  });
});
