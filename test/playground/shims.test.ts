/* shims - the browser bundle's stand-ins for Node (playground/shims) give Node's answers on the inputs the models reach */
import { isIP, isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Buffer as ShimBuffer } from '../../playground/shims/buffer.ts';
import * as shimNet from '../../playground/shims/net.ts';
import { readFileSync, writeFileSync } from '../../playground/shims/fs.ts';
import { basename, join } from '../../playground/shims/path.ts';

const bytes = fc.uint8Array({ maxLength: 300 });
/** Text near base64: its alphabets, padding in odd places, whitespace and junk. */
const base64ish = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= \r\n.*é'.split('')), maxLength: 80 });
const addressish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg:.%[] '.split('')), maxLength: 45 });

describe('Buffer shim', () => {
  it('encodes and decodes latin1, UTF-8, base64 and base64url as Node does', () => {
    fc.assert(
      fc.property(bytes, fc.string({ unit: 'grapheme', maxLength: 40 }), (raw, text) => {
        for (const encoding of ['latin1', 'utf8', 'base64', 'base64url'] as const) {
          expect(ShimBuffer.from(raw).toString(encoding)).toBe(Buffer.from(raw).toString(encoding));
          expect([...ShimBuffer.from(text, encoding)]).toEqual([...Buffer.from(text, encoding)]);
        }
        expect(ShimBuffer.byteLength(text, 'utf8')).toBe(Buffer.byteLength(text, 'utf8'));
      }),
    );
  });

  it('decodes malformed base64 leniently, as Node does (skips junk, stops at =)', () => {
    fc.assert(
      fc.property(base64ish, (text) => {
        expect([...ShimBuffer.from(text, 'base64')]).toEqual([...Buffer.from(text, 'base64')]);
      }),
      { numRuns: 2000 },
    );
  });

  it('concatenates and views an ArrayBuffer slice', () => {
    const whole = new Uint8Array([1, 2, 3, 4, 5]);
    expect([...ShimBuffer.concat([whole.subarray(0, 2), whole.subarray(3)])]).toEqual([1, 2, 4, 5]);
    expect(ShimBuffer.from(whole.buffer, 1, 3).toString('latin1')).toBe('\x02\x03\x04');
    expect((ShimBuffer.prototype as { latin1Slice?: unknown }).latin1Slice).toBeUndefined();
  });
});

describe('net shim', () => {
  it('agrees with node:net on generated addresses', () => {
    fc.assert(
      fc.property(addressish, (text) => {
        expect(shimNet.isIPv4(text)).toBe(isIPv4(text));
        expect(shimNet.isIPv6(text)).toBe(isIPv6(text));
        expect(shimNet.isIP(text)).toBe(isIP(text));
      }),
      { numRuns: 5000 },
    );
  });

  it.each(['::1', '::ffff:1.2.3.4', 'fe80::1%eth0', '1:2:3:4:5:6:1.2.3.4', '1.2.3.4', '01.2.3.4', '1::2::3', '203.0.113.25', '192.168.203.4'])('%s', (address) => {
    expect([shimNet.isIPv4(address), shimNet.isIPv6(address), shimNet.isIP(address)]).toEqual([isIPv4(address), isIPv6(address), isIP(address)]);
  });
});

describe('fs and path shims', () => {
  it('read what was written, by file name, and refuse anything else with ENOENT', () => {
    writeFileSync('pasted.json', '{}');
    expect(readFileSync('./some/dir/pasted.json', 'utf8')).toBe('{}');
    expect(() => readFileSync('missing.json')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect([join('.', 'a', '', 'b.json'), basename('x/y/z.json')]).toEqual(['./a/b.json', 'z.json']);
  });
});
