/* digest - a fast incremental 64-bit hash of plain values, for the explorer's state keys
 *
 * Two independent 32-bit multiply-xorshift lanes (the mixing of cyrb53 and murmur3's finaliser),
 * fed one 32-bit word at a time. Not cryptographic: two different states share a key with
 * probability about n² / 2^65 for n states (under 10^-7 for the millions a long exploration
 * visits), and the explorer says so with its counts.
 */

const LANE_1 = 0x9e3779b1;
const LANE_2 = 0x85ebca77;
/** Names hashed once each: a run has a few dozen distinct ones; longer or more texts are hashed whole. */
const NAME_WORDS = new Map<string, number>();
const MAX_NAME_LENGTH = 64;
const MAX_NAMES = 10_000;
/** A value nested deeper than this is not a flat record: digestValue refuses it rather than wander a graph. */
const MAX_DEPTH = 6;

export class Digest {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;

  /** A 32-bit word (any number's low 32 bits). */
  word(n: number): this {
    this.h1 = Math.imul(this.h1 ^ n, LANE_1);
    this.h2 = Math.imul(this.h2 ^ n, LANE_2);
    this.h1 ^= this.h1 >>> 15;
    this.h2 ^= this.h2 >>> 13;
    return this;
  }

  number(n: number): this {
    if ((n | 0) === n) return this.word(n);
    if (Number.isSafeInteger(n)) return this.word(n | 0).word(Math.floor(n / 0x1_0000_0000));
    return this.text(String(n));
  }

  /** Another digest's running state (a model's input history kept apart). */
  absorb(other: Digest): this {
    return this.word(other.h1).word(other.h2);
  }

  text(s: string): this {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
    return this;
  }

  bytes(b: Uint8Array): this {
    this.word(b.length);
    const whole = b.length & ~3;
    // four bytes a word: segments carry whole SMTP messages
    for (let i = 0; i < whole; i += 4) this.word((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24));
    for (let i = whole; i < b.length; i++) this.word(b[i] as number);
    return this;
  }

  /** A short text that recurs (a field, host, node, timer or connection name): hashed once, then one word. */
  name(s: string): this {
    let h = NAME_WORDS.get(s);
    if (h === undefined) {
      if (s.length > MAX_NAME_LENGTH || NAME_WORDS.size >= MAX_NAMES) return this.text(s);
      h = Number.parseInt(new Digest().text(s).hex().slice(0, 8), 16) | 0;
      NAME_WORDS.set(s, h);
    }
    return this.word(h);
  }

  /** The 64-bit value as 16 hex digits (both lanes finalised without changing the running state). */
  hex(): string {
    let a = Math.imul(this.h1 ^ (this.h1 >>> 16), 0x85ebca6b) ^ Math.imul(this.h2 ^ (this.h2 >>> 13), 0xc2b2ae35);
    let b = Math.imul(this.h2 ^ (this.h2 >>> 16), 0x85ebca6b) ^ Math.imul(this.h1 ^ (this.h1 >>> 13), 0xc2b2ae35);
    a ^= a >>> 16;
    b ^= b >>> 16;
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }
}

/** Tags keep values of different shapes apart ([1] vs 1 vs '1'). */
const enum Tag { Undefined = 1, Null, False, True, Number, Text, Bytes, List, Map, Record }

/**
 * A plain value into the digest: primitives, byte arrays, arrays, Maps and records (own
 * enumerable fields in their order, functions skipped). For flat records only (an endpoint, a
 * model input, a segment): anything nested deeper than MAX_DEPTH throws instead of following a graph.
 */
export function digestValue(digest: Digest, value: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw new Error(`digestValue: nested deeper than ${MAX_DEPTH}; give it a flat record, not an object graph`);
  if (value === undefined) digest.word(Tag.Undefined);
  else if (value === null) digest.word(Tag.Null);
  else if (typeof value === 'boolean') digest.word(value ? Tag.True : Tag.False);
  else if (typeof value === 'number') digest.word(Tag.Number).number(value);
  else if (typeof value === 'string') digest.word(Tag.Text).name(value);
  else if (value instanceof Uint8Array) digest.word(Tag.Bytes).bytes(value);
  else if (Array.isArray(value)) {
    digest.word(Tag.List).word(value.length);
    for (const item of value) digestValue(digest, item, depth + 1);
  } else if (value instanceof Map) {
    digest.word(Tag.Map).word(value.size);
    for (const [key, item] of value) {
      digestValue(digest, key, depth + 1);
      digestValue(digest, item, depth + 1);
    }
  } else if (typeof value === 'object') {
    digest.word(Tag.Record);
    const record = value as Record<string, unknown>;
    // for-in: own fields in order without an array per record (class methods are not enumerable)
    for (const key in record) {
      const item = record[key];
      if (typeof item === 'function') continue;
      digest.name(key);
      digestValue(digest, item, depth + 1);
    }
  }
}
