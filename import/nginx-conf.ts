/* nginx-conf - `nginx -T` output or an nginx.conf: directives and blocks, with file and line
 *
 * nginx's syntax (src/core/ngx_conf_file.c ngx_conf_read_token): words separated by blanks, `;`
 * ends a directive, `{` opens its block and `}` closes it, `#` starts a comment outside quotes,
 * '...' and "..." quote a word (backslash escapes the next character). `nginx -T` prints each file
 * after a "# configuration file PATH:" comment, so included files are already in the text; its
 * status lines ("nginx: the configuration file ... syntax is ok") and `nginx -v`'s
 * "nginx version: nginx/1.26.1" are recognised, the latter kept as the release.
 */
import { ConfigError, numberedLines, type Setting, type Where } from './source.ts';

export interface NginxDirective {
  readonly name: string;
  readonly args: readonly string[];
  readonly where: Where;
  /** The directives inside its `{ }`, or null for a simple directive. */
  readonly block: NginxDirective[] | null;
}

export interface NginxConfig {
  readonly directives: readonly NginxDirective[];
  /** `nginx -v`'s release when the text has it. */
  readonly release: Setting | null;
}

interface Token {
  readonly text: string;
  /** `;`, `{` and `}` outside quotes. */
  readonly special: boolean;
  readonly line: number;
}

const STATUS = /^nginx: (the configuration file|configuration file) /;
const VERSION = /^nginx version: nginx\/(\d+\.\d+\.\d+)/;

function tokens(text: string, file: string): { tokens: Token[]; release: Setting | null } {
  const out: Token[] = [];
  let release: Setting | null = null;
  for (const { text: raw, line } of numberedLines(text)) {
    const version = VERSION.exec(raw);
    if (version) {
      release = { name: 'nginx -v release', value: version[1]!, where: { file, line } };
      continue;
    }
    if (STATUS.test(raw)) continue;
    let word = '';
    let quoted = false;
    const flush = () => {
      if (word !== '' || quoted) out.push({ text: word, special: false, line });
      word = '';
      quoted = false;
    };
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === '"' || c === "'") {
        const end = raw.indexOf(c, i + 1);
        if (end < 0) throw new ConfigError({ file, line }, `unterminated ${c} quote`);
        word += raw.slice(i + 1, end).replace(/\\(.)/g, '$1');
        quoted = true;
        i = end;
      } else if (c === '#' && word === '' && !quoted) break;
      else if (c === ';' || c === '{' || c === '}') {
        flush();
        out.push({ text: c, special: true, line });
      } else if (/\s/.test(c)) flush();
      else word += c;
    }
    flush();
  }
  return { tokens: out, release };
}

export function parseNginxConf(text: string, file: string): NginxConfig {
  const { tokens: list, release } = tokens(text, file);
  let index = 0;
  const block = (depth: number, opened: Where | null): NginxDirective[] => {
    const directives: NginxDirective[] = [];
    let words: Token[] = [];
    while (index < list.length) {
      const token = list[index++]!;
      if (!token.special) {
        words.push(token);
        continue;
      }
      const where = { file, line: words[0]?.line ?? token.line };
      if (token.text === '}') {
        if (words.length > 0) throw new ConfigError(where, `'${words.map((w) => w.text).join(' ')}' is not ended by ';' before '}'`);
        if (depth === 0) throw new ConfigError({ file, line: token.line }, "'}' closes no block");
        return directives;
      }
      if (words.length === 0) throw new ConfigError({ file, line: token.line }, `'${token.text}' without a directive name`);
      const [name, ...args] = words.map((w) => w.text);
      directives.push({ name: name!, args, where, block: token.text === '{' ? block(depth + 1, where) : null });
      words = [];
    }
    if (words.length > 0) throw new ConfigError({ file, line: words[0]!.line }, `'${words.map((w) => w.text).join(' ')}' is not ended by ';' (end of file)`);
    if (opened !== null) throw new ConfigError(opened, 'this block is never closed (end of file)');
    return directives;
  };
  return { directives: block(0, null), release };
}

/** Every directive named `name` directly inside `directives`. */
export function directivesNamed(directives: readonly NginxDirective[], name: string): NginxDirective[] {
  return directives.filter((directive) => directive.name === name);
}
