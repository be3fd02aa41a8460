/* compare - decide whether the lab predicted what the real daemons did
 *
 * Deterministic cases must agree exactly on: every client reply line (normalise.ts), the AUTH
 * reply and its outcome class (reconnect waits included), the number of backend connections and
 * Postfix's smtpd log lines.
 *
 * Racy cases (the real outcome is a TCP race: quickack, pp3) are compared as samples, each with
 * a stated test at ALPHA = 0.01 (stats.ts):
 *   - lost races per backend connection (one lost race = one "improper command pipelining"
 *     line): Fisher's exact test of real k/n against lab k/n; both rates are printed with
 *     their Wilson 95 % intervals;
 *   - the distribution of session outcomes (outcomeClass: the AUTH reply, and for a 235 how
 *     many 1 s reconnect waits it took): one Fisher test per outcome against all others,
 *     Bonferroni-corrected (ALPHA / number of outcomes);
 *   - on each side separately, Dovecot's reconnect accounting (Dovecot 2.3 login_proxy_failed():
 *     a lost race costs one more backend connection unless it was the last attempt):
 *     connections = sessions + losses − sessions answered 454 with forbid=yes; = sessions with no.
 *
 * Every case, racy or not, compares the AUTH→reply time per outcome (real: swaks
 * --show-time-lapse or a recorded time; lab: virtual time): the medians of each outcome that both
 * sides produced must agree within a factor TIME_RATIO, or within TIME_RESOLUTION_MS (swaks
 * prints milliseconds). A lab twice as fast or twice as slow fails whenever the real median is
 * above 2 ms. A case whose real time depends on the wall clock's phase (realAuthTimeRangeMs)
 * also needs the lab inside that range; the real time is not held to it, since under load
 * Dovecot's 500 ms check timer fires late (a live run measured 2023 ms on a busy machine).
 * In a racy case an outcome's median is judged only when each side has at least
 * MIN_RACY_TIMED_SESSIONS sessions of it; below that it is printed as a "(not judged: …)" note:
 * a median over one or two sessions (A2, A3: 6 sessions spread over three outcomes) is one
 * session's time, the cold first one's or one caught in a burst of load, not the chain's. Over
 * a handful of racy sessions (B1: 6) the median alone is one draw from a mixture of quick sessions
 * and run-queue waits, so the medians' tolerance is held only where the median test (stats.ts
 * quantileTest at the 50th percentile, at ALPHA) also tells the two samples apart: a real
 * difference that sampling cannot explain and that is beyond the tolerance. Five sessions a side
 * is the least at which the test can reject at all (complete separation: p = 2 / C(10, 5) = 0.008),
 * so a lab twice as slow as a steady real chain fails from there on.
 * A racy case's sessions logged in on their first backend connection (outcome 235) with at least
 * MIN_TIME_DISTRIBUTION_SESSIONS on each side (the calibration batches: 24-80) are judged as a
 * distribution instead of by the median's tolerance: the quantile test (stats.ts quantileTest) at
 * each of TIME_PERCENTILES, at ALPHA / 3 each (Bonferroni). Most of these sessions take 2 ms; the
 * run-queue waits of a loaded machine are in the tails, which a median cannot see, and a median's
 * tolerance of a few dozen sessions drawn from such a mixture rejects a correct lab by chance
 * (C-quickack-d, 30 sessions: the lab's median over seeds 1-10 ranged over 3-10 ms against a real
 * 4 ms with the same fit; docs/conformance.md disagreement 12).
 */
import type { ScenarioValues } from '../scenarios/keys.ts';
import type { ConformanceCase } from './cases.ts';
import { stepProblems } from './calibration/step-compare.ts';
import type { StepGaps } from './calibration/steps.ts';
import { ALPHA, fisherExact, median, percentile, quantileTest, rateText } from './stats.ts';

