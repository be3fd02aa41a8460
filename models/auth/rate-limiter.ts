/* auth/rate-limiter - Mailu's authentication rate limiter (core/admin/mailu/limiter.py) in virtual time
 *
 * Mailu uses the `limits` library's MovingWindowRateLimiter over Redis. A limit such as "5/hour"
 * allows `amount` hits inside any moving window of `multiples * granularity` seconds: test() is true
 * while fewer than `amount` hits are younger than the window. Side keys (exempt-*, dedup-*, dedup2-*)
 * are Redis counters set with storage.incr(key, expiry, elastic_expiry=True): every incr pushes the
 * expiry out again. Time is the model's `now` (µs); nothing here reads a clock.
 */
import type { Micros } from '../contract.ts';

export interface RateLimit {
  readonly amount: number;
  /** limits' GRANULARITY.seconds: the unit (the dedup keys expire after one unit). */
  readonly granularitySeconds: number;
  readonly windowSeconds: number;
}

const GRANULARITY_SECONDS: Readonly<Record<string, number>> = {
  second: 1, minute: 60, hour: 3600, day: 86400, month: 30 * 86400, year: 12 * 30 * 86400,
};

/**
 * The last limits parsed, by text: every run builds its own authenticator (its limiter state is the
 * run's) from a per-run copy of the config, whose two limit texts are the scenario's. Answers are
 * immutable; a bad text throws and is not kept.
 */
const parsedLimits = new Map<string, RateLimit>();
/** Bound on the cache; when full it starts over (a config may carry any text). */
const MAX_PARSED_LIMITS = 16;

/** limits.parse for the forms Mailu's settings use: "5/hour", "50 per day", "10/2 minutes". */
export function parseRateLimit(text: string): RateLimit {
  let limit = parsedLimits.get(text);
  if (limit === undefined) {
    limit = parseRateLimitUncached(text);
    if (parsedLimits.size >= MAX_PARSED_LIMITS) parsedLimits.clear();
    parsedLimits.set(text, limit);
  }
  return limit;
}

function parseRateLimitUncached(text: string): RateLimit {
  const match = /^\s*(\d+)\s*(?:\/|per)\s*(\d+)?\s*(second|minute|hour|day|month|year)s?\s*$/i.exec(text);
  if (!match) throw new Error(`rate limit "${text}" is not of the form N/unit (limits.parse)`);
  const granularitySeconds = GRANULARITY_SECONDS[match[3]!.toLowerCase()]!;
  return { amount: Number(match[1]), granularitySeconds, windowSeconds: granularitySeconds * Number(match[2] ?? '1') };
}

const SECOND: Micros = 1_000_000;

/** Redis-like counters with elastic expiry, and moving-window hit lists, all in virtual time. */
export class LimiterStorage {
  private readonly counters = new Map<string, { value: number; expiresAt: Micros }>();
  private readonly windows = new Map<string, Micros[]>();

  get(key: string, now: Micros): number {
    const entry = this.counters.get(key);
    if (!entry) return 0;
    if (entry.expiresAt <= now) {
      this.counters.delete(key);
      return 0;
    }
    return entry.value;
  }

  /** storage.incr(key, expiry, elastic_expiry=True) */
  incr(key: string, expirySeconds: number, now: Micros): void {
    const value = this.get(key, now) + 1;
    this.counters.set(key, { value, expiresAt: now + expirySeconds * SECOND });
  }

  /** MovingWindowRateLimiter.test: would one more hit stay within the limit? */
  test(limit: RateLimit, key: string, now: Micros): boolean {
    return this.liveHits(limit, key, now).length < limit.amount;
  }

  /** MovingWindowRateLimiter.hit: record a hit unless the window is full (limits' acquire_entry). */
  hit(limit: RateLimit, key: string, now: Micros): boolean {
    const hits = this.liveHits(limit, key, now);
    if (hits.length >= limit.amount) return false;
    hits.push(now);
    this.windows.set(key, hits);
    return true;
  }

  private liveHits(limit: RateLimit, key: string, now: Micros): Micros[] {
    const oldest = now - limit.windowSeconds * SECOND;
    const hits = (this.windows.get(key) ?? []).filter((t) => t > oldest);
    this.windows.set(key, hits);
    return hits;
  }
}
