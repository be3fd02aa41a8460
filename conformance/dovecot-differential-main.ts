/* dovecot-differential-main - many generated sessions on the real stack and in the lab, every distinct disagreement once
 *
 * usage (root, the real daemons installed): npx tsx conformance/dovecot-differential-main.ts SESSIONS SEED
 * (./front-differential-survey.ts: what it prints, its exit codes). The known list
 * (conformance/dovecot-differential-known.ts) was made from 300 sessions at seeds 1, 3, 5, 7 and 11; the test runs 120.
 */
import { RealStack, realStackMissing } from './real-stack.ts';
import { DIFFERENTIAL_REAL_SETTING, runLabSession, runRealSessions } from './dovecot-differential.ts';
import { KNOWN_DOVECOT_DISAGREEMENTS } from './dovecot-differential-known.ts';
import { dovecotSession } from './dovecot-differential-session.ts';
import { surveyMain } from './front-differential-survey.ts';

await surveyMain(
  {
    name: 'dovecot-differential-main',
    missing: realStackMissing,
    sessions: dovecotSession,
    known: KNOWN_DOVECOT_DISAGREEMENTS,
    realOutcomes: async (sessions) => {
      const stack = await RealStack.start({ netns: null });
      try {
        await stack.configure(DIFFERENTIAL_REAL_SETTING);
        return await runRealSessions(stack, sessions, 12);
      } finally {
        await stack.stop();
      }
    },
    lab: (lines) => runLabSession(lines, 1),
  },
  process.argv.slice(2),
);
