/* real-stack-env - whether tests that need the real daemons run here
 *
 * They need root and the Debian packages (.ci/install-real-stack.sh). Without them the tests
 * are skipped, unless SMTP_LAB_REQUIRE_REAL_STACK=1 (CI), where a missing stack is a failure.
 */
import { realStackMissing } from '../../conformance/real-stack.ts';

export const realStackSkipReason: string | null = (() => {
  const why = realStackMissing();
  if (why && process.env.SMTP_LAB_REQUIRE_REAL_STACK === '1') throw new Error(`real stack required but ${why}`);
  return why;
})();
