/* backend-failure - fast-check builder of a Postfix that fails at one handshake step (postfix.fail_*)
 *
 * Destructive, like the auth-service faults: only cases that allow faults that break a session draw
 * one (`faults: 'any'`), and most of those draw none, so shrinking lands on a healthy backend. The
 * failure is a refusal with the codes a real smtpd gives when it cannot go on (421 shutting down,
 * 451 a local error, 554 a policy refusal) or a disconnect, in every session or only the first (a
 * reconnecting front then meets a healthy smtpd). A stall is not drawn: smtpd then holds its
 * connection until its 18000 s watchdog, past the liveness bound, as the real one would.
 */
import fc from 'fast-check';
import { FAIL_STEPS } from '../../models/postfix/injected-failure.ts';
import type { ScenarioValues } from '../../scenarios/index.ts';

export type BackendFailureChoice = Partial<Pick<ScenarioValues, 'postfix.fail_at' | 'postfix.fail_reply' | 'postfix.fail_sessions'>>;

const REPLIES = ['421 4.3.2 Service shutting down', '451 4.3.0 Error: queue file write error', '554 5.7.1 Error: access denied', 'disconnect'];

export function backendFailure(allowed: boolean): fc.Arbitrary<BackendFailureChoice> {
  if (!allowed) return fc.constant({});
  return fc.oneof(
    { weight: 19, arbitrary: fc.constant<BackendFailureChoice>({}) },
    {
      weight: 1,
      arbitrary: fc.record({
        'postfix.fail_at': fc.constantFrom(...FAIL_STEPS),
        'postfix.fail_reply': fc.constantFrom(...REPLIES),
        'postfix.fail_sessions': fc.constantFrom(0, 1),
      }),
    },
  );
}
