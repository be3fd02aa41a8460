/* burst-by-load - the run-queue burst's share of sessions in each load state of the race
 *
 * The captures tie waits and lost races per batch (sim/run-queue.ts says how): so the lab draws
 * a session's burst of load with the chance of its load state (wakeup.ts sessionUnderLoad), and
 * this fits the two chances from the same capture. A session's two latent states, its load L
 * (busy or idle) and its burst B, are fitted jointly to what it shows: its raced backend
 * connections (w answered first, l not) and its single-wake-up steps (n without a wait, m with):
 *
 *   Σ_L P(L) · P(w, l | L) · (β_L · P(n, m | burst) + (1 − β_L) · P(n, m | no burst))
 *
 * with P(L) and P(w, l | L) the race's session-load fit and P(n, m | B) the run-queue fit's wait
 * chances (fit.ts fitSessionLoad, both), held as fitted; the two burst chances β_busy and β_idle
 * maximise the likelihood over all sessions (a 1 ‰ grid, per-mille-grid.ts). A load state with
 * no sessions (the load fit put none in it) says nothing about its β: it takes the other one's.
 */
import type { SessionLoad } from './fit.ts';
import { maximizeOnPerMilleGrid } from './per-mille-grid.ts';

export interface SessionEvidence {
  /** Its raced backend connections, in order: answered first by Postfix (true) or not. */
  readonly raced: readonly boolean[];
  /** Its single-wake-up steps: waited in the run queue (true) or not. */
  readonly waited: readonly boolean[];
}

export interface BurstByLoad {
  /** Per mille of busy sessions in a burst (sim.run_queue_busy_burst_per_mille). */
  readonly busy: number;
  /** Per mille of idle sessions in a burst (sim.run_queue_idle_burst_per_mille). */
  readonly idle: number;
}

/**
 * `load`: the race's session load; `bursts`: the run-queue's, in the same form (its busy state
 * the burst, its preempt chances the chances of a step without a wait).
 */
export function fitBurstByLoad(sessions: readonly SessionEvidence[], load: SessionLoad, bursts: SessionLoad): BurstByLoad {
  const chance = (perMille: number, yes: number, no: number) => (perMille / 1000) ** yes * (1 - perMille / 1000) ** no;
  const terms = sessions.map(({ raced, waited }) => {
    const [w, m] = [raced.filter(Boolean).length, waited.filter(Boolean).length];
    const [l, n] = [raced.length - w, waited.length - m];
    return {
      busy: (load.busy / 1000) * chance(load.busyPreempt, w, l),
      idle: (1 - load.busy / 1000) * chance(load.idlePreempt, w, l),
      inBurst: chance(bursts.busyPreempt, n, m),
      outside: chance(bursts.idlePreempt, n, m),
    };
  });
  const logLikelihood = (busyBurst: number, idleBurst: number): number => {
    let sum = 0;
    for (const t of terms) {
      sum += Math.log(t.busy * (busyBurst * t.inBurst + (1 - busyBurst) * t.outside) + t.idle * (idleBurst * t.inBurst + (1 - idleBurst) * t.outside) + 1e-300);
    }
    return sum;
  };
  const [busy, idle] = maximizeOnPerMilleGrid(2, ([b, i]) => logLikelihood(b! / 1000, i! / 1000));
  if (load.busy === 0) return { busy: idle!, idle: idle! };
  if (load.busy === 1000) return { busy: busy!, idle: busy! };
  return { busy: busy!, idle: idle! };
}