export interface SessionOutcome {
  /** Normalised reply lines, in order. */
  readonly replies: readonly string[];
  readonly authReply: string | null;
  readonly authToReplyMs: number | null;
  /**
   * Whole reconnect waits before the AUTH reply when only the session's wall time is known
   * (the 2026-11-27 trial cells: swaks without --show-time-lapse); the time itself stays null.
   */
  readonly reconnectWaits?: number;
}

/** What one side did over all sessions of a case. */
export interface SideOutcome {
  readonly sessions: readonly SessionOutcome[];
  readonly backendConnections: number;
  /** Normalised postfix/smtpd lines over all sessions. */
  readonly smtpdLog: readonly string[];
  /**
   * What a live run measured in its own capture that the lab takes as input rather than
   * predicts (real-run.ts): the scheduling of a racy case (calibration/fit.ts) and the cold
   * smtpd's start-up before the case's first banner.
   */
  readonly measured?: Measured;
  /**
   * The gaps of the sessions' request/response steps (calibration/steps.ts): the real side's
   * read off its capture (a calibration batch's, a live racy case's), the lab's off its trace the
   * same way (lab.ts) when the real side has them.
   */
  readonly steps?: StepGaps;
}

export interface Measured {
  /** Scheduling keys fitted to this run's capture (racy cases with raced connections only). */
  readonly scheduling?: Partial<ScenarioValues>;
  /** SYN → 220 of the run's first backend connection, ms (a fresh smtpd process). */
  readonly firstBannerMs?: number;
  /**
   * µs into its wall-clock second at which the client's AUTH left (capture time), for a case whose
   * real time depends on the wall clock's phase (realAuthTimeRangeMs: Dovecot's failure delay).
   */
  readonly authPhaseUs?: number;
}

export interface Verdict {
  readonly match: boolean;
  readonly real: string;
  readonly lab: string;
  readonly problems: readonly string[];
  /** Printed, not judged: tests a case without a capture cannot be held to, and the lab's measured inputs. */
  readonly notes: readonly string[];
}

/** Medians per outcome may differ by this factor (a 2× error fails). */
export const TIME_RATIO = 1.5;
/** …or by this much: swaks --show-time-lapse prints whole milliseconds. */
export const TIME_RESOLUTION_MS = 1;
/** A racy outcome's median time is judged only over at least this many sessions on each side (fewer: a note). */
export const MIN_RACY_TIMED_SESSIONS = 5;
/** A racy case's 235 times are judged as a distribution (quantile tests) when each side has at least this many. */
export const MIN_TIME_DISTRIBUTION_SESSIONS = 20;
/** The percentiles of that distribution that are compared and printed. */
export const TIME_PERCENTILES: readonly number[] = [0.5, 0.75, 0.9];
/** The outcome judged as a distribution: logged in on the first backend connection, no reconnect wait. */
const LOGGED_IN_AT_ONCE = '235';
/** Dovecot's PROXY_CONNECT_RETRY_MSECS: every reconnect adds this wait to the AUTH→reply time. */
export const RECONNECT_WAIT_MS = 1000;

const IMPROPER = 'improper command pipelining after XCLIENT';

function code(reply: string | null): string {
  return reply === null ? 'none' : reply.slice(0, 3);
}

/**
 * The outcome of one session: its AUTH reply code, and for a 235 the number of whole reconnect
 * waits before it ("235+1s": logged in on the second backend connection). A 454 always took all
 * of them. Without a time, the code alone.
 */
export function outcomeClass(s: SessionOutcome): string {
  const c = code(s.authReply);
  const waits = s.authToReplyMs === null ? s.reconnectWaits : Math.floor(s.authToReplyMs / RECONNECT_WAIT_MS);
  if (c !== '235' || waits === undefined) return c;
  return waits === 0 ? c : `${c}+${waits}s`;
}

