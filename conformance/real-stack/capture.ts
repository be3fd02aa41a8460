/* capture - tcpdump on the loopback of the stack's namespace, for the duration of a run
 *
 * The capture holds the client side (Dovecot's submission port) and the backend side
 * (Postfix's smtpd port) of every session. Starting waits until tcpdump says it is listening,
 * so no SYN of the run is missed; stopping sends SIGINT so tcpdump flushes the file.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RealStackPorts } from './config.ts';

export interface Capture {
  stop(): Promise<void>;
}

export async function startCapture(options: { netns: string; file: string; ports: RealStackPorts; snapBytes?: number }): Promise<Capture> {
  const filter = `tcp port ${options.ports.dovecot} or tcp port ${options.ports.postfix}`;
  // --immediate-mode: without it libpcap takes packets from the kernel in blocks that are handed
  // over up to a second late, and SIGINT ends the capture without the last block's packets.
  const tcpdump = spawn('ip', ['netns', 'exec', options.netns, 'tcpdump', '-i', 'lo', '--immediate-mode', '-U', '-s', String(options.snapBytes ?? 0), '-w', options.file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  tcpdump.stderr.setEncoding('utf8').on('data', (text: string) => (said += text));
  const closed = new Promise<void>((resolve) => tcpdump.once('close', () => resolve()));
  for (let i = 0; i < 100 && !said.includes('listening on') && tcpdump.exitCode === null; i++) await sleep(100);
  if (!said.includes('listening on')) {
    tcpdump.kill('SIGKILL');
    await closed;
    throw new Error(`tcpdump did not start capturing: ${said.trim() || 'no message within 10 s'}`);
  }
  return {
    async stop() {
      tcpdump.kill('SIGINT');
      await closed;
    },
  };
}
