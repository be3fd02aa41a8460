/* load - turns `--scenario NAME|FILE` and `--set key=value`... into one resolved Scenario
 *
 * A scenario file is JSON:
 *   { "name": "slow-xclient", "description": "...", "base": "mailu-2024.06",
 *     "values": { "postfix.xclient_lookup_ms": 100, "tcp.profile": "quickack" } }
 * Every field is optional; "base" names a built-in scenario (default: none, the key defaults);
 * "name" defaults to the file name without ".json". `--set` overrides are applied last, in
 * order. Every mistake (missing file, broken JSON, unknown field or key, wrong type, bad
 * value) is a ScenarioError saying where and what is allowed.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BUILTIN_NAMES, builtinScenario } from './builtin.ts';
import { ScenarioError } from './errors.ts';
import { checkReleases } from './front-releases.ts';
import { checkFrontKeys } from './fronts.ts';
import type { ScenarioKey, ScenarioValues } from './keys.ts';
import { UNMODELLED_MAILU_RELEASES } from './mailu-releases.ts';
import { resolveScenario, type Scenario, type ScenarioDefinition } from './scenario.ts';
import { checkKeyJson, parseAssignment } from './values.ts';

export const DEFAULT_SCENARIO = 'mailu-2024.06';

const FILE_FIELDS = ['name', 'description', 'base', 'values'] as const;

export interface LoadOptions {
  /** A built-in scenario name or a path to a scenario file; default mailu-2024.06. */
  readonly scenario?: string;
  /** `key=value` overrides, applied in order after the scenario. */
  readonly sets?: readonly string[];
}

export function loadScenario(options: LoadOptions = {}): Scenario {
  const base = scenarioDefinition(options.scenario ?? DEFAULT_SCENARIO);
  const values: Partial<Record<ScenarioKey, unknown>> = { ...base.values };
  const pinned = new Set(base.pinned);
  for (const assignment of options.sets ?? []) {
    const [key, value] = parseAssignment(assignment);
    values[key as ScenarioKey] = value;
    pinned.add(key as ScenarioKey);
  }
  const scenario = resolveScenario({ ...base, values: values as Partial<ScenarioValues>, pinned: [...pinned] });
  checkFrontKeys(scenario);
  checkReleases(scenario);
  return scenario;
}

/** A built-in by name, else a scenario file by path. */
export function scenarioDefinition(nameOrPath: string): ScenarioDefinition {
  const builtin = builtinScenario(nameOrPath);
  if (builtin !== undefined) return builtin;
  const unmodelled = UNMODELLED_MAILU_RELEASES[nameOrPath];
  if (unmodelled !== undefined) throw new ScenarioError(`scenario '${nameOrPath}' is not offered: ${unmodelled}`);
  let text: string;
  try {
    text = readFileSync(nameOrPath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ScenarioError(`scenario '${nameOrPath}' is neither a built-in scenario (${BUILTIN_NAMES.join(', ')}) nor a readable file (${reason})`);
  }
  return parseScenarioFile(text, nameOrPath);
}

/** Line and column (1-based) of a character offset, for JSON errors. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const where = lineColumn(text, position ? Number(position[1]) : text.length);
    throw new ScenarioError(`scenario file ${source}: invalid JSON at ${where}: ${message.replace(/ in JSON at position \d+.*$/, '')}`);
  }
}

/** The definition in a scenario file's text; `source` names the file in messages. */
export function parseScenarioFile(text: string, source: string): ScenarioDefinition {
  const fail = (message: string, key: string | null = null): ScenarioError => new ScenarioError(`scenario file ${source}: ${message}`, key);
  const json = parseJson(text, source);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fail(`expected a JSON object with the fields ${FILE_FIELDS.join(', ')}`);
  const file = json as Record<string, unknown>;
  for (const field of Object.keys(file)) {
    if (!(FILE_FIELDS as readonly string[]).includes(field)) throw fail(`unknown field '${field}'; allowed fields: ${FILE_FIELDS.join(', ')}`);
  }
  for (const field of ['name', 'description', 'base'] as const) {
    if (file[field] !== undefined && typeof file[field] !== 'string') throw fail(`'${field}' must be a string, got ${JSON.stringify(file[field])}`);
  }
  const baseName = file.base as string | undefined;
  const base = baseName === undefined ? undefined : builtinScenario(baseName);
  if (baseName !== undefined && base === undefined) throw fail(`unknown base scenario '${baseName}'; built-in scenarios: ${BUILTIN_NAMES.join(', ')}`);
  const rawValues = file.values ?? {};
  if (typeof rawValues !== 'object' || rawValues === null || Array.isArray(rawValues)) throw fail(`'values' must be an object of key: value, got ${JSON.stringify(rawValues)}`);
  const values: Partial<Record<ScenarioKey, unknown>> = { ...base?.values };
  for (const [key, value] of Object.entries(rawValues)) {
    try {
      values[key as ScenarioKey] = checkKeyJson(key, value);
    } catch (error) {
      if (error instanceof ScenarioError) throw fail(error.message, error.key);
      throw error;
    }
  }
  return {
    name: (file.name as string | undefined) ?? basename(source).replace(/\.json$/i, ''),
    description: (file.description as string | undefined) ?? (base ? `${base.description}, changed by ${source}` : `defined in ${source}`),
    values: values as Partial<ScenarioValues>,
    pinned: Object.keys(rawValues) as ScenarioKey[],
  };
}
