/* scenario-file - an import's scenario as the JSON file `--scenario FILE` reads (scenarios/load.ts)
 *
 * Only the keys the input set are written, in the key table's order, so the file says what the
 * configuration said and nothing more; every other key takes its default when the file is loaded,
 * which is what the import's "assumed" list shows.
 */
import { SCENARIO_KEYS, type ScenarioDefinition } from '../scenarios/index.ts';

export function scenarioFileText(definition: ScenarioDefinition): string {
  const values = Object.fromEntries(SCENARIO_KEYS.filter((spec) => spec.name in definition.values).map((spec) => [spec.name, definition.values[spec.name]]));
  return `${JSON.stringify({ name: definition.name, description: definition.description, values }, null, 2)}\n`;
}
