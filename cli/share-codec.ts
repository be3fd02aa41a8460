/* share-codec - a share of work as JSON and back: maps as entries, and a clear error for a share that is not one */
import { UsageError } from './command.ts';
import type { CheckPart } from '../properties/check.ts';
import type { TallySlice } from '../properties/differential.ts';
import type { RunsSummary } from '../properties/parallel/run-ranges.ts';

/** A share that does not have the shape its command writes: a damaged or hand-made file. */
export function damaged(what: string): UsageError {
  return new UsageError(`the shard files do not hold ${what} as this version writes it; make them again with --shard i/n`);
}

export function tallyJson(tallies: TallySlice) {
  return tallies.map((tally) => ({ ...tally, reasons: [...tally.reasons] }));
}

export function tallyOf(json: unknown): TallySlice {
  if (!Array.isArray(json) || !json.every((t) => typeof t?.scenario === 'string' && Number.isSafeInteger(t.traces) && Array.isArray(t.reasons))) throw damaged('scenario tallies');
  return json.map((t) => ({ ...t, reasons: new Map(t.reasons) }));
}

export function runsOf(json: unknown): RunsSummary {
  const r = json as Partial<RunsSummary> | null;
  if (typeof r !== 'object' || r === null || !Number.isSafeInteger(r.start) || !Number.isSafeInteger(r.end) || !Number.isSafeInteger(r.classified) || !Array.isArray(r.counts)
    || (r.failure !== null && typeof r.failure?.path !== 'string')) throw damaged('generated runs');
  return r as RunsSummary;
}

export function checkPartJson(part: CheckPart) {
  return part.kind === 'search' ? part : { kind: part.kind, tallies: tallyJson(part.tallies) };
}

export function checkPartOf(json: unknown): CheckPart {
  const part = json as { kind?: unknown; runs?: unknown; tallies?: unknown } | null;
  if (part?.kind === 'search') return { kind: 'search', runs: runsOf(part.runs) };
  if (part?.kind === 'differential') return { kind: 'differential', tallies: tallyOf(part.tallies) };
  throw damaged('property results');
}

/** Shares that are each an array of `length` items. */
export function sharesOfLength(shares: readonly unknown[], length: number, what: string): unknown[][] {
  if (!shares.every((share) => Array.isArray(share) && share.length === length)) throw damaged(what);
  return shares as unknown[][];
}
