/* import - public face: configuration files in, a scenario with its mapped, ignored and unsupported lists out */
export { importDeployment, type ImportOptions, type ImportResult } from './import-deployment.ts';
export { scenarioFileText } from './scenario-file.ts';
export { whereText, type Setting, type Where } from './source.ts';
export { FORMAT_NAMES } from './inputs.ts';
export type { AssumedEntry, ListedEntry, MappedEntry } from './entries.ts';
