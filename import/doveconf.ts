/* doveconf - `doveconf -n` output or a dovecot.conf: settings and nested sections, with file and line
 *
 * Dovecot's config syntax (doc/wiki ConfigFile): `key = value`, `section [name] {` ... `}`,
 * `#` comments. `doveconf -n` starts with a comment naming the release ("# 2.3.19.1 (9b53102964):
 * /etc/dovecot/dovecot.conf"), which is kept: it decides which Dovecot the lab imitates.
 * `!include` is refused by line: the included file is not in the input, and `doveconf -n` prints
 * the configuration with every include resolved.
 */
import { ConfigError, numberedLines, type Setting, type Where } from './source.ts';

export interface DovecotSection {
  /** `service`, `inet_listener`, `passdb`, `protocol`...; '' for the top level. */
  readonly kind: string;
  /** The section's name (`submission-login`), '' when it has none. */
  readonly name: string;
  readonly settings: Map<string, Setting>;
  readonly sections: DovecotSection[];
  readonly where: Where;
}

export interface DovecotConfig {
  readonly root: DovecotSection;
  /** The release `doveconf -n` printed in its first line, with where; null for a plain dovecot.conf. */
  readonly release: Setting | null;
  /** doveconf's "# OS:" comment (uname and, where it can tell, the distribution: "Linux 6.1.0 x86_64 Debian 12.11"); null when absent. */
  readonly os: Setting | null;
}

const SETTING = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/;
const OPEN = /^([A-Za-z0-9_-]+)(?:\s+(\S+))?\s*\{$/;
const RELEASE = /^#\s*(\d+\.\d+(?:\.\d+)*)\s+\([0-9a-f]+\):/;
const OS = /^#\s*OS:\s*(.*)$/;

export function parseDoveconf(text: string, file: string): DovecotConfig {
  const root: DovecotSection = { kind: '', name: '', settings: new Map(), sections: [], where: { file, line: 1 } };
  const stack: DovecotSection[] = [root];
  let release: Setting | null = null;
  let os: Setting | null = null;
  for (const { text: raw, line } of numberedLines(text)) {
    const trimmed = raw.trim();
    const where = { file, line };
    const version = RELEASE.exec(trimmed);
    if (version && release === null && root.settings.size === 0 && root.sections.length === 0) release = { name: 'doveconf -n release', value: version[1]!, where };
    const osLine = OS.exec(trimmed);
    if (osLine && release !== null && os === null && root.settings.size === 0 && root.sections.length === 0) os = { name: 'doveconf -n OS', value: osLine[1]!.trim(), where };
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const top = stack.at(-1)!;
    if (trimmed.startsWith('!include')) throw new ConfigError(where, `'${trimmed}': the included file is not part of the input; give \`doveconf -n\` output, which resolves includes`);
    if (trimmed === '}') {
      if (stack.length === 1) throw new ConfigError(where, "'}' closes no section");
      stack.pop();
      continue;
    }
    const open = OPEN.exec(trimmed);
    if (open) {
      const section: DovecotSection = { kind: open[1]!, name: open[2] ?? '', settings: new Map(), sections: [], where };
      top.sections.push(section);
      stack.push(section);
      continue;
    }
    const setting = SETTING.exec(trimmed);
    if (!setting) throw new ConfigError(where, `expected 'key = value', 'section [name] {' or '}', got '${trimmed}'`);
    top.settings.set(setting[1]!, { name: setting[1]!, value: setting[2]!.trim(), where });
  }
  if (stack.length > 1) {
    const open = stack.at(-1)!;
    throw new ConfigError(open.where, `section '${open.kind}${open.name ? ` ${open.name}` : ''}' is never closed (end of file)`);
  }
  return { root, release, os };
}

/** The sections of `kind` (and `name`, when given) directly inside `section`. */
export function sectionsOf(section: DovecotSection, kind: string, name?: string): DovecotSection[] {
  return section.sections.filter((child) => child.kind === kind && (name === undefined || child.name === name));
}
