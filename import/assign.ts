/* assign - a scenario key set from a configuration line, checked against the key table
 *
 * The key table (scenarios/keys.ts) decides what a value may be; a value it refuses is reported
 * at the line that gave it, so the user fixes the configuration, not the scenario.
 */
import { parseKeyText, ScenarioError, type ScenarioKey } from '../scenarios/index.ts';
import type { KeyAssignment } from './entries.ts';
import { ConfigError, type Setting } from './source.ts';

export function assign(key: ScenarioKey, text: string, setting: Setting, note = ''): KeyAssignment {
  try {
    return { key, value: parseKeyText(key, text), setting, note };
  } catch (error) {
    if (error instanceof ScenarioError) throw new ConfigError(setting.where, `${setting.name} = ${setting.value}: ${error.message}`);
    throw error;
  }
}

/** Run a daemon model's own value parser on a setting; its refusal becomes an error at the setting's line. */
export function parsedBy<T>(setting: Setting, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(setting.where, (error as Error).message);
  }
}
