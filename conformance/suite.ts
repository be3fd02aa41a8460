/* suite - run every conformance case on the real stack and in the lab, and judge each pair */
import type { ConformanceCase } from './cases.ts';
import { compareCase, type SideOutcome, type Verdict } from './compare.ts';

/**
 * The lab side: the same case in the simulator, `repeat` sessions with seeds derived from `seed`;
 * `real` carries what the real run measured that the lab takes as input (SideOutcome.measured).
 */
export type LabRunner = (c: ConformanceCase, seed: number, real?: SideOutcome) => SideOutcome | Promise<SideOutcome>;
/** The real side: a live run on the real stack (real-run.ts) or the recorded files (recorded.ts). */
export type RealRunner = (c: ConformanceCase) => SideOutcome | Promise<SideOutcome>;

export interface CaseResult {
  readonly case: ConformanceCase;
  readonly verdict: Verdict;
  readonly realMs: number;
}

export async function runSuite(
  cases: readonly ConformanceCase[],
  real: RealRunner,
  lab: LabRunner,
  options: { seed: number; onResult?: (result: CaseResult) => void },
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const started = process.hrtime.bigint();
    const realSide = await real(c);
    const realMs = Number(process.hrtime.bigint() - started) / 1e6;
    const result = { case: c, verdict: compareCase(c, realSide, await lab(c, options.seed, realSide)), realMs };
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

/** case | real | lab | match, as a plain-text table (problems listed under a mismatching row). */
export function formatTable(results: readonly CaseResult[]): string {
  const header = ['case', 'real', 'lab', 'match'];
  const rows = results.map((r) => [r.case.name + (r.case.racy ? ' (racy)' : ''), r.verdict.real, r.verdict.lab, r.verdict.match ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-')];
  results.forEach((r, i) => {
    out.push(line(rows[i]!));
    for (const problem of r.verdict.problems) out.push(`    ${problem}`);
    for (const note of r.verdict.notes) out.push(`    ${note}`);
  });
  return out.join('\n');
}
