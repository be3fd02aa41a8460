/* process-tree-cpu - the daemons' CPU reading counts live descendants and the ones already reaped */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { processTreeCpuMs } from '../../bench/process-tree-cpu.ts';

/** A shell that runs a grandchild burning about `ms` of CPU, then waits for a line on stdin before exiting. */
function shellWithBusyChild(ms: number) {
  const busy = `node -e "const end = process.cpuUsage().user + ${ms * 1000}; while (process.cpuUsage().user < end);"`;
  return spawn('sh', ['-c', `${busy}; echo done; read line`], { stdio: ['pipe', 'pipe', 'inherit'] });
}

describe('processTreeCpuMs', () => {
  it('counts a grandchild that has exited and been reaped (its CPU is in the parent shell\'s cutime)', async () => {
    const shell = shellWithBusyChild(400);
    try {
      await once(shell.stdout!, 'data');
      // The node grandchild has ended and the shell has waited for it: only cutime holds its CPU.
      expect(processTreeCpuMs([shell.pid!])).toBeGreaterThanOrEqual(350);
    } finally {
      shell.stdin!.end('\n');
      await once(shell, 'exit');
    }
  });

  it('counts nothing for processes that are not there, and only the named trees', () => {
    expect(processTreeCpuMs([])).toBe(0);
    expect(processTreeCpuMs([2 ** 31 - 1])).toBe(0);
  });

  it('grows with the CPU a live process uses', () => {
    const before = processTreeCpuMs([process.pid]);
    const end = process.cpuUsage().user + 100_000;
    while (process.cpuUsage().user < end);
    expect(processTreeCpuMs([process.pid]) - before).toBeGreaterThanOrEqual(80);
  });
});
