/* releases - fast-check builder of the Postfix and front releases a trace runs on
 *
 * Only for a property that holds on every release (release-scope.ts), among the candidates it
 * computed for the scenario. Each of the three is the scenario's own release in half the traces
 * and shrinks there, so a counterexample names another release only when the scenario's own
 * would not fail, and the search for the bug, which needs no particular release, keeps its
 * speed (the candidates of 'bug-exists' are releases that have it).
 */
import fc from 'fast-check';
import type { ReleaseCandidates, ReleaseChoice } from '../release-scope.ts';

function oneOf(others: readonly string[]): fc.Arbitrary<string | undefined> {
  if (others.length === 0) return fc.constant(undefined);
  return fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...others) });
}

/** The releases of a trace: undefined when all are the scenario's own. */
export function releaseDraw(candidates: ReleaseCandidates): fc.Arbitrary<ReleaseChoice | undefined> {
  return fc.tuple(oneOf(candidates.postfix), oneOf(candidates.front), oneOf(candidates.mailu)).map(([postfix, front, mailu]) => {
    if (postfix === undefined && front === undefined && mailu === undefined) return undefined;
    return {
      ...(postfix === undefined ? {} : { 'postfix.mail_version': postfix }),
      ...(front === undefined ? {} : { 'front.version': front }),
      ...(mailu === undefined ? {} : { 'auth.mailu_version': mailu }),
    };
  });
}
