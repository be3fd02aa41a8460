/* mailu-env - Mailu's mailu.env: KEY=VALUE lines (docker compose env_file syntax), with file and line
 *
 * Blank lines and `#` comments are skipped; anything else must be KEY=VALUE with a shell-style
 * name. Quotes around a value are taken off as compose does. A later line for a key wins.
 */
import { ConfigError, numberedLines, type Setting } from './source.ts';

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

export function parseMailuEnv(text: string, file: string): ReadonlyMap<string, Setting> {
  const settings = new Map<string, Setting>();
  for (const { text: raw, line } of numberedLines(text)) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = ASSIGNMENT.exec(trimmed);
    if (!match) throw new ConfigError({ file, line }, `expected KEY=VALUE (mailu.env), got '${trimmed}'`);
    const value = match[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
    settings.set(match[1]!, { name: match[1]!, value, where: { file, line } });
  }
  return settings;
}
