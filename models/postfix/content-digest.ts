/* content-digest - SHA-256 of a message's content, fed piece by piece as smtpd reads it
 *
 * The queue keeps a digest of every message instead of its content (a long-running live lab would
 * otherwise hold all mail it ever got); anyone holding the sent bytes compares digests
 * (node:crypto's sha256 gives the same hex). Written out here rather than taken from node:crypto
 * because models also run in the browser playground. Content is text in the lab's latin1
 * convention: one byte per code unit (contract.ts asciiBytes).
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/**
 * The message schedule, shared: compress() fills and reads it within one call and nothing can run
 * in between, so one serves every digest (a 256-byte typed array per message is an ArrayBuffer
 * outside V8's heap, which costs more to make and to collect than the digest's arithmetic).
 */
const W = new Int32Array(64);

/** The digest's 64 hex digits as character codes, filled by hex() and read into one flat string. */
const HEX_CODES: number[] = new Array<number>(64).fill(0);
const HEX_DIGIT = [...'0123456789abcdef'].map((digit) => digit.charCodeAt(0));

/** SHA-256's initial hash value (FIPS 180-4 §5.3.3); each digest starts from a copy (slice(): no array literal to convert per message). */
const INITIAL_STATE = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

export class ContentDigest {
  private readonly state = INITIAL_STATE.slice();
  private readonly block = new Uint8Array(64);
  private filled = 0;
  private length = 0;

  /** Add text, one byte per code unit. */
  update(text: string): this {
    for (let i = 0; i < text.length; i++) {
      this.block[this.filled++] = text.charCodeAt(i);
      if (this.filled === 64) this.compress();
    }
    this.length += text.length;
    return this;
  }

  /** The digest as lowercase hex; the object is spent afterwards. */
  hex(): string {
    const bits = this.length * 8;
    this.block[this.filled++] = 0x80;
    if (this.filled > 56) {
      this.block.fill(0, this.filled);
      this.compress();
    }
    this.block.fill(0, this.filled);
    // the length in bits, big-endian, in the block's last eight bytes
    writeWord(this.block, 56, Math.floor(bits / 0x1_0000_0000));
    writeWord(this.block, 60, bits >>> 0);
    this.compress();
    for (let i = 0; i < 64; i++) HEX_CODES[i] = HEX_DIGIT[(this.state[i >> 3]! >>> (28 - 4 * (i & 7))) & 0xf]!;
    // One flat string, not appends: the queue keeps it for each message it holds.
    return String.fromCharCode.apply(null, HEX_CODES);
  }

  private compress(): void {
    const { block, state } = this;
    const w = W;
    for (let i = 0; i < 16; i++) w[i] = (block[4 * i]! << 24) | (block[4 * i + 1]! << 16) | (block[4 * i + 2]! << 8) | block[4 * i + 3]!;
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!, e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    state[0] = (state[0]! + a) | 0; state[1] = (state[1]! + b) | 0; state[2] = (state[2]! + c) | 0; state[3] = (state[3]! + d) | 0;
    state[4] = (state[4]! + e) | 0; state[5] = (state[5]! + f) | 0; state[6] = (state[6]! + g) | 0; state[7] = (state[7]! + h) | 0;
    this.filled = 0;
  }
}

function writeWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = word >>> 16;
  bytes[at + 2] = word >>> 8;
  bytes[at + 3] = word;
}
