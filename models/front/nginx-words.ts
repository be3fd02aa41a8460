/* front/nginx-words - a directive's arguments as nginx.conf writes them, for keys that hold several (smtp_capabilities)
 *
 * nginx/nginx src/core/ngx_conf_file.c ngx_conf_read_token() (release-1.22.0 .. release-1.29.8): arguments are
 * separated by blanks; one in "double" or 'single' quotes may hold blanks. The lab's keys take the plain form
 * only: no backslash escapes, no quote inside a word, nothing glued to a quoted word.
 */

/** The arguments of `text`, or what is wrong with it. */
export function nginxWords(text: string): string[] | string {
  const words: string[] = [];
  const word = /\s*(?:"([^"\\]*)"|'([^'\\]*)'|([^\s"'\\]+))(?=\s|$)/y;
  let at = 0;
  while (text.slice(at).trim() !== '') {
    word.lastIndex = at;
    const match = word.exec(text);
    if (match === null) return `no argument can be read at "${text.slice(at).trim()}" (quote a word with blanks in "..." or '...', no backslashes or stray quotes)`;
    words.push(match[1] ?? match[2] ?? match[3]!);
    at = word.lastIndex;
  }
  return words;
}

/** `words` written back so that nginxWords() reads them again: a word with a blank (or empty) in double quotes. */
export function nginxWordsText(words: readonly string[]): string {
  return words.map((w) => (/^[^\s"'\\]+$/.test(w) ? w : `"${w}"`)).join(' ');
}
