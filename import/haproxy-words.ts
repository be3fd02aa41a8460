/* haproxy-words - one haproxy.cfg line cut into words as HAProxy cuts it
 *
 * haproxy/haproxy @50872daa6 (3.5-dev5), src/tools.c parse_line() as src/cfgparse.c parse_cfg()
 * calls it (PARSE_OPT_ENV | DQUOTE | SQUOTE | BKSLASH | SHARP | WORD_EXPAND), read, not copied;
 * doc/configuration.txt 2.2 (quoting and escaping) and 2.3 (environment variables):
 *  - blanks outside quotes separate words; a line ends at its end, at CR or LF, or at `#` outside
 *    quotes, even in the middle of a word ("foo#bar" is "foo");
 *  - "..." quotes weakly (blanks, `'` and `#` are plain, `$NAME` and `${NAME}` are expanded),
 *    '...' strongly (nothing is interpreted, not even a backslash); a quote left open is
 *    "unmatched quote at position N", and "" or '' is a word, an empty one;
 *  - a backslash outside single quotes: `\ ` `\\` `\#` `\'` `\"` are the character, `\t` `\n` `\r`
 *    the control, `\xNN` the byte (anything else is "truncated or invalid hexadecimal sequence"),
 *    `\$` a dollar only inside double quotes; before any other character it stays itself;
 *  - parse_cfg(): more than MAX_LINE_ARGS (64, include/haproxy/defaults.h) words is "too many
 *    words", and an empty word "marks the end of the argument list" and is refused.
 * Environment variables are the deployment's, which the import cannot see: a word that names one
 * keeps the reference as written and the line lists the names, so the mapper can say so.
 * `.LINE` and `.FILE` are known here and expanded; `.SECTION` is the section in force.
 */
import { ConfigError, type Where } from './source.ts';

export interface LineWords {
  readonly words: readonly string[];
  /** Environment variables the line's words name (their values are not in the input). */
  readonly env: readonly string[];
}

/** include/haproxy/defaults.h MAX_LINE_ARGS. */
const MAX_LINE_ARGS = 64;
const ESCAPED: Readonly<Record<string, string>> = { ' ': ' ', '\\': '\\', t: '\t', n: '\n', r: '\r', '#': '#', "'": "'", '"': '"' };
const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\v' || c === '\f';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** `$NAME`, `${NAME}`, `${NAME-default}` or `${NAME[*]}` at `text[start]` (the `$`): its name and end, or the refusal. */
function variableAt(text: string, start: number, fail: (at: number, what: string) => never): { name: string; end: number } {
  let i = start + 1;
  const braced = text[i] === '{';
  if (braced) i++;
  if (!/^[A-Za-z_.]$/.test(text[i] ?? '')) fail(i, 'forbidden first char in environment variable name');
  const nameStart = i;
  if (text[i] === '.') i++;
  while (/^[A-Za-z0-9_]$/.test(text[i] ?? '')) i++;
  const name = text.slice(nameStart, i);
  if (!braced) return { name, end: i };
  if (text[i] === '[') {
    if (text.slice(i, i + 3) !== '[*]') fail(i, 'truncated or invalid word expansion sequence');
    i += 3;
  }
  if (text[i] === '-') i = text.indexOf('}', i) < 0 ? text.length : text.indexOf('}', i);
  if (text[i] !== '}') fail(start + 1, 'unmatched brace in environment variable name');
  return { name, end: i + 1 };
}

/** The words of `text` (one line without its LF), or the error `haproxy -c` gives, at `where`. */
export function lineWords(text: string, where: Where, section: string): LineWords {
  const fail = (at: number, what: string): never => {
    throw new ConfigError(where, `${what} at position ${at + 1}`);
  };
  const words: string[] = [];
  const env: string[] = [];
  let word = '';
  let inWord = false;
  let quote: { char: string; at: number } | null = null;
  const end = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  let i = 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\r' || c === '\n' || c === '\0') break;
    if (c === '#' && quote === null) break;
    if (quote?.char === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (c === '"' || (c === "'" && quote === null)) {
      if (quote === null) quote = { char: c, at: i };
      else quote = null;
      inWord = true;
      continue;
    }
    if (c === '\\') {
      inWord = true;
      const next = text[i + 1];
      if (next === 'x') {
        if (!isHex(text[i + 2]) || !isHex(text[i + 3])) fail(i, 'truncated or invalid hexadecimal sequence');
        word += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
        i += 3;
      } else if (next !== undefined && next in ESCAPED) {
        word += ESCAPED[next];
        i++;
      } else if (next === '$' && quote !== null) {
        word += '$';
        i++;
      } else word += '\\';
      continue;
    }
    if (isBlank(c) && quote === null) {
      end();
      continue;
    }
    if (c === '$' && quote !== null) {
      const variable = variableAt(text, i, fail);
      const pseudo: Readonly<Record<string, string>> = { '.LINE': String(where.line), '.FILE': where.file, '.SECTION': section };
      if (variable.name.startsWith('.')) {
        if (!(variable.name in pseudo)) fail(i + 1, 'forbidden first char in environment variable name');
        word += pseudo[variable.name];
      } else {
        word += text.slice(i, variable.end);
        env.push(variable.name);
      }
      inWord = true;
      i = variable.end - 1;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (quote !== null) fail(quote.at, 'unmatched quote');
  end();
  if (words.length > MAX_LINE_ARGS) throw new ConfigError(where, `too many words, truncating after word ${MAX_LINE_ARGS}`);
  const empty = words.indexOf('');
  if (empty >= 0) throw new ConfigError(where, `argument number ${empty} is empty and marks the end of the argument list`);
  return { words, env };
}
