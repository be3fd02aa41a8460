/* tutorial - runs every command docs/tutorial.md shows and compares the output with the page */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmtpLab } from '../cli/run-smtp-lab.ts';
import { matchesWithElision, outputLines, tutorialSteps } from './tutorial-steps.ts';

const markdown = await readFile(new URL('../../docs/tutorial.md', import.meta.url), 'utf8');
const steps = tutorialSteps(markdown);
// One directory for the whole page: later commands read what earlier ones wrote (lab-output/).
const cwd = await mkdtemp(join(tmpdir(), 'smtp-lab-tutorial-'));

describe('docs/tutorial.md', () => {
  it('shows the commands of the story: pass, triggers, repro and its picture, workaround, fixed sequencing', () => {
    expect(steps.map((step) => `${step.exact ? 'picture: ' : ''}${step.args.join(' ')}`)).toEqual([
      'run --scenario real-stack',
      'run --scenario real-stack --set postfix.xclient_lookup_ms=100',
      'run --scenario real-stack --set tcp.profile=quickack',
      'repro --set front.login_proxy_max_reconnects=0 --out lab-output',
      'picture: view lab-output/trace.jsonl --mermaid -',
      'run --scenario mailu-2024.06 --set postfix.xclient_lookup_ms=100',
      'run --scenario mailu-2024.06-pr3322 --set postfix.xclient_lookup_ms=100',
      'run --scenario lockstep --set postfix.xclient_lookup_ms=100',
    ]);
  });

  // In order, one after the other: the picture draws the trace the repro step wrote.
  for (const step of steps) {
    it(`line ${step.line}: smtp-lab ${step.args.join(' ')}`, async () => {
      const result = await runSmtpLab(step.args, cwd);
      const actual = outputLines(result.stdout);
      const shown = step.exact ? step.expected.join('\n') === actual.join('\n') : matchesWithElision(step.expected, actual);
      if (!shown) expect(actual.join('\n'), `the tutorial (line ${step.line}) shows other output than the command prints now`).toBe(step.expected.join('\n'));
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: step.exitCode, stderr: '' });
    });
  }
});

describe('the tutorial checker', () => {
  it('elides with "..." and nothing else', () => {
    expect(matchesWithElision(['a', '...', 'd'], ['a', 'b', 'c', 'd'])).toBe(true);
    expect(matchesWithElision(['a', '...', 'd'], ['a', 'd'])).toBe(true);
    expect(matchesWithElision(['a', '...', 'd'], ['a', 'b', 'c'])).toBe(false);
    expect(matchesWithElision(['a', 'c'], ['a', 'b', 'c'])).toBe(false);
    expect(matchesWithElision(['...', 'x', '...'], ['a', 'x', 'b'])).toBe(true);
  });

  it('reads commands, exit codes and pictures, and refuses commands it cannot run', () => {
    const page = ['```console', '$ smtp-lab run --seed 2', 'out', '[exit 1]', '```', '<!-- picture: smtp-lab view t --mermaid - -->', '```mermaid', 'sequenceDiagram', '```'].join('\n');
    expect(tutorialSteps(page)).toEqual([
      { args: ['run', '--seed', '2'], expected: ['out'], exitCode: 1, exact: false, line: 2, output: { from: 2, to: 4 }, exitAnnotated: true },
      { args: ['view', 't', '--mermaid', '-'], expected: ['sequenceDiagram'], exitCode: 0, exact: true, line: 6, output: { from: 7, to: 8 }, exitAnnotated: false },
    ]);
    expect(() => tutorialSteps('```console\n$ rm -rf /\n```')).toThrow(/only smtp-lab commands can be checked/);
    expect(() => tutorialSteps('```console\nout\n$ smtp-lab keys\n```')).toThrow(/line 2: output before the first command/);
    expect(() => tutorialSteps('```console\n$ smtp-lab keys\n[exit 1]\nout\n```')).toThrow(/line 3: "\[exit N\]" must be the last line/);
  });
});
