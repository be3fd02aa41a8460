/* haproxy-cfg - a haproxy.cfg cut into words and sections as HAProxy 3.5-dev5 cuts it, and refused by file and line where haproxy -c refuses it */
import { describe, expect, it } from 'vitest';
import { parseHaproxyCfg, settingsChain } from '../../import/haproxy-cfg.ts';
import { lineWords } from '../../import/haproxy-words.ts';
import { configErrorOf as errorOf } from './import-files.ts';

const AT = { file: 'h.cfg', line: 7 };
const words = (text: string) => lineWords(text, AT, 'fe').words;

describe('parse_line(): words, quotes, escapes, comments (doc 2.2)', () => {
  it("splits on blanks; '#' outside quotes ends the line even inside a word", () => {
    expect(words('\tbind  :587\tname smtp')).toEqual(['bind', ':587', 'name', 'smtp']);
    expect(words('mode tcp# a comment')).toEqual(['mode', 'tcp']);
    expect(words('  # only a comment')).toEqual([]);
  });

  it("takes doc 2.2's five equivalent log-format lines as one word each", () => {
    const expected = ['log-format', '%{+Q}o %t %s %{-Q}r'];
    for (const line of ['log-format %{+Q}o\\ %t\\ %s\\ %{-Q}r', 'log-format "%{+Q}o %t %s %{-Q}r"', "log-format '%{+Q}o %t %s %{-Q}r'", 'log-format "%{+Q}o %t"\' %s %{-Q}r\'', 'log-format "%{+Q}o %t"\' %s\'\\ %{-Q}r']) {
      expect(words(line), line).toEqual(expected);
    }
  });

  it('reads the escapes of the matrix: \\t \\n \\r \\xNN \\# \\\\ \\" \\\', a dollar escaped only in double quotes, nothing inside single quotes', () => {
    expect(words('a \\x41\\t\\#\\\\\\"\\\'')).toEqual(['a', 'A\t#\\"\'']);
    expect(words('"\\$x" \\$x \'\\x41 # $HOME\'')).toEqual(['$x', '\\$x', '\\x41 # $HOME']);
    expect(words('a b\\')).toEqual(['a', 'b\\']);
  });

  it('keeps an environment variable in double quotes as written and names it; .LINE, .FILE and .SECTION are expanded', () => {
    expect(lineWords('server s "${PF_HOST}:10025" weight "$W"', AT, 'be')).toEqual({ words: ['server', 's', '${PF_HOST}:10025', 'weight', '$W'], env: ['PF_HOST', 'W'] });
    expect(lineWords('description "${.FILE}:$.LINE in ${.SECTION}" $HOME', AT, 'be')).toEqual({ words: ['description', 'h.cfg:7 in be', '$HOME'], env: [] });
  });

  it('refuses what parse_line() refuses, at its position', () => {
    expect(errorOf(() => words('bind "587'))).toBe('h.cfg:7: unmatched quote at position 6');
    expect(errorOf(() => words("log-format 'x"))).toBe('h.cfg:7: unmatched quote at position 12');
    expect(errorOf(() => words('a \\x4'))).toBe('h.cfg:7: truncated or invalid hexadecimal sequence at position 3');
    expect(errorOf(() => words('a "${HOME"'))).toBe('h.cfg:7: unmatched brace in environment variable name at position 5');
    expect(errorOf(() => words('a "$1"'))).toBe('h.cfg:7: forbidden first char in environment variable name at position 5');
    expect(errorOf(() => words('a "${.NOPE}"'))).toBe('h.cfg:7: forbidden first char in environment variable name at position 5');
    expect(errorOf(() => words('timeout client ""'))).toBe('h.cfg:7: argument number 2 is empty and marks the end of the argument list');
    expect(errorOf(() => words(Array.from({ length: 65 }, () => 'w').join(' ')))).toBe('h.cfg:7: too many words, truncating after word 64');
  });
});

