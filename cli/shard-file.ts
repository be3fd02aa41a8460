/* shard-file - what `--shard i/n` prints and `smtp-lab merge` reads: one share of a command's work as JSON
 *
 * The file names the command and its arguments (without --shard and --workers, which do not
 * change the result), which share it is, and the share itself. Merge accepts a set of files
 * only when they are shares 1..n of the same command with the same arguments, each once.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.ts';
import type { Shard } from './parallel-options.ts';

const FORMAT = 'smtp-lab shard 1';

export interface ShardFile {
  readonly format: typeof FORMAT;
  readonly command: string;
  readonly args: readonly string[];
  readonly shard: Shard;
  readonly share: unknown;
}

/** `args` without the options that say how the work is spread (--shard, --workers), which do not change the result. */
export function resultArgs(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const { tokens } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false, tokens: true });
  const dropped = new Set<number>();
  for (const token of tokens) {
    if (token.kind !== 'option' || (token.name !== 'shard' && token.name !== 'workers')) continue;
    dropped.add(token.index);
    if (token.value !== undefined && !token.inlineValue) dropped.add(token.index + 1);
  }
  return args.filter((_, i) => !dropped.has(i));
}

export function shardJson(command: string, args: readonly string[], shard: Shard, share: unknown): string {
  const file: ShardFile = { format: FORMAT, command, args, shard, share };
  return JSON.stringify(file);
}

function readOne(path: string): ShardFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read shard file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let file: Partial<ShardFile>;
  try {
    file = JSON.parse(text) as Partial<ShardFile>;
  } catch {
    throw new UsageError(`${path} is not a shard file (not JSON); make one with --shard i/n`);
  }
  const shard = file?.shard;
  if (
    file?.format !== FORMAT || typeof file.command !== 'string' || !Array.isArray(file.args) || !file.args.every((a) => typeof a === 'string') ||
    typeof shard !== 'object' || shard === null || !Number.isSafeInteger(shard.index) || !Number.isSafeInteger(shard.count) || file.share === undefined
  ) {
    throw new UsageError(`${path} is not a shard file of this version ('${FORMAT}' with command, args, shard and share); make one with --shard i/n`);
  }
  return file as ShardFile;
}

/** The command, its arguments and the shares 1..n in order, from files given in any order. */
export function readShards(paths: readonly string[]): { command: string; args: readonly string[]; shares: unknown[] } {
  if (paths.length === 0) throw new UsageError('name the shard files to merge (what `--shard i/n` printed, one per share)');
  const files = paths.map((path) => ({ path, file: readOne(path) }));
  const first = files[0]!;
  const signature = (f: ShardFile) => JSON.stringify([f.command, f.args, f.shard.count]);
  const stranger = files.find(({ file }) => signature(file) !== signature(first.file));
  if (stranger) {
    throw new UsageError(`${stranger.path} is a share of \`${[stranger.file.command, ...stranger.file.args].join(' ')}\` in ${stranger.file.shard.count}, `
      + `${first.path} of \`${[first.file.command, ...first.file.args].join(' ')}\` in ${first.file.shard.count}: only shares of one run merge`);
  }
  const count = first.file.shard.count;
  const shares: unknown[] = [];
  for (let index = 1; index <= count; index++) {
    const these = files.filter(({ file }) => file.shard.index === index);
    if (these.length !== 1) throw new UsageError(`share ${index}/${count} is ${these.length === 0 ? 'missing' : `given ${these.length} times (${these.map((f) => f.path).join(', ')})`}`);
    shares.push(these[0]!.file.share);
  }
  if (files.length !== count) throw new UsageError(`${files.length} files for ${count} shares`);
  return { command: first.file.command, args: first.file.args, shares };
}