function counts(side: SideOutcome): Map<string, number> {
  const result = new Map<string, number>();
  for (const s of side.sessions) result.set(outcomeClass(s), (result.get(outcomeClass(s)) ?? 0) + 1);
  return result;
}

function losses(side: SideOutcome): number {
  return side.smtpdLog.filter((l) => l.includes(IMPROPER)).length;
}

function timesOf(side: SideOutcome, outcome: string): number[] {
  return side.sessions.filter((s) => outcomeClass(s) === outcome && s.authToReplyMs !== null).map((s) => s.authToReplyMs!);
}

function msText(ms: number): string {
  return `${Math.round(ms)} ms`;
}

/** "2 / 4 / 11 ms": the TIME_PERCENTILES of a sample. */
function percentilesText(times: readonly number[]): string {
  return `${TIME_PERCENTILES.map((p) => Math.round(percentile(times, p))).join(' / ')} ms`;
}

export function summarise(side: SideOutcome): string {
  const tally = [...counts(side)].sort().map(([c, n]) => (side.sessions.length === 1 ? c : `${c}×${n}`)).join(' ');
  const times = [...counts(side).keys()].sort().flatMap((outcome) => {
    const list = timesOf(side, outcome);
    if (outcome === LOGGED_IN_AT_ONCE && list.length >= MIN_TIME_DISTRIBUTION_SESSIONS) return [`${outcome} ${percentilesText(list)} (50/75/90 %)`];
    const m = median(list);
    return m === null ? [] : [`${outcome} ${msText(m)}`];
  });
  const race = side.sessions.length > 1 ? `lost ${rateText(losses(side), side.backendConnections)}` : `improper ${losses(side)}`;
  return `${tally}, conns ${side.backendConnections}, ${race}${times.length > 0 ? `, auth ${times.join(' / ')}` : ''}`;
}

function accountingProblem(label: string, c: ConformanceCase, side: SideOutcome): string | null {
  const n454 = side.sessions.filter((s) => code(s.authReply) === '454').length;
  const expected = c.setting.forbid ? side.sessions.length + losses(side) - n454 : side.sessions.length;
  return side.backendConnections === expected
    ? null
    : `${label}: ${side.backendConnections} backend connections, reconnect accounting expects ${expected}`;
}

function raceProblems(real: SideOutcome, lab: SideOutcome): string[] {
  const problems: string[] = [];
  const [kr, nr, kl, nl] = [losses(real), real.backendConnections, losses(lab), lab.backendConnections];
  const p = fisherExact(kr, nr, kl, nl);
  if (p < ALPHA) problems.push(`lost races per backend connection: real ${rateText(kr, nr)}, lab ${rateText(kl, nl)}; Fisher p=${p.toExponential(1)} < ${ALPHA}`);
  const [cr, cl] = [counts(real), counts(lab)];
  const outcomes = [...new Set([...cr.keys(), ...cl.keys()])].sort();
  const alpha = ALPHA / outcomes.length;
  for (const outcome of outcomes) {
    const [a, b] = [cr.get(outcome) ?? 0, cl.get(outcome) ?? 0];
    const q = fisherExact(a, real.sessions.length, b, lab.sessions.length);
    if (q < alpha) {
      problems.push(`sessions with outcome ${outcome}: real ${rateText(a, real.sessions.length)}, lab ${rateText(b, lab.sessions.length)}; Fisher p=${q.toExponential(1)} < ${alpha.toPrecision(2)}`);
    }
  }
  return problems;
}

/** Time problems of a case: judged ones, and those of racy outcomes with too few sessions, printed only (the summaries print every median). */
function timeProblems(c: ConformanceCase, real: SideOutcome, lab: SideOutcome): { judged: string[]; notJudged: string[] } {
  const judged: string[] = [];
  const notJudged: string[] = [];
  for (const p of timeComparisons(c, real, lab)) {
    if (p.sessions === undefined || !c.racy || p.sessions >= MIN_RACY_TIMED_SESSIONS) {
      if (p.problem) judged.push(p.problem);
    } else if (p.problem) {
      notJudged.push(`(not judged: ${p.sessions} session${p.sessions === 1 ? '' : 's'} < ${MIN_RACY_TIMED_SESSIONS}) ${p.problem}`);
    }
  }
  return { judged, notJudged };
}

