/* source - where a setting came from (file and line), and the error that names it
 *
 * Every parser here keeps the file and line of each setting, so the import report can say
 * "main.cf:12" beside every mapping and a bad line is refused by name. A ConfigError is a
 * UsageError: the CLI prints it and exits 2.
 */
import { UsageError } from '../scenarios/errors.ts';

export interface Where {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
}

export function whereText(where: Where): string {
  return `${where.file}:${where.line}`;
}

export class ConfigError extends UsageError {
  constructor(where: Where, message: string) {
    super(`${whereText(where)}: ${message}`);
  }
}

/** A setting as a file states it. */
export interface Setting {
  readonly name: string;
  readonly value: string;
  readonly where: Where;
}

/** A file's text as numbered lines, with a trailing newline not counted as a line. */
export function numberedLines(text: string): { readonly text: string; readonly line: number }[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, index) => ({ text: line, line: index + 1 }));
}
