/* fs - node:fs's readFileSync for the browser bundle: files embedded at build time, and files the page writes
 *
 * The bundle has no file system. What the lab reads at load time (the recorded stack's
 * calibration, scenarios/builtin.ts) is embedded by playground/build/browser-seams.ts, and a
 * scenario the user pastes is written here under its file name, so scenarios/load.ts reads both
 * through its own code and reports a broken paste exactly as it reports a broken file. The
 * bundle has no directories: a file is found by its name.
 */
import { basename } from './path.ts';

const files = new Map<string, string>();

/** Make `text` readable as any path ending in `name`. */
export function writeFileSync(name: string, text: string): void {
  files.set(basename(name), text);
}

export function readFileSync(path: string, _encoding?: string): string {
  const text = files.get(basename(path));
  if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file in the page: ${path}`), { code: 'ENOENT' });
  return text;
}
