/* inputs - the files a user hands `import`: read files and directories, tell each file's format
 *
 * A directory stands for the files directly in it (sorted by name, hidden files skipped). The
 * format comes from the name where it is unambiguous (main.cf, master.cf, haproxy.cfg, *.env), else
 * from the content: `doveconf -n`'s release line, nginx's blocks and `nginx -T` headers, KEY=VALUE
 * lines, master.cf's eight-field service lines, a haproxy.cfg's first section keyword (global,
 * defaults, frontend, backend, listen: HAProxy's configuration starts with one, ./haproxy-cfg.ts),
 * Dovecot's sections, main.cf's `name = value`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../scenarios/errors.ts';
import { ConfigError } from './source.ts';

export type ConfigFormat = 'postfix-main' | 'postfix-master' | 'dovecot' | 'nginx' | 'haproxy' | 'mailu-env';

export const FORMAT_NAMES: Readonly<Record<ConfigFormat, string>> = {
  'postfix-main': 'Postfix main.cf / postconf -n',
  'postfix-master': 'Postfix master.cf / postconf -M',
  dovecot: 'Dovecot dovecot.conf / doveconf -n',
  nginx: 'nginx.conf / nginx -T',
  haproxy: 'HAProxy haproxy.cfg',
  'mailu-env': "Mailu's mailu.env",
};

export interface ConfigFile {
  /** The path as the user gave it (or the directory joined with the name): messages name it. */
  readonly path: string;
  readonly format: ConfigFormat;
  readonly text: string;
}

const BY_NAME: Readonly<Record<string, ConfigFormat>> = { 'main.cf': 'postfix-main', 'master.cf': 'postfix-master', 'haproxy.cfg': 'haproxy', 'mailu.env': 'mailu-env' };
const MASTER_LINE = /^\S+\s+(inet|unix|unix-dgram|fifo|pass)\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+/;

export function detectFormat(path: string, text: string): ConfigFormat {
  const name = basename(path);
  if (name in BY_NAME) return BY_NAME[name]!;
  if (name.endsWith('.env')) return 'mailu-env';
  if (/^#\s*\d+\.\d+(\.\d+)*\s+\([0-9a-f]+\):/.test(text)) return 'dovecot';
  if (/^(nginx version: |nginx: |# configuration file )/m.test(text) || /^\s*(mail|http|events|stream)\s*\{/m.test(text)) return 'nginx';
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  const first = lines[0] ?? '';
  if (/^[A-Z_][A-Z0-9_]*=/.test(first)) return 'mailu-env';
  if (MASTER_LINE.test(first)) return 'postfix-master';
  if (/^(global|defaults|frontend|backend|listen)(\s[^={]*)?$/.test(first.trim())) return 'haproxy';
  if (lines.some((line) => /\{\s*$/.test(line))) return 'dovecot';
  if (/^[A-Za-z0-9_.-]+\s*=/.test(first)) return 'postfix-main';
  throw new ConfigError({ file: path, line: Math.max(1, text.split(/\r?\n/).indexOf(first) + 1) }, `cannot tell which configuration this is (${Object.values(FORMAT_NAMES).join('; ')}); name it main.cf, master.cf, haproxy.cfg or mailu.env, or give the command's output whole`);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** The files behind `paths` (files or directories), each with its format. */
export function readInputs(paths: readonly string[]): ConfigFile[] {
  if (paths.length === 0) throw new UsageError('give the configuration files or a directory of them (FILE|DIR...)');
  return paths.flatMap((path) => {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      throw new UsageError(`${path}: no such file or directory (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    const files = isDirectory
      ? readdirSync(path).filter((name) => !name.startsWith('.')).sort().map((name) => join(path, name)).filter((file) => statSync(file).isFile())
      : [path];
    if (files.length === 0) throw new UsageError(`${path}: the directory holds no files`);
    return files.map((file) => {
      const text = readText(file);
      return { path: file, format: detectFormat(file, text), text };
    });
  });
}