interface TimeComparison {
  /** Sessions of the outcome on the side with fewer; undefined: not per outcome (a phase range). */
  readonly sessions?: number;
  readonly problem: string | null;
}

function timeComparisons(c: ConformanceCase, real: SideOutcome, lab: SideOutcome): TimeComparison[] {
  if (c.realAuthTimeRangeMs) {
    const r = median(real.sessions.flatMap((s) => (s.authToReplyMs === null ? [] : [s.authToReplyMs])));
    const l = median(lab.sessions.flatMap((s) => (s.authToReplyMs === null ? [] : [s.authToReplyMs])));
    if (r === null || l === null) return [];
    const [low, high] = c.realAuthTimeRangeMs;
    const inside = l >= low - TIME_RESOLUTION_MS && l <= high + TIME_RESOLUTION_MS;
    return [{ problem: inside && close(r, l) ? null : `AUTH→reply time: real ${msText(r)}, lab ${msText(l)} (the lab must lie in ${low}-${high} ms and within ×${TIME_RATIO} or ±${TIME_RESOLUTION_MS} ms of the real time)` }];
  }
  const outcomes = [...new Set(real.sessions.map(outcomeClass))].sort();
  return outcomes.flatMap((outcome) => {
    const [rs, ls] = [timesOf(real, outcome), timesOf(lab, outcome)];
    if (c.racy && outcome === LOGGED_IN_AT_ONCE && Math.min(rs.length, ls.length) >= MIN_TIME_DISTRIBUTION_SESSIONS) {
      return [{ sessions: Math.min(rs.length, ls.length), problem: distributionProblem(outcome, rs, ls) }];
    }
    const r = median(rs);
    const l = median(ls);
    if (r === null || l === null) return [];
    const sessions = Math.min(rs.length, ls.length);
    if (close(r, l)) return [{ sessions, problem: null }];
    const beyond = `AUTH→reply time of ${outcome} (median): real ${msText(r)}, lab ${msText(l)} (allowed: within ×${TIME_RATIO} or ±${TIME_RESOLUTION_MS} ms)`;
    if (!c.racy || sessions < MIN_RACY_TIMED_SESSIONS) return [{ sessions, problem: beyond }];
    const test = quantileTest(rs, ls, 0.5);
    if (test.p >= ALPHA) return [{ sessions, problem: null }];
    return [{ sessions, problem: `${beyond}; above the pooled median (${msText(test.threshold)}): real ${test.aboveA}/${rs.length}, lab ${test.aboveB}/${ls.length}; Fisher p=${test.p.toExponential(1)} < ${ALPHA}` }];
  });
}

/** The first of TIME_PERCENTILES at which the quantile test tells real and lab times apart, or null. */
function distributionProblem(outcome: string, rs: readonly number[], ls: readonly number[]): string | null {
  const alpha = ALPHA / TIME_PERCENTILES.length;
  for (const p of TIME_PERCENTILES) {
    const test = quantileTest(rs, ls, p);
    if (test.p >= alpha) continue;
    return `AUTH→reply time of ${outcome} (${Math.round(p * 100)}th percentile): real ${percentilesText(rs)}, lab ${percentilesText(ls)} (50th / 75th / 90th); `
      + `above the pooled ${Math.round(p * 100)}th percentile (${msText(test.threshold)}): real ${test.aboveA}/${rs.length}, lab ${test.aboveB}/${ls.length}; Fisher p=${test.p.toExponential(1)} < ${alpha.toPrecision(2)}`;
  }
  return null;
}

