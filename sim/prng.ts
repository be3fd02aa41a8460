/* prng - seeded, splittable pseudo-random generator (xoshiro128** seeded by splitmix32)
 *
 * xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", 2018) gives 32-bit outputs from 128 bits of state; splitmix32
 * (the 32-bit variant of Steele/Lea/Flood's SplitMix with the murmur3 finaliser)
 * expands a seed into that state and derives independent child streams. Written
 * from the published descriptions. Decisions use integer ratios only: no float
 * ever decides a branch, so every platform takes the same path.
 */

const TWO_POW_32 = 0x1_0000_0000;
/** below(n) multiplies a 32-bit draw by n; keeping n <= 2^21 keeps the product exact in a double. */
const MAX_RANGE = 1 << 21;

function splitmix32Next(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed` is a non-negative safe integer; both 32-bit halves feed the state. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative safe integer, got ${seed}`);
    const mixer = { s: (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_POW_32), 0x27d4eb2d) };
    this.s0 = splitmix32Next(mixer);
    this.s1 = splitmix32Next(mixer);
    this.s2 = splitmix32Next(mixer);
    this.s3 = splitmix32Next(mixer);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** Next 32-bit unsigned output (xoshiro128**). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Integer in [0, n), 1 <= n <= 2^21 (multiply-shift; bias below n / 2^32). */
  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > MAX_RANGE) throw new Error(`below(n) needs an integer 1..${MAX_RANGE}, got ${n}`);
    return Math.floor((this.nextU32() * n) / TWO_POW_32);
  }

  /** Integer in [min, max] inclusive. */
  between(min: number, max: number): number {
    if (max < min) throw new Error(`between(${min}, ${max}): max is below min`);
    return min + this.below(max - min + 1);
  }

  /** True with probability numerator/denominator (integers, 0 <= numerator <= denominator). */
  chance(numerator: number, denominator: number): boolean {
    if (!Number.isInteger(numerator) || !Number.isInteger(denominator) || denominator < 1 || numerator < 0 || numerator > denominator) {
      throw new Error(`chance needs integers 0 <= numerator <= denominator, got ${numerator}/${denominator}`);
    }
    if (numerator === 0) return false;
    if (numerator === denominator) return true;
    return this.below(denominator) < numerator;
  }

  /** An independent child stream; `stream` distinguishes siblings split at the same point. */
  split(stream: number): Prng {
    const child = Object.create(Prng.prototype) as Prng;
    const mixer = { s: (this.nextU32() ^ Math.imul(stream | 0, 0x9e3779b1)) | 0 };
    child.s0 = splitmix32Next(mixer);
    child.s1 = splitmix32Next(mixer);
    child.s2 = splitmix32Next(mixer);
    child.s3 = splitmix32Next(mixer);
    if ((child.s0 | child.s1 | child.s2 | child.s3) === 0) child.s0 = 1;
    return child;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
