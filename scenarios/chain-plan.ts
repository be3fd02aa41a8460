/* chain-plan - a scenario's chain as the simulator builds it: every component at the scenario's own address
 *
 * The socket runtime plans its own (runtime/topology.ts: loopback, ports the OS picks); both
 * hand their plan to the one builder, chain.ts.
 */
import type { ChainPlan } from './chain.ts';
import { FRONT_SCENARIOS } from './fronts.ts';
import { oncePerScenario } from './once-per-scenario.ts';
import type { Scenario } from './scenario.ts';
import { AUTH_PORT, POSTFIX_SMTP_PORT, POSTFIX_SUBMISSION_PORT, authConfigOf, frontAddress, hostsOf, postfixConfigOf } from './topology.ts';

/** The front's configuration already names these addresses (FRONT_SCENARIOS' configOf), and the simulator binds exactly them. */
export const chainPlanOf = oncePerScenario(function chainPlanOf(scenario: Scenario): ChainPlan {
  const hosts = hostsOf(scenario);
  const authAddress = { host: hosts.auth, port: AUTH_PORT };
  const kind = scenario.get('front.model');
  const frontConfig = FRONT_SCENARIOS[kind].configOf(scenario);
  return {
    postfix: { model: postfixConfigOf(scenario), host: hosts.postfix, ports: { authenticated: POSTFIX_SUBMISSION_PORT, unauthenticated: POSTFIX_SMTP_PORT } },
    auth: scenario.get('auth.fault') === 'refused' ? { refusedAt: authAddress } : { config: authConfigOf(scenario), address: authAddress },
    front: { kind, config: () => frontConfig, address: frontAddress(scenario) },
  };
});
