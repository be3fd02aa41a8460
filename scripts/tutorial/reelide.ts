/* reelide - a command's new output as the page shows it: the same "..." lines, left out around the same lines
 *
 * The page shows a command's output with some stretches replaced by "..." (test/viewer/
 * tutorial-steps.ts). When the output changes (a seed shift moves times and queue ids), each
 * "..." must still stand for the stretch it stood for. The old output is gone, so the stretch
 * is found again by aligning the lines the page shows with the new output, as a diff would:
 * a shown line pairs best with the same line, then with a line of the same shape (numbers and
 * spacing aside), then with a similar line (most words alike), and at a cost with any line. A
 * "..." takes any number of lines for free; every other new line costs, so each "..." ends
 * where the shown lines around it resume. Edges without a "..." stay anchored to the start
 * and end of the output.
 */
import { ELISION, withoutTrailingBlankLines } from '../../test/viewer/tutorial-steps.ts';

// Scores of one step of the alignment. A similar line is worth keeping (SIMILAR > 0), so an
// edited line beside a "..." stays shown. Pairing a shown line with an unlike one costs more
// than one gap, so a new line beside a "..." is not pulled into a shown line's place, and less
// than two, so where no "..." is near, a rewritten line stays in its place.
const SAME = 3;
const SAME_SHAPE = 2;
const SIMILAR = 1;
const UNLIKE = -3;
const GAP = -2;

/** Numbers (decimal, dotted, upper-case hex such as queue ids) and runs of spaces do not count for the shape. */
export function shapeOf(line: string): string {
  return line.replace(/\b[0-9A-F]*[0-9][0-9A-F]*\b/g, '#').replace(/\s+/g, ' ').trim();
}

/** At least half of the two lines' words (by shape) are common to both. */
function similar(a: string, b: string): boolean {
  const words = (line: string) => new Set(shapeOf(line).split(' '));
  const left = words(a);
  const right = words(b);
  const common = [...left].filter((word) => right.has(word)).length;
  return common * 2 >= left.size + right.size - common;
}

function likeness(a: string, b: string): number {
  if (a === b) return SAME;
  if (shapeOf(a) === shapeOf(b)) return SAME_SHAPE;
  return similar(a, b) ? SIMILAR : UNLIKE;
}

export class ElisionLostError extends Error {
  override readonly name = 'ElisionLostError';
}

/**
 * `shown` (the page's lines, "..." among them) redrawn over `actual`: the lines of `actual` that
 * are not left out, with a "..." wherever `shown` has one. Throws ElisionLostError when a "..."
 * borders shown lines none of which can be found in `actual` any more: where it should end is
 * then a guess, which a person must make.
 */
export function reelide(shown: readonly string[], actual: readonly string[]): string[] {
  const want = withoutTrailingBlankLines(shown);
  const got = withoutTrailingBlankLines(actual);
  const pairs = align(want, got);
  const block: string[] = [];
  for (const pair of pairs) {
    if (pair.kind === 'elided') continue;
    if (pair.kind === 'elision') block.push(ELISION);
    else if (pair.got !== null) block.push(got[pair.got]!);
  }
  checkElisionsAnchored(want, pairs);
  return block;
}

type Pair =
  | { readonly kind: 'elision'; readonly want: number }
  | { readonly kind: 'elided'; readonly got: number }
  | { readonly kind: 'line'; readonly want: number | null; readonly got: number | null; readonly found: boolean };

/** The best-scoring alignment, as pairs in page order (a Needleman-Wunsch table over suffixes). */
function align(want: readonly string[], got: readonly string[]): Pair[] {
  const width = got.length + 1;
  const best = new Float64Array((want.length + 1) * width);
  const at = (w: number, g: number) => best[w * width + g]!;
  const like = (w: number, g: number) => likeness(want[w]!, got[g]!);
  for (let w = want.length; w >= 0; w--) {
    for (let g = got.length; g >= 0; g--) {
      if (w === want.length && g === got.length) continue;
      let score = -Infinity;
      if (w < want.length && want[w] === ELISION) {
        score = at(w + 1, g);
        if (g < got.length) score = Math.max(score, at(w, g + 1));
      } else {
        if (g < got.length) score = Math.max(score, at(w, g + 1) + GAP);
        if (w < want.length) score = Math.max(score, at(w + 1, g) + GAP);
        if (w < want.length && g < got.length) score = Math.max(score, at(w + 1, g + 1) + like(w, g));
      }
      best[w * width + g] = score;
    }
  }
  // Walk the table from the start, taking the first move that keeps the best score; a "..."
  // ends as early as it can, as matchesWithElision tries the shortest stretch first.
  const pairs: Pair[] = [];
  let w = 0;
  let g = 0;
  while (w < want.length || g < got.length) {
    const here = at(w, g);
    if (w < want.length && want[w] === ELISION) {
      if (at(w + 1, g) === here) pairs.push({ kind: 'elision', want: w++ });
      else pairs.push({ kind: 'elided', got: g++ });
    } else if (w < want.length && g < got.length && at(w + 1, g + 1) + like(w, g) === here) {
      pairs.push({ kind: 'line', want: w, got: g, found: like(w, g) !== UNLIKE });
      w++;
      g++;
    } else if (w < want.length && at(w + 1, g) + GAP === here) {
      pairs.push({ kind: 'line', want: w++, got: null, found: false });
    } else {
      pairs.push({ kind: 'line', want: null, got: g++, found: false });
    }
  }
  return pairs;
}

/** Each run of shown lines next to a "..." must have a line found again in the new output. */
function checkElisionsAnchored(want: readonly string[], pairs: readonly Pair[]): void {
  const found = new Set(pairs.flatMap((p) => (p.kind === 'line' && p.found && p.want !== null ? [p.want] : [])));
  let start = 0;
  for (let end = 0; end <= want.length; end++) {
    if (end < want.length && want[end] !== ELISION) continue;
    const bordersElision = (start > 0) || (end < want.length);
    const anchored = Array.from({ length: end - start }, (_, k) => start + k).some((w) => found.has(w));
    if (end > start && bordersElision && !anchored) {
      throw new ElisionLostError(`none of the shown lines ${start + 1}–${end} of this output ("${want[start]}"…) is in the new output, so where the "..." next to them ends is unknown`);
    }
    start = end + 1;
  }
}
