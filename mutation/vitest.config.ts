/* vitest config for mutation runs - only the suites that exercise the mutated models in-process */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Left out, because each run of them costs seconds to minutes and none reaches the mutated
// sequencing code except through the same models the in-process suites already drive:
// the browser and viewer tests (Chromium), the CLI tests (subprocesses), the socket runtime and
// mixed-topology tests (real sockets on fixed ports, which two Stryker workers would fight over),
// and everything that needs the real Postfix/Dovecot stack.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: [
      'test/models/**/*.test.ts',
      'test/sim/**/*.test.ts',
      'test/properties/**/*.test.ts',
      'test/scenarios/**/*.test.ts',
      'test/conformance/recorded.test.ts',
      'test/conformance/transcripts.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
