/* front/wall-clock - printing virtual time as the wall-clock stamps daemons put in text (UTC)
 *
 * Models may not read a clock; the few texts that carry a date (HTTP Date header, Dovecot's
 * "Temporary authentication failure. [host:YYYY-MM-DD HH:MM:SS]") are printed from a configured
 * epoch plus virtual time. Days to civil date: H. Hinnant's days_from_civil inverse.
 */
import type { Micros } from '../contract.ts';

interface Civil { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number }

function civil(epochSeconds: number): Civil {
  const days = Math.floor(epochSeconds / 86400);
  const secondOfDay = epochSeconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {
    year, month, day,
    hour: Math.floor(secondOfDay / 3600), minute: Math.floor((secondOfDay % 3600) / 60), second: secondOfDay % 60,
    weekday: (((days + 4) % 7) + 7) % 7, // 1970-01-01 was a Thursday
  };
}

const two = (n: number) => String(n).padStart(2, '0');
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Where a daemon's wall clock stands at virtual time 0: whole seconds since the epoch and how
 * far (µs) into the following second. The phase matters where a daemon compares whole seconds
 * (Dovecot's ioloop_time, a time_t): the same virtual delay crosses a second boundary or not
 * depending on it (auth-failure-queue.ts).
 */
export interface WallClock {
  readonly epochSeconds: number;
  readonly phaseUs: number;
}

/** The clock's whole seconds (time_t) at virtual time `now`. */
export function wallSeconds(clock: WallClock, now: Micros): number {
  return clock.epochSeconds + Math.floor((clock.phaseUs + now) / 1_000_000);
}

/** strftime "%Y-%m-%d %H:%M:%S" */
export function isoStamp(epochSeconds: number): string {
  const c = civil(epochSeconds);
  return `${c.year}-${two(c.month)}-${two(c.day)} ${two(c.hour)}:${two(c.minute)}:${two(c.second)}`;
}

/** RFC 9110 IMF-fixdate, as lib-http http_date_create() prints it. */
export function httpDate(epochSeconds: number): string {
  const c = civil(epochSeconds);
  return `${WEEKDAYS[c.weekday]}, ${two(c.day)} ${MONTHS[c.month - 1]} ${c.year} ${two(c.hour)}:${two(c.minute)}:${two(c.second)} GMT`;
}
