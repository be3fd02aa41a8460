/* parallel-options - --workers N and --shard i/n, shared by check, demo, explore and bench */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { UsageError } from './command.ts';
import { integerOption } from './args.ts';

export const parallelOptions = {
  workers: { type: 'string' },
  shard: { type: 'string' },
} as const;

/** The most threads a command starts: far above any core count this lab runs on, low enough to catch a typo. */
const MAX_WORKERS = 256;
const MAX_SHARDS = 100_000;

export const WORKERS_USAGE = `  --workers N           worker threads, 1-${MAX_WORKERS} (default: this machine's ${availableParallelism()} cores); the output is the same for any N`;

export const PARALLEL_USAGE = [
  WORKERS_USAGE,
  '  --shard i/n           compute only share i of n (1 <= i <= n) and print it as JSON for `smtp-lab merge`',
].join('\n');

export function workersOption(raw: string | undefined): number {
  return integerOption('workers', raw, availableParallelism(), 1, MAX_WORKERS);
}

/**
 * --workers read from a command's arguments ahead of their full parse, so the threads start while
 * the command sets up (cli/workers/pool.ts); the full parse still refuses anything else wrong.
 */
export function workersIn(args: readonly string[]): number {
  const { values } = parseArgs({ args: [...args], options: parallelOptions, strict: false, allowPositionals: true });
  return workersOption(typeof values.workers === 'string' ? values.workers : undefined);
}

/** Share `index` (1-based) of `count`, as `--shard index/count` names it. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function shardOption(raw: string | undefined): Shard | null {
  if (raw === undefined) return null;
  const match = /^(\d+)\/(\d+)$/.exec(raw);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new UsageError(`--shard must be i/n with 1 <= i <= n <= ${MAX_SHARDS} (for example 2/4), got '${raw}'`);
  }
  return { index, count };
}

/** The consecutive items [start, start + count) of `total` that share `shard` takes; the shares of 1..n cover 0..total-1 once. */
export function shareOf(shard: Shard | null, total: number): { start: number; count: number } {
  if (shard === null) return { start: 0, count: total };
  const start = Math.floor(((shard.index - 1) * total) / shard.count);
  return { start, count: Math.floor((shard.index * total) / shard.count) - start };
}

/** The items of `total` that `shard` takes one in n (for items of uneven cost, such as explored cases). */
export function interleavedShareOf(shard: Shard | null, total: number): number[] {
  const all = Array.from({ length: total }, (_, i) => i);
  return shard === null ? all : all.filter((i) => i % shard.count === shard.index - 1);
}
