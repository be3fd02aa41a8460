/* due-timers - when a process's own timers come due: whether it sleeps or keeps running
 *
 * The scheduling models (wakeup.ts, run-queue.ts) ask one question of a process: has it work of
 * its own due within one scheduler slice (it keeps running, or runs again at once), or does it
 * sleep until something wakes it? The simulator records every timer a node sets or cancels here.
 */
/**
 * One scheduler slice on the recorded machines, the scheduling models' unit of "at once":
 * sysctl_sched_base_slice = 0.75 ms scaled by 1 + ilog2(CPUs) (kernel/sched/fair.c,
 * SCHED_TUNABLESCALING_LOG) = 1.5 ms on the 2-CPU machines of the records.
 */
export const SCHED_SLICE_US = 1_500;

export class DueTimers {
  private readonly due = new Map<string, number>();

  /** A timer set to fire at `at`, or cancelled (null). */
  set(name: string, at: number | null): void {
    if (at === null) this.due.delete(name);
    else this.due.set(name, at);
  }

  /** A timer of this process due within one slice from `now`. */
  workWithinSlice(now: number): boolean {
    for (const at of this.due.values()) if (at < now + SCHED_SLICE_US) return true;
    return false;
  }
}
