/* scenario - a resolved scenario: every key has a checked value, and nothing changes it afterwards
 *
 * A definition names the keys it sets; resolution walks the key table in order, taking the
 * definition's value or the key's default (which may read the keys above it). The result
 * is frozen, so a scenario handed to a run is the scenario the run used.
 */
import { SCENARIO_KEYS, type ScenarioKey, type ScenarioValues } from './keys.ts';

export interface ScenarioDefinition {
  readonly name: string;
  readonly description: string;
  /** Keys this definition sets; every other key takes its default. Values are checked already. */
  readonly values: Readonly<Partial<ScenarioValues>>;
  /** Keys the user named (--set, a scenario file's own values); a built-in's keys are not (see Scenario.pinned). */
  readonly pinned?: readonly ScenarioKey[];
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly values: Readonly<ScenarioValues>;
  /** Keys whose value differs from the key's default, in table order (for reports and replay tokens). */
  readonly overrides: Readonly<Partial<ScenarioValues>>;
  /** Keys the definition gave (built-in, file or --set), default or not: generators leave these alone. */
  readonly given: ReadonlySet<ScenarioKey>;
  /**
   * Keys the user named (--set, a scenario file): a property that holds on every release draws
   * postfix.mail_version and front.version over a built-in scenario's, never over these
   * (properties/release-scope.ts).
   */
  readonly pinned: ReadonlySet<ScenarioKey>;
  get<K extends ScenarioKey>(key: K): ScenarioValues[K];
  /** For yes|no and on|off keys. */
  isOn(key: ScenarioKey): boolean;
}

export function resolveScenario(definition: ScenarioDefinition): Scenario {
  const resolved: Partial<Record<ScenarioKey, unknown>> = {};
  const defaults: Partial<Record<ScenarioKey, unknown>> = {};
  const overrides: Partial<Record<ScenarioKey, unknown>> = {};
  for (const spec of SCENARIO_KEYS) {
    const fallback = typeof spec.default === 'function' ? spec.default(resolved as Partial<ScenarioValues>) : spec.default;
    const given = definition.values[spec.name];
    const value = given ?? fallback;
    resolved[spec.name] = value;
    defaults[spec.name] = fallback;
    if (value !== fallback) overrides[spec.name] = value;
  }
  const values = Object.freeze(resolved) as Readonly<ScenarioValues>;
  return Object.freeze({
    name: definition.name,
    description: definition.description,
    values,
    overrides: Object.freeze(overrides) as Readonly<Partial<ScenarioValues>>,
    given: new Set(Object.keys(definition.values) as ScenarioKey[]),
    pinned: new Set(definition.pinned ?? []),
    get: <K extends ScenarioKey>(key: K): ScenarioValues[K] => values[key],
    isOn: (key: ScenarioKey): boolean => values[key] === 'yes' || values[key] === 'on',
  });
}

/** The definition that resolves to `scenario` again: its given keys with their values, and its pins. */
export function definitionOf(scenario: Scenario): ScenarioDefinition {
  const values = Object.fromEntries([...scenario.given].map((key) => [key, scenario.get(key)]));
  return { name: scenario.name, description: scenario.description, values: values as Partial<ScenarioValues>, pinned: [...scenario.pinned] };
}
