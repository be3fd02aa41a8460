/* port-lock - take 127.0.0.1:10025 for one test at a time across vitest workers
 *
 * Mailu's auth service sends every backend connection to port 10025 (models/auth,
 * runtime/topology.ts BACKEND_PORT), so any test that serves a scenario binds it. A directory
 * made with mkdir is the lock (mkdir is atomic); it holds the owner's pid so a lock left by a
 * killed run is taken over. Waiting is bounded: after `waitMs` the caller gets an error.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 200;

export async function withPortLock<T>(port: number, body: () => Promise<T>, waitMs = 120_000): Promise<T> {
  const dir = join(tmpdir(), `smtp-lab-port-${port}.lock`);
  for (let waited = 0; ; waited += POLL_MS) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await ownerIsGone(dir)) await rm(dir, { recursive: true, force: true });
      else if (waited >= waitMs) throw new Error(`port ${port} stayed locked by another test for ${waitMs} ms (${dir})`);
      else await sleep(POLL_MS);
    }
  }
  try {
    return await body();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function ownerIsGone(dir: string): Promise<boolean> {
  const pid = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => 'NaN'));
  if (!Number.isInteger(pid)) return false; // being created right now
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}
