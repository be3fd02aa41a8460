/* process-tree-cpu - CPU time used so far by a set of processes and everything they started
 *
 * Read from /proc (Linux): a process's utime + stime, plus cutime + cstime, the CPU of the
 * children it has already reaped. Summed over every live process below the roots, each CPU
 * tick is counted exactly once: a child that has exited and been waited for is no longer
 * listed, and its ticks sit in its parent's cutime instead (postfix's master and dovecot's
 * master reap their smtpd, cleanup, auth and login processes). So the difference of two
 * readings is what the daemons spent between them, whichever processes came and went.
 * Clock ticks are USER_HZ (100 per second on Linux), so a reading is good to 10 ms: measure
 * over enough work.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: the unit of the times in /proc/<pid>/stat (fixed at 100 on every architecture Node runs on). */
const TICKS_PER_SECOND = 100;

interface ProcessStat {
  readonly pid: number;
  readonly parent: number;
  readonly ticks: number;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses, so split after its last ')'). */
function parseStat(pid: number, text: string): ProcessStat | null {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); ppid is field 4, utime..cstime are fields 14..17 (proc(5)).
  const parent = Number(fields[1]);
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return Number.isFinite(parent) && Number.isFinite(ticks) ? { pid, parent, ticks } : null;
}

function liveProcesses(): ProcessStat[] {
  const stats: ProcessStat[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (stat) stats.push(stat);
    } catch {
      // the process ended between the listing and the read: its ticks are now its parent's
    }
  }
  return stats;
}

/** CPU milliseconds used by the processes `roots` and all their descendants, live or reaped. */
export function processTreeCpuMs(roots: readonly number[]): number {
  const all = liveProcesses();
  const children = new Map<number, ProcessStat[]>();
  for (const stat of all) {
    const siblings = children.get(stat.parent);
    if (siblings) siblings.push(stat);
    else children.set(stat.parent, [stat]);
  }
  const inTree = new Set<number>();
  let ticks = 0;
  const pending = all.filter((stat) => roots.includes(stat.pid));
  while (pending.length > 0) {
    const stat = pending.pop()!;
    if (inTree.has(stat.pid)) continue;
    inTree.add(stat.pid);
    ticks += stat.ticks;
    pending.push(...(children.get(stat.pid) ?? []));
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
