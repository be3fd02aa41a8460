/* lab-case-text - a generated trace in a few lines a person reads (what the shrunk case is) */
import type { LabCase } from '../properties/lab-case.ts';
import { bytesToLatin1 } from '../models/contract.ts';
import { stepBytes } from '../models/client/index.ts';

function groupText(steps: LabCase['client']['groups'][number]['steps']): string {
  return steps
    .map((step) => (step.kind === 'message' ? `<message ${Buffer.byteLength(step.content)} B>` : bytesToLatin1(stepBytes(step)).replace(/\r\n$/, '')))
    .join(' | ');
}

export function describeLabCase(labCase: LabCase): string[] {
  const keys = Object.entries(labCase.overrides).map(([key, value]) => `${key}=${value}`);
  const faults = Object.entries(labCase.faults).flatMap(([hop, list]) => (list ?? []).map((fault: object) => `${hop}: ${JSON.stringify(fault)}`));
  const releases = Object.entries(labCase.releases ?? {}).map(([key, value]) => `${key}=${value}`);
  return [
    `seed ${labCase.seed}; ${keys.join(' ')}`,
    ...(releases.length > 0 ? [`on the drawn releases ${releases.join(' ')}`] : []),
    `client ${JSON.stringify(labCase.client.user)} / ${JSON.stringify(labCase.client.password)}, think ${labCase.client.thinkTimeUs} µs${labCase.client.waitForGreeting ? '' : ', talks before the greeting'}`,
    ...labCase.client.groups.map((group, i) => `  group ${i + 1}${group.steps.length > 1 ? ` (${group.writes === 'one' ? 'one write' : 'separate writes'})` : ''}: ${groupText(group.steps)}`),
    ...(faults.length > 0 ? faults.map((f) => `fault ${f}`) : ['no link faults']),
  ];
}
