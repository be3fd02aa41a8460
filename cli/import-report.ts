/* import-report - an import's three lists (and the assumptions) as Markdown a person reads, or as JSON */
import { FORMAT_NAMES, whereText, type AssumedEntry, type ImportResult, type ListedEntry, type MappedEntry } from '../import/index.ts';

const at = (entry: MappedEntry | ListedEntry) => whereText(entry.setting.where);
const shownSetting = (entry: MappedEntry | ListedEntry) => (entry.setting.value === '' ? `\`${entry.setting.name}\`` : `\`${entry.setting.name} = ${entry.setting.value}\``);

function mappedLine(entry: MappedEntry): string {
  const target = entry.key === null ? `no key needed (the lab: ${entry.value})` : `\`${entry.key} = ${entry.value}\``;
  return `- ${shownSetting(entry)} (${at(entry)}) -> ${target}${entry.note ? `; ${entry.note}` : ''}`;
}

const listedLine = (entry: ListedEntry) => `- ${shownSetting(entry)} (${at(entry)}): ${entry.reason}`;
const assumedLine = (entry: AssumedEntry) => `- \`${entry.key} = ${entry.value}\`: ${entry.reason}`;

export function importMarkdown(result: ImportResult, scenarioFile: string): string {
  return [
    `# smtp-lab import: ${result.definition.name}`,
    '',
    `Path: ${result.path}`,
    '',
    'Files:',
    ...result.files.map((file) => `- ${file.path} (${FORMAT_NAMES[file.format]})`),
    '',
    `Scenario file: ${scenarioFile} (${Object.entries(result.definition.values).map(([key, value]) => `${key}=${value}`).join(' ') || 'no key set: every key its default'})`,
    '',
    `## Mapped (${result.mapped.length})`,
    ...result.mapped.map(mappedLine),
    '',
    `## Relevant but unsupported (${result.unsupported.length}): the answer does not cover these`,
    ...(result.unsupported.length > 0 ? result.unsupported.map(listedLine) : ['- none']),
    '',
    `## Not in the input, assumed (${result.assumed.length})`,
    ...result.assumed.map(assumedLine),
    '',
    `## Ignored as irrelevant to this path (${result.ignored.length})`,
    ...result.ignored.map(listedLine),
    '',
    `Next: smtp-lab audit ${scenarioFile}`,
  ].join('\n');
}

export function importJson(result: ImportResult, scenarioFile: string) {
  const listed = (entry: ListedEntry) => ({ setting: entry.setting.name, value: entry.setting.value, at: at(entry), reason: entry.reason });
  return {
    scenarioFile,
    scenario: { name: result.definition.name, description: result.definition.description, values: result.definition.values },
    path: result.path,
    files: result.files,
    mapped: result.mapped.map((entry) => ({ setting: entry.setting.name, value: entry.setting.value, at: at(entry), key: entry.key, keyValue: entry.value, note: entry.note })),
    unsupported: result.unsupported.map(listed),
    assumed: result.assumed.map(({ key, value, reason }) => ({ key, value, reason })),
    ignored: result.ignored.map(listed),
  };
}
