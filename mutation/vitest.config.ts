/* vitest config for mutation runs - only the suites that exercise the mutated models in-process */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Which file runs first changes how long a mutant takes, never whether it is killed: Stryker stops
 * at the first failing test (bail 1) and runs every covering test of a survivor. Vitest's own order
 * is failed first, then the slowest; for mutants the quickest first finds a killer sooner (a unit
 * test of the model) than a property suite of whole chains does. Files not timed yet go last, smallest first.
 */
class QuickestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // [rank, weight]: failed, then passed by duration, then not yet timed by size.
    const cost = (file: TestSpecification): [number, number] => {
      const key = `${file.project.name}:${relative(this.ctx.config.root, file.moduleId)}`;
      const result = this.ctx.cache.getFileTestResults(key);
      if (result) return [result.failed ? 0 : 1, result.duration];
      return [2, this.ctx.cache.getFileStats(key)?.size ?? Number.MAX_SAFE_INTEGER];
    };
    const costs = new Map(files.map((file) => [file, cost(file)]));
    return [...files].sort((a, b) => {
      const [ca, cb] = [costs.get(a)!, costs.get(b)!];
      return ca[0] - cb[0] || ca[1] - cb[1];
    });
  }
}

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
    sequence: { sequencer: QuickestFirst },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
