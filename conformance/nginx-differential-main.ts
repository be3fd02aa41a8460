/* nginx-differential-main - many generated sessions through the real nginx and in the lab, every distinct disagreement once
 *
 * usage (root, nginx and the real stack installed): npx tsx conformance/nginx-differential-main.ts SESSIONS SEED
 * (./front-differential-survey.ts: what it prints, its exit codes).
 */
import { realStackMissing } from './real-stack.ts';
import { nginxSession } from './nginx-differential-session.ts';
import { surveyMain } from './front-differential-survey.ts';
import { NginxDifferentialStack, runNginxLabSession } from './nginx-differential.ts';
import { KNOWN_NGINX_DISAGREEMENTS } from './nginx-differential-known.ts';
import { nginxMissing } from './nginx-differential-real.ts';

await surveyMain(
  {
    name: 'nginx-differential-main',
    missing: () => realStackMissing() ?? nginxMissing(),
    sessions: nginxSession,
    known: KNOWN_NGINX_DISAGREEMENTS,
    realOutcomes: async (sessions) => {
      const real = await NginxDifferentialStack.start();
      try {
        return await real.runSessions(sessions, 12);
      } finally {
        await real.stop();
      }
    },
    lab: (lines) => runNginxLabSession(lines, 1),
  },
  process.argv.slice(2),
);
