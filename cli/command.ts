/* command - what a smtp-lab subcommand is, and the exit codes every one of them uses */

export const EXIT_OK = 0;
/** The outcome the command asserts did not happen (property failed, bug not reproduced, mismatch). */
export const EXIT_EXPECTATION_FAILED = 1;
/** Usage or input error: the message names the bad argument and what is allowed. */
export const EXIT_USAGE = 2;

/** Bad input is one error kind for every layer (scenarios/errors.ts); main() prints it and exits 2. */
export { UsageError } from '../scenarios/errors.ts';

export interface Command {
  readonly name: string;
  /** Full help text: synopsis and options. */
  readonly usage: string;
  run(args: readonly string[]): Promise<number>;
  /**
   * For commands that take --shard: finish as `run(args)` would have, from the shares that
   * `run([...args, '--shard', 'i/n'])` printed for i = 1..n, in order (`smtp-lab merge`).
   */
  merge?(args: readonly string[], shares: readonly unknown[], workers: number): Promise<number>;
}

/** What the registry knows before a command is loaded: enough for `smtp-lab --help`. */
export interface CommandEntry {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  load(): Promise<Command>;
}
