/* stats - the tests and intervals the conformance comparison states
 *
 * Counts are compared with Fisher's exact test (two-sided: the sum of the probabilities of all
 * tables with the same margins that are no more likely than the observed one), which needs no
 * large-sample approximation, so it holds for a batch of 6 sessions as for one of 300.
 * Rates are printed with Wilson score intervals (95 %), which stay inside [0, 1] and do not
 * collapse to a point at 0 or n. Log-factorials are summed exactly for the sizes used here.
 * Two samples of times are compared at a percentile with the quantile test (quantileTest).
 */

/** The significance level of every conformance test. */
export const ALPHA = 0.01;
/** z for a two-sided 95 % interval. */
const Z95 = 1.959964;

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]!;
}

/** Two-sided Fisher exact p for k1 of n1 against k2 of n2. */
export function fisherExact(k1: number, n1: number, k2: number, n2: number): number {
  const successes = k1 + k2;
  const total = n1 + n2;
  const logTable = (a: number) =>
    logFactorial(successes) + logFactorial(total - successes) + logFactorial(n1) + logFactorial(n2)
    - logFactorial(total) - logFactorial(a) - logFactorial(n1 - a) - logFactorial(successes - a) - logFactorial(n2 - successes + a);
  const observed = logTable(k1);
  let p = 0;
  for (let a = Math.max(0, successes - n2); a <= Math.min(n1, successes); a++) {
    const log = logTable(a);
    if (log <= observed + 1e-7) p += Math.exp(log);
  }
  return Math.min(1, p);
}

/** Wilson score interval (95 %) for k of n; [0, 1] when n is 0. */
export function wilson(k: number, n: number): readonly [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** "12/40 = 30 % [18–46 %]" */
export function rateText(k: number, n: number): string {
  const [low, high] = wilson(k, n);
  const pct = (x: number) => Math.round(x * 100);
  return `${k}/${n} = ${n === 0 ? '–' : pct(k / n)} % [${pct(low)}–${pct(high)} %]`;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile by nearest rank on the interpolated position (p in [0, 1]): one of the values. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))]!;
}

export interface QuantileTest {
  /** The pooled sample's p-th percentile the two samples are split at. */
  readonly threshold: number;
  /** Values above it in each sample. */
  readonly aboveA: number;
  readonly aboveB: number;
  readonly p: number;
}

/**
 * Do two samples have the same p-th percentile? Mood's quantile test (the median test generalised,
 * Mood 1950; Conover, Practical Nonparametric Statistics, §4.3): split both at the pooled sample's
 * p-th percentile and compare the shares above it with Fisher's exact test. The split depends on
 * the pooled sample alone, so under the null hypothesis (one distribution) the 2×2 table has
 * Fisher's conditional distribution whatever the distribution is: the test is exact for small
 * samples and for heavily tied ones (whole milliseconds, most of them equal); ties at the threshold
 * count as not above it.
 */
export function quantileTest(a: readonly number[], b: readonly number[], p: number): QuantileTest {
  if (a.length === 0 || b.length === 0) throw new RangeError('quantileTest needs two non-empty samples');
  const pooled = [...a, ...b].sort((x, y) => x - y);
  const threshold = pooled[Math.max(0, Math.ceil(p * pooled.length) - 1)]!;
  const aboveA = a.filter((x) => x > threshold).length;
  const aboveB = b.filter((x) => x > threshold).length;
  return { threshold, aboveA, aboveB, p: fisherExact(aboveA, a.length, aboveB, b.length) };
}
