/* common-options - the options every scenario command shares: --scenario, --set, --seed, --json */
import { loadScenario, type Scenario } from '../scenarios/index.ts';
import { integerOption } from './args.ts';

export const scenarioOptions = {
  scenario: { type: 'string' },
  set: { type: 'string', multiple: true },
  seed: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const SCENARIO_USAGE = [
  '  --scenario NAME|FILE  built-in scenario or a JSON scenario file (default mailu-2024.06)',
  '  --set KEY=VALUE       override one scenario key (repeatable); `smtp-lab keys` lists them',
  '  --seed N              the seed (default 1); the same seed gives the same run',
  '  --json                machine-readable output',
].join('\n');

export interface ScenarioChoice {
  readonly scenario: Scenario;
  /** As given, for replay tokens. */
  readonly scenarioName: string;
  readonly sets: readonly string[];
  readonly seed: number;
  readonly json: boolean;
}

export function scenarioChoice(values: { scenario?: string; set?: string[]; seed?: string; json?: boolean }, defaultScenario = 'mailu-2024.06'): ScenarioChoice {
  const scenarioName = values.scenario ?? defaultScenario;
  const sets = values.set ?? [];
  return {
    scenario: loadScenario({ scenario: scenarioName, sets }),
    scenarioName,
    sets,
    seed: integerOption('seed', values.seed, 1, 0, 0x7fffffff),
    json: values.json ?? false,
  };
}
