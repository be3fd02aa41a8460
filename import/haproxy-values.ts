/* haproxy-values - the values of the HAProxy settings the import maps, read and refused as HAProxy 3.5-dev5 reads and refuses them
 *
 * haproxy/haproxy @50872daa6, read, not copied: src/proxy.c proxy_parse_timeout() (a time in ms by
 * parse_time_err(), models/front/haproxy-time.ts; one value), proxy_parse_tcpka_*() ("expects an
 * integer value"; the values themselves in models/front/haproxy-tcpka.ts); src/cfgparse-listen.c
 * cfg_parse_listen(): `mode` (str_to_proxy_mode(), and haterm), `retries` (atol()),
 * `default_backend` (a name), `option` (a name; no `no`/`default` before `option tcpka`). A line
 * HAProxy refuses is refused at its line even where a later line overrides it: haproxy -c refuses
 * the file. A line whose value is an environment variable is left to the mapper to name.
 */
import { parseTimeErr } from '../models/front/haproxy-time.ts';
import { tcpkaProblem } from '../models/front/haproxy-tcpka.ts';
import type { HaproxyLine } from './haproxy-cfg.ts';
import { ConfigError } from './source.ts';

/** The modes str_to_proxy_mode() knows, and haterm (cfg_parse_listen()). */
const MODES = ['tcp', 'http', 'log', 'spop', 'haterm'];

/** The time a `timeout` line gives, in ms, checked as proxy_parse_timeout() checks it. */
export function timeoutMs(line: HaproxyLine): number {
  const [, name, value, extra] = line.words;
  if (value === undefined) throw new ConfigError(line.where, `'timeout ${name}' expects an integer value (in milliseconds)`);
  if (extra !== undefined) throw new ConfigError(line.where, `'timeout ${name}' : unexpected extra argument '${extra}' after value '${value}'`);
  const parsed = parseTimeErr(value, 'ms');
  if ('unexpected' in parsed) throw new ConfigError(line.where, `unexpected character '${parsed.unexpected}' in 'timeout ${name}'`);
  if ('overflow' in parsed) throw new ConfigError(line.where, `timer overflow in argument '${value}' to 'timeout ${name}' (maximum value is 2147483647 ms or ~24.8 days)`);
  return parsed.value;
}

/** atol() as cfg_parse_listen() reads `retries`: leading blanks, a sign, digits; the rest is not read. */
export function atol(text: string): number {
  const match = /^\s*([+-]?\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

/** Refuse a mapped setting's line as haproxy -c refuses it. */
export function checkSetting(line: HaproxyLine): void {
  if (line.env.length > 0) return;
  const [keyword = '', value] = line.words;
  const refuse = (message: string): never => {
    throw new ConfigError(line.where, message);
  };
  if (keyword === 'timeout') timeoutMs(line);
  else if (keyword === 'mode' && !MODES.includes(value ?? '')) refuse(`unknown proxy mode '${value ?? ''}'`);
  else if (keyword === 'retries' && value === undefined) refuse("'retries' expects an integer argument (dispatch counts for one)");
  else if (keyword === 'default_backend' && value === undefined) refuse("'default_backend' expects a backend name");
  else if (keyword === 'option' && value === undefined) refuse("'option' expects an option name");
  else if (keyword === 'option' && value === 'tcpka' && line.modifier !== null) refuse("negation/default is not supported for option 'tcpka'");
  else if (/^(cli|srv)tcpka-(idle|intvl|cnt)$/.test(keyword)) {
    if (value === undefined) refuse(`'${keyword}' expects an integer value`);
    const problem = tcpkaProblem(keyword, value!);
    if (problem !== null) refuse(problem);
  }
}
