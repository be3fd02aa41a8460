/* dovecot-differential - one generated client session against the real Dovecot → Postfix and against the lab
 *
 * Real side: the stack RealStack starts (Debian's Dovecot 2.3.19.1+deb12u7 submission-login with the lab's Lua
 * passdb, Postfix 3.7.11; conformance/real-stack/config.ts), played by a lock-step socket client
 * (./dovecot-differential-client.ts). Lab side: the built-in scenario `real-stack` in the
 * simulator with the same lines as its client script, one raw step per line, one group each.
 * Both run with smtpd_forbid_unauth_pipelining = no and the default TCP mode (REAL_STACK_SETS).
 * What is compared, and how: ./front-differential.ts, shared with the nginx differential.
 */
import { loadScenario, type Scenario } from '../scenarios/index.ts';
import { REAL_STACK_SETS, REAL_STACK_SETTING, runLabSessionOn, runRealSessionAt, runRealSessionsAt, type SessionOutcome } from './front-differential.ts';
import type { RealStack } from './real-stack.ts';

export { describeDisagreement, firstDisagreement, normaliseDifferentialReply, sessionKey, type Disagreement, type SessionOutcome } from './front-differential.ts';

/**
 * The `real-stack` overrides that make the lab the live stack the test runs (RealStack.configure with these);
 * the front is the installed package, Debian's build of 2.3.19.1 (models/front/releases.ts DOVECOT_BUILDS).
 */
export const DIFFERENTIAL_SETS = [...REAL_STACK_SETS, 'front.version=2.3.19.1+deb12u7'] as const;
export const DIFFERENTIAL_REAL_SETTING = REAL_STACK_SETTING;

/** The lab's scenario, built once. */
let scenario: Scenario | undefined;
function differentialScenario(): Scenario {
  scenario ??= loadScenario({ scenario: 'real-stack', sets: [...DIFFERENTIAL_SETS] });
  return scenario;
}

/** The session in the simulator. */
export function runLabSession(lines: readonly string[], seed: number): SessionOutcome {
  return runLabSessionOn(differentialScenario(), lines, seed);
}

/** The session on the real stack (started by the caller with DIFFERENTIAL_REAL_SETTING). */
export function runRealSession(stack: RealStack, lines: readonly string[]): Promise<SessionOutcome> {
  return runRealSessionAt(stack.ports.dovecot, lines);
}

/** The real outcome of each session, `concurrency` at a time. */
export function runRealSessions(stack: RealStack, sessions: readonly (readonly string[])[], concurrency: number): Promise<Map<string, SessionOutcome>> {
  return runRealSessionsAt(stack.ports.dovecot, sessions, concurrency);
}
