/* import-files - the import tests' helpers: files written to a fresh directory and imported, and the error an input is refused with */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { importDeployment, scenarioFileText, type ImportOptions, type ImportResult } from '../../import/index.ts';
import { ConfigError } from '../../import/source.ts';

/** The files in a fresh directory, imported. */
export function deployment(files: Record<string, string>, options: Omit<ImportOptions, 'paths'> = {}): ImportResult {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-lab-import-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return importDeployment({ paths: [dir], ...options });
}

/** The import's scenario written as the file `--scenario FILE` reads; its path. */
export function scenarioFile(result: ImportResult): string {
  const file = join(mkdtempSync(join(tmpdir(), 'smtp-lab-import-run-')), 'scenario.json');
  writeFileSync(file, scenarioFileText(result.definition));
  return file;
}

/** The message the import of `files` is refused with (a usage error: exit 2). */
export function importError(files: Record<string, string>, options: Omit<ImportOptions, 'paths'> = {}): string {
  try {
    deployment(files, options);
  } catch (error) {
    expect((error as Error).name).toBe('UsageError');
    return (error as Error).message;
  }
  throw new Error('expected the import to be refused');
}

/** The message a parser refuses its input with, by file and line. */
export function configErrorOf(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}
