/* known-disagreements - recorded cases where the lab is known to differ from the real stack, and how
 *
 * Each entry is a case of `conformance --recorded` and the kind of each problem its verdict has
 * (the problem text up to its first ':'), one disagreement of docs/conformance.md "Disagreements
 * found" that is open. The table still prints such a case as NO with the numbers; the recorded
 * comparison (CI's gate) passes when every mismatch is listed here, problem for problem, and
 * test/conformance/recorded.test.ts asserts at seed 1 that each listed one still shows, so a fix
 * shows up as well as a new difference.
 */
// None open at seed 1. Disagreement 12 (C-quickack-d's 235 time under load: real 4 ms, lab 2 ms) was closed
// by the run-queue wait (sim/run-queue.ts), fitted from each batch's own step gaps; since its
// second pass every racy batch's 235 times pass the distribution test (compare.ts) with its own
// fit. The tails of C-quickack-c (lab 2 / 5 / 14 ms over ten seeds against real 2 / 2 / 6; the gate
// fails it at 3 of 10 seeds, not at seed 1) are in docs/conformance.md disagreement 12 "What
// remains", not here: its sessions logged in at once waited a third as often as the others, and the
// lab draws the run-queue burst independently of the race's session load.
export const KNOWN_RECORDED_DISAGREEMENTS: Readonly<Record<string, readonly string[]>> = {};

/** The kind of a verdict's problem: its text up to the first ':' (the numbers follow). */
export function problemKind(problem: string): string {
  return problem.split(':')[0]!;
}

/** Whether a case's problems are exactly its known disagreements (none listed: it must have none). */
export function onlyKnownProblems(caseName: string, problems: readonly string[]): boolean {
  const known = KNOWN_RECORDED_DISAGREEMENTS[caseName] ?? [];
  const kinds = problems.map(problemKind);
  return kinds.length === known.length && kinds.every((kind, i) => kind === known[i]);
}
