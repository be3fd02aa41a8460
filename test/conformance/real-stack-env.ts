/* real-stack-env - whether tests that need the real daemons run here, and if not, why
 *
 * They need root and the Debian packages (.ci/install-real-stack.sh). Without them the tests
 * are skipped with a loud message naming what is missing, unless SMTP_LAB_REQUIRE_REAL_STACK=1
 * (CI), where a missing stack is a failure.
 */
import { realStackMissing } from '../../conformance/real-stack.ts';

export const realStackSkipReason: string | null = (() => {
  const why = realStackMissing();
  if (why && process.env.SMTP_LAB_REQUIRE_REAL_STACK === '1') throw new Error(`real stack required but ${why}`);
  if (why) {
    console.warn(
      `\n*** SKIPPING the tests that need the real Postfix and Dovecot: ${why}. Install them with ` +
        '.ci/install-real-stack.sh and run as root; set SMTP_LAB_REQUIRE_REAL_STACK=1 to make their absence a failure (CI does). ***\n',
    );
  }
  return why;
})();
