/* haproxy-keywords - a proxy section's keywords as HAProxy 3.5-dev5 knows them: an unknown one refused at its line as haproxy -c refuses it, a known one the lab does not map still listed */
import { describe, expect, it } from 'vitest';
import { OPTION_NAMES, PROXY_KEYWORDS } from '../../import/haproxy-keywords.ts';
import { HAPROXY_RULES, optionRule } from '../../import/haproxy-rules.ts';
import { deployment, importError } from './import-files.ts';

/** A frontend on 587 relaying to one server, each section with the lines given; a backend off the path after it. */
const cfg = (frontend: string, backend = '', defaults = '', other = '') =>
  `defaults\n  mode tcp\n${defaults}frontend smtp\n  bind :587\n  default_backend postfix\n${frontend}backend postfix\n  server smtpd 10.0.0.2:10025\n${backend}backend other\n  server o 10.0.0.3:25\n${other}`;
const imported = (text: string) => deployment({ 'haproxy.cfg': text });
const refusal = (text: string) => importError({ 'haproxy.cfg': text });

describe('a keyword HAProxy does not know (src/cfgparse-listen.c cfg_parse_listen())', () => {
  it("is refused at its line with HAProxy's message, naming the section it is in", () => {
    expect(refusal(cfg('  tcp-requets inspect-delay 5s\n'))).toMatch(/haproxy\.cfg:6: unknown keyword 'tcp-requets' in 'frontend' section \(haproxy -c refuses it/);
    expect(refusal(cfg('', '  sever smtpd2 10.0.0.4:25\n'))).toMatch(/haproxy\.cfg:8: unknown keyword 'sever' in 'backend' section/);
    expect(refusal(cfg('', '', '  timeuot client 5s\n'))).toMatch(/haproxy\.cfg:3: unknown keyword 'timeuot' in 'defaults' section/);
  });

  it("is refused in a proxy off the client's path too: haproxy -c reads the whole file", () => {
    expect(refusal(cfg('', '', '', '  frobnicate\n'))).toMatch(/haproxy\.cfg:10: unknown keyword 'frobnicate' in 'backend' section/);
  });

  it('a keyword kept only to be refused (removed from HAProxy) is refused at its line', () => {
    expect(refusal(cfg('  clitimeout 50s\n'))).toMatch(/haproxy\.cfg:6: 'clitimeout' is not supported anymore/);
    expect(refusal(cfg('', '  redispatch\n'))).toMatch(/haproxy\.cfg:8: 'redispatch' is not supported anymore/);
  });
});

describe('an option HAProxy does not know, or knows only to refuse (src/cfgparse-listen.c cfg_parse_listen(), "option")', () => {
  it("is refused at its line with HAProxy's reason, in any section, with or without no/default", () => {
    expect(refusal(cfg('  option tcplgo\n'))).toMatch(/haproxy\.cfg:6: unknown option 'tcplgo' \(haproxy -c refuses it/);
    expect(refusal(cfg('', '', '  no option dontlog-nul\n'))).toMatch(/haproxy\.cfg:3: unknown option 'dontlog-nul'/);
    expect(refusal(cfg('', '', '', '  option smtpchck\n'))).toMatch(/haproxy\.cfg:10: unknown option 'smtpchck'/);
    expect(refusal(cfg('  option\n'))).toMatch(/haproxy\.cfg:6: 'option' expects an option name/);
  });

  it('a removed option is refused with the release that removed it', () => {
    expect(refusal(cfg('', '  option transparent\n'))).toMatch(/haproxy\.cfg:8: support for option 'transparent' was removed in version 3\.5/);
    expect(refusal(cfg('  option forceclose\n'))).toMatch(/option 'forceclose' is not supported any more since HAProxy 2\.0/);
    expect(refusal(cfg('  option http-tunnel\n'))).toMatch(/since HAProxy 2\.1/);
    expect(refusal(cfg('  option http_proxy\n'))).toMatch(/since HAProxy 2\.5/);
  });

  it('every option HAProxy knows has a rule, besides the keepalive three the import maps to keys', () => {
    const keys = new Set(['clitcpka', 'srvtcpka', 'tcpka']);
    const without = [...OPTION_NAMES].filter((name) => !keys.has(name)).filter((name) => { try { optionRule(name); return false; } catch { return true; } });
    expect(without).toEqual([]);
    expect(imported(cfg('  option dont-parse-log\n')).ignored.find((entry) => entry.setting.where.line === 6)?.reason).toMatch(/^a mode syslog option/);
  });
});

describe('a keyword HAProxy knows and the lab does not map', () => {
  it('stays listed, ignored or unsupported with its reason', () => {
    const result = imported(cfg('  redirect location /x\n  guid fe-smtp\n  rate-limit sessions 10\n'));
    const reasonOf = (list: typeof result.ignored, line: number) => list.find((entry) => entry.setting.where.line === line)?.reason;
    expect(reasonOf(result.ignored, 6)).toBe('not on the SMTP relay path the lab models');
    expect(reasonOf(result.ignored, 7)).toMatch(/^names and identifiers/);
    expect(reasonOf(result.unsupported, 8)).toMatch(/^a limit on new sessions per second/);
  });

  it('every keyword the import has a rule for is one HAProxy knows (a rule for another could never apply)', () => {
    expect(Object.keys(HAPROXY_RULES).filter((keyword) => !PROXY_KEYWORDS.has(keyword))).toEqual([]);
  });
});
