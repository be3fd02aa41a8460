/* keys - list every scenario key with its allowed values, default and meaning (the table in scenarios/keys.ts) */
import type { Command } from '../command.ts';
import { EXIT_OK } from '../command.ts';
import { parseOptions } from '../args.ts';
import { allowedValues, BUILTIN_SCENARIOS, SCENARIO_KEYS } from '../../scenarios/index.ts';

export const keys: Command = {
  name: 'keys',
  usage: 'usage: smtp-lab keys [--json]\n\nLists every scenario key with its allowed values, default and meaning, then the built-in scenarios.',
  async run(args) {
    const { values } = parseOptions(args, { json: { type: 'boolean' } });
    const rows = SCENARIO_KEYS.map((spec) => ({
      key: spec.name,
      allowed: allowedValues(spec.type),
      default: typeof spec.default === 'function' ? '(derived)' : String(spec.default),
      description: spec.description,
    }));
    if (values.json) {
      console.log(JSON.stringify({ keys: rows, scenarios: BUILTIN_SCENARIOS.map(({ name, description, values: v }) => ({ name, description, values: v })) }, null, 2));
      return EXIT_OK;
    }
    for (const row of rows) console.log(`${row.key}\n    ${row.description}\n    allowed: ${row.allowed}; default: ${row.default}`);
    console.log('\nbuilt-in scenarios:');
    for (const s of BUILTIN_SCENARIOS) console.log(`  ${s.name.padEnd(22)} ${s.description}`);
    return EXIT_OK;
  },
};
