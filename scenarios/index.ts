/* scenarios - public face: the key table, built-ins, loading, and the client script of a scenario */
export { ScenarioError } from './errors.ts';
export { allowedValues, keySpec, SCENARIO_KEYS, type KeySpec, type KeyType, type ScenarioKey, type ScenarioValue, type ScenarioValues } from './keys.ts';
export { BUILTIN_NAMES, BUILTIN_SCENARIOS, builtinScenario } from './builtin.ts';
export { definitionOf, resolveScenario, type Scenario, type ScenarioDefinition } from './scenario.ts';
export { DEFAULT_SCENARIO, loadScenario, parseScenarioFile, scenarioDefinition, type LoadOptions } from './load.ts';
export { checkKeyJson, parseAssignment, parseKeyText } from './values.ts';
export { clientScriptOf } from './client-script.ts';
