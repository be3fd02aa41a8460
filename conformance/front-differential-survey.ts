/* front-differential-survey - the command line of a front differential: many sessions, each distinct disagreement once
 *
 * usage (root, the real daemons installed): npx tsx conformance/<front>-differential-main.ts SESSIONS SEED
 * Prints each distinct first disagreement (a known one by its id) with how often it came and the
 * first session that showed it, then a summary line. Exits 0 when every disagreement is a known
 * one, 1 otherwise, 2 on bad arguments or when the real side cannot run. This is how each known
 * list was made.
 */
import fc from 'fast-check';
import { describeDisagreement, firstDisagreement, knownIn, sessionKey, type KnownDisagreement, type SessionOutcome } from './front-differential.ts';

export interface Survey {
  /** The script's name, for the usage line. */
  readonly name: string;
  /** Why the real side cannot run here, or null. */
  missing(): string | null;
  readonly sessions: fc.Arbitrary<string[]>;
  readonly known: readonly KnownDisagreement[];
  /** Start the real side, play every session, stop it. */
  realOutcomes(sessions: readonly string[][]): Promise<Map<string, SessionOutcome>>;
  lab(lines: readonly string[]): SessionOutcome;
}

export async function surveyMain(survey: Survey, argv: readonly string[]): Promise<never> {
  const [countText, seedText] = argv;
  const count = Number(countText);
  const seed = Number(seedText);
  if (!Number.isInteger(count) || count < 1 || count > 100_000 || !Number.isInteger(seed)) {
    console.error(`usage: ${survey.name} SESSIONS SEED (SESSIONS 1-100000, SEED an integer), got '${countText}' '${seedText}'`);
    process.exit(2);
  }
  const missing = survey.missing();
  if (missing) {
    console.error(`real side unavailable: ${missing}`);
    process.exit(2);
  }
  const sessions = fc.sample(survey.sessions, { seed, numRuns: count });
  const real = await survey.realOutcomes(sessions);
  let unknown = 0;
  const seen = new Map<string, { count: number; lines: readonly string[] }>();
  for (const lines of sessions) {
    const d = firstDisagreement(lines, real.get(sessionKey(lines))!, survey.lab(lines));
    if (d === null) continue;
    const known = knownIn(survey.known, d);
    if (known === null) unknown++;
    const key = known?.id ?? describeDisagreement(d);
    const entry = seen.get(key) ?? { count: 0, lines };
    seen.set(key, { ...entry, count: entry.count + 1 });
  }
  for (const [key, { count: n, lines }] of seen) console.log(`${n}× ${key}\n   first in ${JSON.stringify(lines)}`);
  console.log(`${sessions.length} sessions at seed ${seed}: ${seen.size} distinct disagreements, ${unknown} sessions with an unlisted one`);
  process.exit(unknown === 0 ? 0 : 1);
}
