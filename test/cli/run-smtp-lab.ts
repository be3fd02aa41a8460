/* run-smtp-lab - the CLI as a separate process, the way a user runs it (for CLI tests and the tutorial) */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SMTP_LAB_BIN = fileURLToPath(new URL('../../bin/smtp-lab.js', import.meta.url));

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
}

/** Run the CLI as a user would, in `cwd`. */
export function runSmtpLab(args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SMTP_LAB_BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, exitCode });
    });
  });
}
