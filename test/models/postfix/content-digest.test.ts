/* content-digest - SHA-256 as node:crypto computes it, at every padding boundary and fed in any pieces */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContentDigest } from '../../../models/postfix/content-digest.ts';

const sha256 = (text: string) => createHash('sha256').update(Buffer.from(text, 'latin1')).digest('hex');

/** Text of `length` bytes using every byte value, the high ones included. */
const textOf = (length: number) => Array.from({ length }, (_, i) => String.fromCharCode((i * 37 + 11) & 0xff)).join('');

describe('ContentDigest', () => {
  it('gives node:crypto\'s digest for every length up to three blocks (the 55/56/64-byte padding edges among them)', () => {
    for (let length = 0; length <= 192; length++) {
      const text = textOf(length);
      expect(new ContentDigest().update(text).hex(), `length ${length}`).toBe(sha256(text));
    }
  });

  it('gives the same digest however the text is cut into pieces', () => {
    const text = textOf(300);
    for (const cut of [1, 7, 63, 64, 65, 299]) {
      const digest = new ContentDigest();
      for (let at = 0; at < text.length; at += cut) digest.update(text.slice(at, at + cut));
      expect(digest.hex(), `pieces of ${cut}`).toBe(sha256(text));
    }
  });

  it('keeps digests made in turn apart (the message schedule they share holds nothing over)', () => {
    const first = new ContentDigest().update(textOf(100));
    const second = new ContentDigest().update('other text');
    expect(second.hex()).toBe(sha256('other text'));
    expect(first.update('more').hex()).toBe(sha256(`${textOf(100)}more`));
  });
});
