/* dovecot-differential-main - many generated sessions on the real stack and in the lab, every distinct disagreement once
 *
 * usage (root, the real daemons installed): npx tsx conformance/dovecot-differential-main.ts SESSIONS SEED
 * Prints each distinct first disagreement (a known one by its id, conformance/dovecot-differential-known.ts)
 * with how often it came and the first session that showed it, then a summary line. Exits 0 when
 * every disagreement is a known one, 1 otherwise, 2 on bad arguments or when the stack cannot run.
 * This is how the known list was made (300 sessions at seeds 1, 3, 5, 7 and 11); the test runs 120.
 */
import fc from 'fast-check';
import { RealStack, realStackMissing } from './real-stack.ts';
import { DIFFERENTIAL_REAL_SETTING, describeDisagreement, firstDisagreement, runLabSession, runRealSessions, sessionKey } from './dovecot-differential.ts';
import { knownDisagreement } from './dovecot-differential-known.ts';
import { dovecotSession } from './dovecot-differential-session.ts';

const [countText, seedText] = process.argv.slice(2);
const count = Number(countText);
const seed = Number(seedText);
if (!Number.isInteger(count) || count < 1 || count > 100_000 || !Number.isInteger(seed)) {
  console.error(`usage: dovecot-differential-main SESSIONS SEED (SESSIONS 1-100000, SEED an integer), got '${countText}' '${seedText}'`);
  process.exit(2);
}
const missing = realStackMissing();
if (missing) {
  console.error(`real stack unavailable: ${missing}`);
  process.exit(2);
}

const sessions = fc.sample(dovecotSession, { seed, numRuns: count });
const stack = await RealStack.start({ netns: null });
let unknown = 0;
try {
  await stack.configure(DIFFERENTIAL_REAL_SETTING);
  const real = await runRealSessions(stack, sessions, 12);
  const seen = new Map<string, { count: number; lines: readonly string[] }>();
  for (const lines of sessions) {
    const d = firstDisagreement(lines, real.get(sessionKey(lines))!, runLabSession(lines, 1));
    if (d === null) continue;
    const known = knownDisagreement(d);
    if (known === null) unknown++;
    const key = known?.id ?? describeDisagreement(d);
    const entry = seen.get(key) ?? { count: 0, lines };
    seen.set(key, { ...entry, count: entry.count + 1 });
  }
  for (const [key, { count: n, lines }] of seen) console.log(`${n}× ${key}\n   first in ${JSON.stringify(lines)}`);
  console.log(`${sessions.length} sessions at seed ${seed}: ${seen.size} distinct disagreements, ${unknown} sessions with an unlisted one`);
} finally {
  await stack.stop();
}
process.exit(unknown === 0 ? 0 : 1);
