/* refresh - a page's outputs rewritten in place from a runner's outputs; prose and errors reported, never guessed */
import { describe, expect, it } from 'vitest';
import { refreshTutorial, TutorialRefreshError, type RunStep } from '../../../scripts/tutorial/refresh.ts';
import { numbersIn } from '../../../scripts/tutorial/prose-numbers.ts';
import type { CommandResult } from '../../cli/run-smtp-lab.ts';

/** A runner that answers each command (its arguments joined) with a fixed result, and records the order. */
function runner(results: Record<string, Partial<CommandResult>>): RunStep & { calls: string[] } {
  const calls: string[] = [];
  const run = async (args: readonly string[]) => {
    const key = args.join(' ');
    calls.push(key);
    const result = results[key];
    if (!result) throw new Error(`no result for ${key}`);
    return { stdout: '', stderr: '', exitCode: 0, ...result };
  };
  return Object.assign(run, { calls });
}

const page = [
  '# Page', //                                          1
  '',
  'AUTH took 22.113 ms; the mail is 0A58720C000, seed 1.', // 3
  '',
  '```console',
  '$ smtp-lab run --seed 1', //                           6
  'scenario x, seed 1',
  '...',
  'queued as 0A58720C000',
  'AUTH reply after 22.113 ms',
  '...',
  'bye',
  '```',
  '',
  '```console',
  '$ smtp-lab check', //                                 16
  'failed',
  '[exit 1]',
  '$ smtp-lab repro', //                                 19
  'not reproduced',
  '$ smtp-lab replay T', //                              21
  'replayed',
  '[exit 1]',
  '```',
  '',
  '<!-- picture: smtp-lab view t --mermaid - -->', //    26
  '```mermaid',
  'sequenceDiagram',
  '  a->>b: [1.000 ms] old',
  '```',
  '',
  '```sh',
  'smtp-lab serve --port 2525',
  '```',
  'Prose after the blocks: queued as 0A58720C000.', //   35
  '',
].join('\n');

const now = {
  'run --seed 1': { stdout: 'scenario x, seed 1\nconnect\nqueued as 0B11120C000\nAUTH reply after 21.768 ms\n221\nbye\n' },
  check: { stdout: 'failed again\n', exitCode: 2 },
  repro: { stdout: 'not reproduced\n', exitCode: 1 },
  'replay T': { stdout: 'replayed\n', exitCode: 0 },
  'view t --mermaid -': { stdout: 'sequenceDiagram\n  a->>b: [2.000 ms] new\n  b->>a: [3.000 ms] more\n' },
};

describe('refreshTutorial', () => {
  it('rewrites each output in place, keeping its "..." lines and its "[exit N]", and leaves the prose alone', async () => {
    const refreshed = await refreshTutorial(page, runner(now));
    expect(refreshed.markdown.split('\n')).toEqual([
      '# Page',
      '',
      'AUTH took 22.113 ms; the mail is 0A58720C000, seed 1.',
      '',
      '```console',
      '$ smtp-lab run --seed 1',
      'scenario x, seed 1',
      '...',
      'queued as 0B11120C000',
      'AUTH reply after 21.768 ms',
      '...',
      'bye',
      '```',
      '',
      '```console',
      '$ smtp-lab check',
      'failed again',
      '[exit 2]',
      '$ smtp-lab repro',
      'not reproduced',
      '[exit 1]',
      '$ smtp-lab replay T',
      'replayed',
      '[exit 0]',
      '```',
      '',
      '<!-- picture: smtp-lab view t --mermaid - -->',
      '```mermaid',
      'sequenceDiagram',
      '  a->>b: [2.000 ms] new',
      '  b->>a: [3.000 ms] more',
      '```',
      '',
      '```sh',
      'smtp-lab serve --port 2525',
      '```',
      'Prose after the blocks: queued as 0A58720C000.',
      '',
    ]);
    expect(refreshed).toMatchObject({ steps: 5, rewritten: 5 });
  });

  it('lists the prose numbers the old outputs printed and the new ones do not, at their lines on the new page', async () => {
    const refreshed = await refreshTutorial(page, runner(now));
    expect(refreshed.staleNumbers.map(({ line, number }) => `${line}: ${number}`)).toEqual(['3: 22.113', '3: 0A58720C000', '37: 0A58720C000']);
    expect(refreshed.exitChanges).toEqual([{ line: 16, was: 1, now: 2 }, { line: 19, was: 0, now: 1 }, { line: 22, was: 1, now: 0 }]);
  });

  it('runs the steps in page order, and a second run changes nothing', async () => {
    const first = runner(now);
    const refreshed = await refreshTutorial(page, first);
    expect(first.calls).toEqual(['run --seed 1', 'check', 'repro', 'replay T', 'view t --mermaid -']);
    const again = await refreshTutorial(refreshed.markdown, runner(now));
    expect(again).toEqual({ markdown: refreshed.markdown, steps: 5, rewritten: 0, staleNumbers: [], exitChanges: [] });
  });

  it('fails clearly, naming the line, on a malformed page or an output it cannot place', async () => {
    const fails = (markdown: string, results: Record<string, Partial<CommandResult>>) => refreshTutorial(markdown, runner(results));
    await expect(fails('```console\n$ smtp-lab run\nout\n', {})).rejects.toThrow(/malformed page: tutorial line 1: unclosed console block/);
    await expect(fails('```console\n$ ls\n```\n', {})).rejects.toThrow(TutorialRefreshError);
    await expect(fails('```console\n$ smtp-lab run\nout\n```\n', { run: { stdout: 'out\n', stderr: 'Error: boom\n', exitCode: 1 } }))
      .rejects.toThrow(/line 2: smtp-lab run: the command wrote to standard error.*\nError: boom/);
    await expect(fails('```console\n$ smtp-lab run\n```\n', { run: { exitCode: null } })).rejects.toThrow(/line 2: .*did not exit/);
    await expect(fails('<!-- picture: smtp-lab view t -->\n```mermaid\nx\n```\n', { 'view t': { stdout: 'x\n', exitCode: 1 } })).rejects.toThrow(/line 1: .*must exit 0/);
    await expect(fails('```console\n$ smtp-lab run\na\n...\ngone\n...\nz\n```\n', { run: { stdout: 'a\nb\nz\n' } })).rejects.toThrow(/line 2: smtp-lab run: none of the shown lines .*fix this block by hand/);
  });
});

describe('numbersIn', () => {
  it('finds decimal, dotted and queue-id numbers, not words with digits in lower case', () => {
    expect(numbersIn('after 22.113 ms, queued as 0A58720C000 (seq=122, 4.7.0, commit 648c98ab, port 2525.)')).toEqual(['22.113', '0A58720C000', '122', '4.7.0', '2525']);
  });
});
