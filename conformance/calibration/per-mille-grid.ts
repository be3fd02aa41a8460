/* per-mille-grid - the maximum of a function of per-mille parameters, for the calibration's likelihood fits
 *
 * A grid of 20 ‰ steps over 0..1000 in every dimension, then 1 ‰ steps within 20 ‰ of its best
 * point. Points are tried in lexicographic order and a later one wins only when it is better by
 * more than 1e-9, so ties go to the smallest parameters. A point the function gives -Infinity is
 * outside the allowed region (fitSessionLoad: the busy state is the one that preempts less).
 */

const COARSE_STEP = 20;

export function maximizeOnPerMilleGrid(dimensions: number, f: (point: readonly number[]) => number): number[] {
  let best: number[] = Array(dimensions).fill(0);
  let bestValue = -Infinity;
  const search = (ranges: readonly (readonly [number, number])[], step: number) => {
    const point: number[] = [];
    const visit = (d: number): void => {
      if (d === dimensions) {
        const value = f(point);
        if (value > bestValue + 1e-9) [best, bestValue] = [[...point], value];
        return;
      }
      for (let x = ranges[d]![0]; x <= ranges[d]![1]; x += step) {
        point[d] = x;
        visit(d + 1);
      }
    };
    visit(0);
  };
  search(Array(dimensions).fill([0, 1000]), COARSE_STEP);
  search(best.map((x) => [Math.max(0, x - COARSE_STEP), Math.min(1000, x + COARSE_STEP)] as const), 1);
  return best;
}
