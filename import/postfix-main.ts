/* postfix-main - main.cf, `postconf -n` or `postconf NAME` output: parameter = value, with file and line
 *
 * The grammar is postconf(5)'s: a line whose first non-blank character is `#` is a comment,
 * blank lines are ignored, a line that starts with whitespace continues the logical line above,
 * and a logical line is `name = value` (blanks around `=` optional; the value may be empty).
 * `postconf -n` and `postconf mail_version` print the same form, so one parser reads all three.
 * A later line for the same parameter wins, as it does for Postfix.
 */
import { ConfigError, numberedLines, type Setting } from './source.ts';

const PARAMETER = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/;

export type PostfixParameters = ReadonlyMap<string, Setting>;

export function parsePostfixMain(text: string, file: string): PostfixParameters {
  const parameters = new Map<string, Setting>();
  let current: { name: string; value: string; line: number } | null = null;
  const finish = () => {
    if (current !== null) parameters.set(current.name, { name: current.name, value: current.value.trim(), where: { file, line: current.line } });
    current = null;
  };
  for (const { text: raw, line } of numberedLines(text)) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (/^\s/.test(raw)) {
      if (current === null) throw new ConfigError({ file, line }, `a continuation line (it starts with whitespace) with no parameter above it: '${trimmed}'`);
      current.value += ` ${trimmed}`;
      continue;
    }
    finish();
    const match = PARAMETER.exec(trimmed);
    if (!match) throw new ConfigError({ file, line }, `expected 'parameter = value' (main.cf or postconf output), got '${trimmed}'`);
    current = { name: match[1]!, value: match[2]!, line };
  }
  finish();
  return parameters;
}
