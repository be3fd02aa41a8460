/* merge - combine the shares that `--shard i/n` printed into the report one process would have printed */
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseOptions } from '../args.ts';
import { commands } from './index.ts';
import { readShards } from '../shard-file.ts';
import { workersOption } from '../parallel-options.ts';

const usage = `usage: smtp-lab merge [--workers N] FILE...

Reads the shares that \`smtp-lab check|demo|explore ... --shard i/n\` printed (one file per share,
in any order), checks they are shares 1..n of one command with the same arguments, and prints what
that command prints without --shard, with its exit code: the same bytes (docs/scale.md). The work
left for the merge is what one process does at the end: shrinking the first failure, drawing it.

  --workers N   worker threads for that work (default: this machine's cores)`;

export const merge: Command = {
  name: 'merge',
  usage,
  async run(args) {
    const { values, positionals } = parseOptions(args, { workers: { type: 'string' } }, true);
    const workers = workersOption(values.workers);
    const { command: name, args: recorded, shares } = readShards(positionals);
    const entry = commands.find((c) => c.name === name);
    const command = await entry?.load();
    if (command?.merge === undefined) throw new UsageError(`the shard files are of '${name}', which smtp-lab merge does not combine`);
    return command.merge(recorded, shares, workers);
  },
};
