/* values - checks one key's value against the key table, from JSON or from `--set` text
 *
 * JSON values keep their JSON type: a number key takes a JSON number or a numeric string,
 * every other key takes a string. `--set` values are always text and are converted here.
 * Every refusal names the key and its allowed values.
 */
import { ScenarioError } from './errors.ts';
import { allowedValues, keySpec, RETIRED_KEYS, SCENARIO_KEYS, type KeySpec, type ScenarioValue } from './keys.ts';

function unknownKey(name: string): ScenarioError {
  const retired = RETIRED_KEYS.get(name);
  if (retired !== undefined) return new ScenarioError(`scenario key '${name}' was retired: ${retired}`, name);
  return new ScenarioError(`unknown scenario key '${name}'; known keys: ${SCENARIO_KEYS.map((k) => k.name).join(', ')}`, name);
}

function badValue(spec: KeySpec, shown: string): ScenarioError {
  return new ScenarioError(`${spec.name}: ${shown} is not allowed; allowed values: ${allowedValues(spec.type)}`, spec.name);
}

const DECIMAL = /^\d+(\.\d+)?$/;

function checkNumber(spec: KeySpec, value: number, shown: string): number {
  const { type } = spec;
  if (type.kind !== 'integer' && type.kind !== 'number') throw badValue(spec, shown);
  if (!Number.isFinite(value) || value < type.min || value > type.max) throw badValue(spec, shown);
  if (type.kind === 'integer' && !Number.isInteger(value)) throw badValue(spec, shown);
  return value;
}

function checkText(spec: KeySpec, text: string): ScenarioValue {
  const { type } = spec;
  const shown = `'${text}'`;
  switch (type.kind) {
    case 'enum':
      if (!type.values.includes(text)) throw badValue(spec, shown);
      return text as ScenarioValue;
    case 'text': {
      if (!type.pattern.test(text)) throw badValue(spec, shown);
      const problem = type.problem?.(text);
      if (problem) throw new ScenarioError(`${spec.name}: ${shown} is not allowed: ${problem}; allowed values: ${type.allowed}`, spec.name);
      return text;
    }
    case 'integer':
    case 'number':
      if (!DECIMAL.test(text.trim())) throw badValue(spec, shown);
      return checkNumber(spec, Number(text.trim()), shown);
  }
}

/** The key's spec, or a ScenarioError listing the known keys. */
export function requireKey(name: string): KeySpec {
  const spec = keySpec(name);
  if (spec === undefined) throw unknownKey(name);
  return spec;
}

/** A `--set` value (always text). */
export function parseKeyText(name: string, text: string): ScenarioValue {
  return checkText(requireKey(name), text);
}

/** A value from a JSON scenario file. */
export function checkKeyJson(name: string, value: unknown): ScenarioValue {
  const spec = requireKey(name);
  if (typeof value === 'string') return checkText(spec, value);
  if (typeof value === 'number') return checkNumber(spec, value, String(value));
  const type = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  throw new ScenarioError(`${name}: expected ${spec.type.kind === 'integer' || spec.type.kind === 'number' ? 'a number' : 'a string'}, got ${type} (${JSON.stringify(value)}); allowed values: ${allowedValues(spec.type)}`, name);
}

/** `key=value` from the command line. */
export function parseAssignment(assignment: string): [string, ScenarioValue] {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new ScenarioError(`--set '${assignment}': expected key=value, e.g. --set tcp.profile=quickack`);
  const name = assignment.slice(0, eq).trim();
  return [name, parseKeyText(name, assignment.slice(eq + 1))];
}
