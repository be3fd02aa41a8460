/* args - option parsing for subcommands on node:util parseArgs, with errors as UsageError */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parse `args` strictly; an unknown or malformed option becomes a UsageError naming it and listing the allowed ones. */
export function parseOptions<T extends Options>(args: readonly string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (error) {
    const allowed = Object.keys(options).map((name) => `--${name}`).join(', ');
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (allowed options: ${allowed})`);
  }
}

/** A non-negative integer option, or the fallback when absent. */
export function integerOption(name: string, raw: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  return value;
}

/** A regular-expression option (a filter on names); absent, it matches everything. */
export function regexOption(name: string, raw: string | undefined): RegExp {
  try {
    return new RegExp(raw ?? '');
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}
