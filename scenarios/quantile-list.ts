/* quantile-list - a distribution given as its quantiles: the text of a scenario key, and the numbers it holds
 *
 * `sim.run_queue_wait_quantiles_us` holds the run-queue wait's quantiles (sim/run-queue.ts) as
 * comma-separated whole microseconds at equally spaced probabilities, the shortest first, the
 * longest last; calibrate writes every 5th percentile (21 values).
 */

export const QUANTILE_LIST_PATTERN = /^\d+(,\d+)*$/;
export const QUANTILE_LIST_MAX_US = 1_000_000;
export const QUANTILE_LIST_ALLOWED = `comma-separated whole µs up to ${QUANTILE_LIST_MAX_US}, non-decreasing, at equally spaced probabilities from the shortest wait to the longest (calibrate writes every 5th percentile, 21 values; one value: always that wait; MIN,MEDIAN,MAX: two equally likely uniform pieces)`;

export function parseQuantileList(text: string): number[] {
  return text.split(',').map(Number);
}

/** What is wrong with a list the pattern accepted, or null. */
export function quantileListProblem(text: string): string | null {
  const values = parseQuantileList(text);
  const tooLarge = values.findIndex((v) => v > QUANTILE_LIST_MAX_US);
  if (tooLarge >= 0) return `value ${tooLarge + 1} (${values[tooLarge]}) is above ${QUANTILE_LIST_MAX_US}`;
  const falling = values.findIndex((v, i) => i > 0 && v < values[i - 1]!);
  return falling < 0 ? null : `value ${falling + 1} (${values[falling]}) is below the one before it (${values[falling - 1]})`;
}
