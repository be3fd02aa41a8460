/* fronts - each front proxy as a scenario sees it: which keys it reads and how they configure it
 *
 * The scenario half of the front registry (models/front/registry.ts is the model half): the
 * simulator, the socket runtime and `smtp-lab keys` read the front of a scenario through this
 * table only. A scenario that gives a front.* key its front does not read is refused with the
 * fronts that do read it, rather than silently ignored.
 */
import type { Model, SocketAddress } from '../models/contract.ts';
import { FRONT_MODELS, frontModel, type DovecotFrontConfig, type FrontKind, type NginxFrontConfig } from '../models/front/index.ts';
import { ScenarioError } from './errors.ts';
import type { ScenarioKey } from './keys.ts';
import type { Scenario } from './scenario.ts';
import { dovecotConfigOf, nginxConfigOf } from './topology.ts';

export interface FrontScenarioRow {
  /** The front.* keys this front reads (front.model and front.port are every front's). */
  readonly keys: readonly ScenarioKey[];
  /** The front's configuration for `scenario` (its auth service at the scenario's own address). */
  configOf(scenario: Scenario): Partial<DovecotFrontConfig> | Partial<NginxFrontConfig>;
}

const EVERY_FRONT: readonly ScenarioKey[] = ['front.model', 'front.port'];
const DOVECOT: FrontScenarioRow = { keys: [...EVERY_FRONT, 'front.login_proxy_max_reconnects', 'front.login_proxy_timeout'], configOf: dovecotConfigOf };

export const FRONT_SCENARIOS = {
  'dovecot-2.3': DOVECOT,
  'dovecot-2.4': DOVECOT,
  lockstep: DOVECOT,
  nginx: { keys: [...EVERY_FRONT, 'front.smtp_auth', 'front.xclient'], configOf: nginxConfigOf },
} as const satisfies Readonly<Record<keyof typeof FRONT_MODELS, FrontScenarioRow>>;

/** The scenario's front model, asking the auth service at `authService` (default: the scenario's own address). */
export function frontOf(scenario: Scenario, authService?: SocketAddress): Model {
  const kind = scenario.get('front.model');
  const config = FRONT_SCENARIOS[kind].configOf(scenario);
  const model = frontModel(kind);
  return model.create(authService ? model.withAuthService(config, authService) : config);
}

/** Refuse front.* keys the scenario gave that its front does not read. */
export function checkFrontKeys(scenario: Scenario): void {
  const kind = scenario.get('front.model');
  const reads = FRONT_SCENARIOS[kind].keys;
  for (const key of scenario.given) {
    if (!key.startsWith('front.') || reads.includes(key)) continue;
    const readers = (Object.keys(FRONT_SCENARIOS) as FrontKind[]).filter((other) => FRONT_SCENARIOS[other].keys.includes(key));
    throw new ScenarioError(`${key} is a setting of ${readers.join(', ')}; this scenario's front is ${kind}, which reads ${reads.join(', ')}`, key);
  }
}
