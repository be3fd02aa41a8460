/* representatives - the finite set of values the explorer tries for each named decision, and why
 *
 * A sampled run draws every decision from its whole range; an exploration restricts each one to
 * a few representatives and enumerates those. The first value of each list is the decision's
 * default: the nominal behaviour (no extra delay, the likelier outcome), which a schedule with
 * no deviation takes everywhere; each other value spends one deviation of the explorer's budget.
 * Integer decisions get the ends of their range: every delay in the model feeds a comparison
 * with another time (a timer against an arrival), so its extremes reach both sides of every
 * threshold the range contains; values in between reach one of the two orders too and are not
 * tried (the stated limit: two events whose order flips only in the middle of both ranges).
 * A name missing here makes the explorer throw: a new decision cannot go unexplored silently.
 */

export type IntegerRepresentatives = (min: number, max: number) => readonly number[];

interface DecisionRow {
  readonly why: string;
  /** Integer decisions: the values tried, default first. Absent: a yes/no decision (chance). */
  readonly integer?: IntegerRepresentatives;
}

const ends: IntegerRepresentatives = (min, max) => (min === max ? [min] : [min, max]);

/** The pieces of a two-piece uniform draw (decisions.ts twoPiece): min, median and max between them. */
const upperPiece = (what: string): DecisionRow => ({ why: `${what} at the median or above it: the maximum (the median is the lower piece's end)`, integer: (_min, max) => [max] });
const lowerPiece = (what: string): DecisionRow => ({ why: `${what} at the minimum or the median`, integer: ends });

/** Exact names; `pickFaultParam:<fault>.<param>` decisions share the row of their prefix. */
export const DECISIONS: Readonly<Record<string, DecisionRow>> = {
  pickEphemeralPort: {
    why: 'symmetric: no model branches on a port number; ports appear only as text (XCLIENT PORT=, PROXY headers, log lines) and every port of the range has five digits, so no line changes length; each connection takes the lowest free port',
    integer: (min) => [min],
  },
  delackSlackUs: { why: 'delayed-ACK timer at TCP_DELACK_MIN exactly or at the end of the jiffy/timer slack', integer: ends },
  schedulingDelayUs: { why: 'a timer fires on time or as late as the scheduling jitter allows', integer: ends },
  jitterUs: { why: 'a segment takes the fault\'s fixed latency or its full jitter on top', integer: ends },
  shouldWakeePreempt: { why: 'the woken process runs first or the writer continues (sim/wakeup.ts)' },
  sessionUnderLoad: { why: 'the session runs on a quiet or a busy machine (sim/wakeup.ts)' },
  'wakeupLatencyUs:inUpperPiece': { why: 'the wake-up latency in its lower piece (minimum to median) or its upper one (median to maximum)' },
  'wakeupLatencyUs:upperPiece': upperPiece('wake-up latency'),
  'wakeupLatencyUs:lowerPiece': lowerPiece('wake-up latency'),
  sessionInLoadBurst: { why: 'the session runs outside or inside a burst of load, when woken processes wait more often (sim/run-queue.ts)' },
  shouldWaitInRunQueue: { why: 'the woken process runs at once or waits for a CPU behind other tasks (sim/run-queue.ts)' },
  'runQueueWaitUs:piece': { why: 'the run-queue wait\'s first piece (from its shortest wait) or its last (to its longest): the pieces between lie inside their range', integer: ends },
  'runQueueWaitUs:inPiece': { why: 'the run-queue wait at either end of its piece: the first piece\'s ends are the shortest wait and the next quantile, the last piece\'s the quantile before the longest and the longest', integer: ends },
  wallClockPhaseUs: {
    why: 'the run starts on a whole second or half a second later: whatever instant a daemon compares in whole seconds (Dovecot\'s failure queue: the 535 after 2 s or 1.5 s), one of two phases half a second apart puts it in the first half of its second and the other in the second half; the ends of the range would both put an early instant in the first half',
    integer: (min) => [min, min + 500_000],
  },
  shouldSplitWrite: { why: 'the slicer leaves this write whole or splits it (which write a fault hits)' },
  slicePieces: { why: 'two pieces: one cut point is the smallest split that makes a partial command; more pieces repeat the same question', integer: (min) => [min] },
  splitPoint: { why: 'cut after the first byte, in the middle, or before the last byte (a command without its final LF)', integer: (min, max) => [...new Set([min, Math.floor((min + max) / 2), max])] },
  pickFaultParam: { why: 'a fault parameter drawn per connection: the ends of its range', integer: ends },
  simultaneousEvents: {
    why: 'which of several dependent events due at the same microsecond runs first (run-explorer.ts); queue order first',
    integer: (min, max) => Array.from({ length: max - min + 1 }, (_, i) => min + i),
  },
};

function rowOf(name: string): DecisionRow {
  const row = DECISIONS[name] ?? DECISIONS[name.split(':')[0] as string];
  if (!row) throw new Error(`decision '${name}' has no representatives in sim/explore/representatives.ts; add a row saying which values to try and why`);
  return row;
}

/** Values an integer decision takes, default first. */
export function integerRepresentatives(name: string, min: number, max: number): readonly number[] {
  const row = rowOf(name);
  if (!row.integer) throw new Error(`decision '${name}' is a yes/no decision in sim/explore/representatives.ts, but was asked for an integer`);
  return row.integer(min, max);
}

/** Values a yes/no decision takes, default (the likelier one; no on a tie) first; one value when the ratio forces it. */
export function chanceRepresentatives(name: string, numerator: number, denominator: number): readonly boolean[] {
  const row = rowOf(name);
  if (row.integer) throw new Error(`decision '${name}' is an integer decision in sim/explore/representatives.ts, but was asked for a yes/no`);
  if (numerator === 0) return [false];
  if (numerator === denominator) return [true];
  return 2 * numerator > denominator ? [true, false] : [false, true];
}