function close(r: number, l: number): boolean {
  return Math.abs(l - r) <= TIME_RESOLUTION_MS || Math.max(l, r) / Math.max(Math.min(l, r), 1e-9) <= TIME_RATIO;
}

function firstDifference(real: readonly string[], lab: readonly string[]): string | null {
  for (let i = 0; i < Math.max(real.length, lab.length); i++) {
    if (real[i] !== lab[i]) return `#${i + 1}: real ${JSON.stringify(real[i] ?? '(none)')}, lab ${JSON.stringify(lab[i] ?? '(none)')}`;
  }
  return null;
}

function exactProblems(c: ConformanceCase, real: SideOutcome, lab: SideOutcome): string[] {
  const problems: string[] = [];
  const authDiff = firstDifference(real.sessions.map((s) => String(s.authReply)), lab.sessions.map((s) => String(s.authReply)));
  if (authDiff) problems.push(`AUTH reply ${authDiff}`);
  const outcomes = (side: SideOutcome) => side.sessions.map(outcomeClass).sort().join(' ');
  if (!authDiff && outcomes(real) !== outcomes(lab)) problems.push(`session outcomes: real ${outcomes(real)}, lab ${outcomes(lab)}`);
  if (real.backendConnections !== lab.backendConnections) problems.push(`backend connections: real ${real.backendConnections}, lab ${lab.backendConnections}`);
  if (c.client.mail) {
    const replyDiff = firstDifference(real.sessions[0]?.replies ?? [], lab.sessions[0]?.replies ?? []);
    if (replyDiff) problems.push(`client reply ${replyDiff}`);
    const logDiff = firstDifference(real.smtpdLog, lab.smtpdLog);
    if (logDiff) problems.push(`postfix log ${logDiff}`);
  } else if (losses(real) !== losses(lab)) {
    problems.push(`improper-pipelining lines: real ${losses(real)}, lab ${losses(lab)}`);
  }
  return problems;
}

/**
 * A racy case is judged on its rates only when the lab runs with the scheduling measured for
 * that very batch (c.labValues from a recorded capture, or real.measured from a live run's): the real rate follows the machine's load
 * (records/calibration: 21 % to 73 % answered first within minutes), so a batch recorded
 * without a capture has no calibration to predict it from. Such a case's rate and outcome tests
 * are still computed and printed as notes; its accounting and times are judged.
 */
export function compareCase(c: ConformanceCase, real: SideOutcome, lab: SideOutcome): Verdict {
  const problems: string[] = [];
  const notes: string[] = [];
  if (c.racy) {
    if (c.labValues || real.measured?.scheduling) problems.push(...raceProblems(real, lab), ...(real.steps && lab.steps ? stepProblems(real.steps, lab.steps) : []));
    else notes.push(...raceProblems(real, lab).map((p) => `(not judged: no capture of this batch's scheduling) ${p}`));
    problems.push(...(['real', 'lab'] as const).flatMap((label) => accountingProblem(label, c, label === 'real' ? real : lab) ?? []));
  } else {
    problems.push(...exactProblems(c, real, lab));
  }
  const times = timeProblems(c, real, lab);
  problems.push(...times.judged);
  notes.push(...times.notJudged);
  const m = real.measured;
  if (m?.firstBannerMs !== undefined || m?.scheduling || m?.authPhaseUs !== undefined) {
    const scheduling = Object.entries(m.scheduling ?? {}).map(([k, v]) => `${k.replace(/^sim\./, '')}=${v}`).join(' ');
    const phase = m.authPhaseUs === undefined ? '' : `AUTH at ${m.authPhaseUs} µs into its second`;
    notes.push(`(lab input from the run's capture) ${[m.firstBannerMs === undefined ? '' : `first banner ${m.firstBannerMs} ms`, phase, scheduling].filter(Boolean).join('; ')}`);
  }
  return { match: problems.length === 0, real: summarise(real), lab: summarise(lab), problems, notes };
}
