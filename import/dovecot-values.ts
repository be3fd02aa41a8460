/* dovecot-values - Dovecot's time and size values as its settings parser reads them, refused at their line as Dovecot refuses them
 *
 * dovecot/core src/lib-settings/settings-parser.c (2.3.19.1; read, not copied):
 *  - settings_get_time_full(): a number, blanks, then a unit whose text is a prefix of its word (s/secs/seconds,
 *    m/mins/minutes, h/hours, d/days, w/weeks; msecs/milliseconds start with m); a number other than 0 without
 *    a unit is "missing units". A setting in seconds (SET_TIME: auth_failure_delay) takes milliseconds only in
 *    whole seconds ("Milliseconds not supported for this setting"); one in milliseconds (SET_TIME_MSECS:
 *    login_proxy_timeout) takes every unit. Checked with Debian 12's doveconf 2.3.19.1: "5" is refused,
 *    "1500ms" too for auth_failure_delay, "2000 msecs" is 2 secs, "3 se" 3 secs, "1w" 1 weeks.
 *  - settings_get_size(): a number, blanks, then B, or K, M, G, T (1024-based) with an optional i and B, any
 *    case ("1kib", "5 kB", "7 k" are all KiB on the same doveconf; "3x" is "Invalid size").
 */
import { ConfigError, type Setting } from './source.ts';

const SECOND_UNITS: readonly (readonly [letter: string, words: readonly string[], seconds: number])[] = [
  ['S', ['secs', 'seconds'], 1],
  ['M', ['mins', 'minutes'], 60],
  ['H', ['hours'], 3600],
  ['D', ['days'], 86_400],
  ['W', ['weeks'], 604_800],
];
const MILLISECOND_WORDS = ['msecs', 'mseconds', 'millisecs', 'milliseconds'];
const UINT_MAX = 2 ** 32 - 1;

const isPrefixOf = (text: string, words: readonly string[]) => words.some((word) => word.startsWith(text.toLowerCase()));

/** A time setting in `unit` (seconds for SET_TIME, milliseconds for SET_TIME_MSECS), or a ConfigError at its line. */
export function dovecotTime(setting: Setting, unit: 'seconds' | 'milliseconds'): number {
  const refuse = (why: string) => new ConfigError(setting.where, `${setting.name} = ${setting.value}: ${why}`);
  const match = /^(\d+) *(.*)$/.exec(setting.value.trim());
  if (!match) throw refuse(`Invalid time interval: ${setting.value.trim()} (a Dovecot time is a number with a unit: ms, secs, mins, hours, days, weeks)`);
  let count = Number(match[1]);
  const rest = match[2]!;
  if (rest === '' && count !== 0) throw refuse(`Time interval '${setting.value.trim()}' is missing units (add e.g. 's' for seconds)`);
  let factor = unit === 'milliseconds' ? 1000 : 1;
  if (rest !== '') {
    const named = SECOND_UNITS.find(([letter]) => letter === rest[0]!.toUpperCase());
    if (named !== undefined && isPrefixOf(rest, named[1])) factor *= named[2];
    else if (rest[0]!.toUpperCase() === 'M' && isPrefixOf(rest, MILLISECOND_WORDS)) {
      if (unit === 'seconds' && count % 1000 !== 0) throw refuse(`Milliseconds not supported for this setting: ${setting.value.trim()}`);
      if (unit === 'seconds') count /= 1000;
      factor = 1;
    } else throw refuse(`Invalid time interval: ${setting.value.trim()}`);
  }
  if (count > UINT_MAX / factor) throw refuse(`Time interval is too large: ${setting.value.trim()}`);
  return count * factor;
}

const SIZE_FACTORS: Readonly<Record<string, number>> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** A size setting in bytes, or a ConfigError at its line. */
export function dovecotSize(setting: Setting): number {
  const match = /^(\d+) *(?:(B)|([KMGT])I?B?)?$/i.exec(setting.value.trim());
  if (!match) throw new ConfigError(setting.where, `${setting.name} = ${setting.value}: Invalid size: ${setting.value.trim()} (a number with B, k, M, G or T)`);
  const bytes = Number(match[1]) * (match[3] === undefined ? 1 : SIZE_FACTORS[match[3].toUpperCase()]!);
  if (!Number.isSafeInteger(bytes)) throw new ConfigError(setting.where, `${setting.name} = ${setting.value}: more bytes than the lab counts exactly (${Number.MAX_SAFE_INTEGER})`);
  return bytes;
}