describe('sections and the defaults each proxy starts from (doc 4)', () => {
  const text = [
    'global', '  daemon',
    'defaults base', '  timeout client 5s',
    'defaults', '  mode tcp',
    'defaults tuned from base', '  retries 5',
    'frontend fe', '  bind :587',
    'backend be from base', '  server s 10.0.0.1:10025',
    'listen both from tuned', '  bind :25',
    'userlist admins', '  user admin insecure-password x',
  ].join('\n') + '\n';
  const config = parseHaproxyCfg(text, 'h.cfg');
  const named = (kind: string, name: string) => config.sections.find((s) => s.kind === kind && s.name === name)!;

  it('keeps each section with its lines and where, modifiers apart', () => {
    expect(config.sections.map((s) => `${s.kind} ${s.name}`.trim())).toEqual(['global', 'defaults base', 'defaults', 'defaults tuned', 'frontend fe', 'backend be', 'listen both', 'userlist admins']);
    expect(named('frontend', 'fe').lines).toEqual([{ words: ['bind', ':587'], modifier: null, env: [], where: { file: 'h.cfg', line: 10 } }]);
    expect(parseHaproxyCfg('defaults\n  no option clitcpka\n', 'h').sections[0]!.lines[0]).toMatchObject({ words: ['option', 'clitcpka'], modifier: 'no' });
  });

  it('a proxy without from starts from the last defaults, with from from that one; a defaults section from nothing unless it says from', () => {
    expect(named('frontend', 'fe').defaults).toBe(named('defaults', 'tuned'));
    expect(named('backend', 'be').defaults).toBe(named('defaults', 'base'));
    expect(settingsChain(named('listen', 'both')).map((s) => `${s.kind} ${s.name}`)).toEqual(['defaults base', 'defaults tuned', 'listen both']);
    expect(named('defaults', 'base').defaults).toBeNull();
    expect(parseHaproxyCfg('defaults a\ndefaults from a\nfrontend f\n', 'h').sections[2]!.defaults!.defaults!.name).toBe('a');
  });

  it('reads CRLF files the same', () => {
    expect(parseHaproxyCfg(text.replace(/\n/g, '\r\n'), 'h.cfg')).toEqual(config);
  });

  it('refuses by file and line what haproxy -c refuses, and what the import cannot evaluate', () => {
    expect(errorOf(() => parseHaproxyCfg('  daemon\n', 'h'))).toBe("h:1: unknown keyword 'daemon' out of section");
    expect(errorOf(() => parseHaproxyCfg('frontend\n', 'h'))).toBe("h:1: 'frontend' expects an <id> argument");
    expect(errorOf(() => parseHaproxyCfg('frontend f/1\n', 'h'))).toBe("h:1: character '/' is not permitted in 'frontend' name 'f/1'");
    expect(errorOf(() => parseHaproxyCfg('frontend f :587\n', 'h'))).toBe("h:1: please use the 'bind' keyword for listening addresses");
    expect(errorOf(() => parseHaproxyCfg('frontend smtp\nbackend smtp\n', 'h'))).toBe("h:2: backend 'smtp' has the same name as frontend 'smtp' declared at h:1; HAProxy refuses this since 3.3");
    expect(errorOf(() => parseHaproxyCfg('frontend f from nowhere\n', 'h'))).toBe("h:1: defaults section 'nowhere' not found for frontend 'f'");
    expect(errorOf(() => parseHaproxyCfg('defaults d\nbackend b from d\ndefaults d\n', 'h'))).toMatch(/^h:3: defaults 'd' has the same name as another defaults section declared at h:1 which was explicitly referenced/);
    expect(errorOf(() => parseHaproxyCfg('frontend f\n  no bind :25\n', 'h'))).toMatch(/^h:2: negation\/default currently supported only for options, log/);
    expect(errorOf(() => parseHaproxyCfg('frontend f\n.if feature(QUIC)\n.endif\n', 'h'))).toMatch(/^h:2: '\.if': HAProxy's conditional blocks/);
    expect(errorOf(() => parseHaproxyCfg('[scope]\n', 'h'))).toMatch(/^h:1: '\[scope\]': a scope line/);
    expect(errorOf(() => parseHaproxyCfg('defaults\n  bind :25\n', 'h'))).toBe("h:2: 'bind' not allowed in 'defaults' section");
    expect(errorOf(() => parseHaproxyCfg('defaults\n  server s 10.0.0.1:25\n', 'h'))).toBe("h:2: 'server' not allowed in 'defaults' section");
    expect(errorOf(() => parseHaproxyCfg('frontend f\n  default-server send-proxy\n', 'h'))).toBe("h:2: 'default-server' not allowed because frontend 'f' has no backend capability");
    expect(parseHaproxyCfg('defaults\n  default-server send-proxy\nlisten l\n  server s 10.0.0.1:25\n', 'h').sections).toHaveLength(2);
    expect(errorOf(() => parseHaproxyCfg('global\n  daemon', 'h'))).toBe('h:2: Missing LF on last line, file might have been truncated (haproxy -c refuses it)');
  });
});
