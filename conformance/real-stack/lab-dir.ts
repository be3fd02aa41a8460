/* lab-dir - a lab directory for one real-stack run: created fresh, configured, checked, removed
 *
 * Each run gets its own directory (queues, sockets, pid files, logs), so two runs on one machine,
 * or a run beside a `serve --backend real`, never share state. The daemons' users must reach into
 * it: Dovecot's login processes run as dovenull, Postfix's as postfix, deliveries as nobody.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LAB_DIRECTORIES, labFiles, type RealStackPorts } from './config.ts';

/** A new, empty lab directory under the system's temporary directory. */
export function createLab(): string {
  const lab = mkdtempSync(join(tmpdir(), 'smtp-lab-real-'));
  chmodSync(lab, 0o755);
  return lab;
}

export function removeLab(lab: string): void {
  rmSync(lab, { recursive: true, force: true });
}

/** Write the configuration for `ports` into `lab` and let Postfix and Dovecot check it. */
export function prepareLab(lab: string, ports: RealStackPorts): void {
  for (const dir of LAB_DIRECTORIES) mkdirSync(join(lab, dir), { recursive: true, mode: 0o755 });
  run('chown', ['postfix', join(lab, 'postfix-data')]);
  run('chown', ['nobody:nogroup', join(lab, 'mail')]);
  for (const [file, text] of Object.entries(labFiles(lab, ports))) {
    mkdirSync(dirname(join(lab, file)), { recursive: true });
    writeFileSync(join(lab, file), text, { mode: 0o644 });
  }
  run('postfix', ['-c', join(lab, 'postfix'), 'check']);
  run('doveconf', ['-c', join(lab, 'dovecot/dovecot.conf'), '-n']);
}

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error?.message || `exit ${result.status}`}`);
}
