/* once-per-scenario - memoise what is derived from a scenario (model configs, the client script)
 *
 * A resolved scenario is frozen (scenario.ts), so whatever is computed from it alone is the same
 * for every run of that scenario: build it once and share it (the models only read their
 * configuration and script). Besides saving the copies, sharing lets the models' per-config caches
 * (Postfix's parsed address lists) hit across runs. Weak, so a dropped scenario takes its values along.
 */
import type { Scenario } from './scenario.ts';

export function oncePerScenario<T>(build: (scenario: Scenario) => T): (scenario: Scenario) => T {
  const built = new WeakMap<Scenario, T>();
  return (scenario) => {
    let value = built.get(scenario);
    if (value === undefined) {
      value = build(scenario);
      built.set(scenario, value);
    }
    return value;
  };
}
