/* update - write golden-traces.json from the current behaviour (npm run golden:update) */
import { writeFileSync } from 'node:fs';
import { GOLDEN_FILE, goldenTraces } from './golden-runs.ts';

const traces = goldenTraces();
writeFileSync(GOLDEN_FILE, `${JSON.stringify(traces, null, 1)}\n`);
const runs = Object.values(traces).reduce((sum, list) => sum + list.length, 0);
console.log(`golden-traces.json: ${runs} runs over ${Object.keys(traces).length} scenarios`);
