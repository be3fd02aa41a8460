/* refresh - a tutorial page with every command's output as the command prints it now
 *
 * Runs the page's steps in order (later ones read what earlier ones wrote) and puts each new
 * output where the old one was: console outputs through reelide (the page's "..." lines keep
 * leaving out the same stretches), pictures whole. An "[exit N]" line stays and takes the new
 * code; a non-zero code gets one. The prose is not touched: the numbers it cites that no output
 * prints any more are returned for a person, as are changed exit codes. Nothing is returned
 * for a page it cannot rewrite faithfully: a malformed page, a command that writes to standard
 * error or dies, a "..." whose neighbours are gone; each throws with the line.
 */
import type { CommandResult } from '../../test/cli/run-smtp-lab.ts';
import { exitAnnotation, outputLines, tutorialSteps, type TutorialStep } from '../../test/viewer/tutorial-steps.ts';
import { staleNumbers, type StaleNumber } from './prose-numbers.ts';
import { ElisionLostError, reelide } from './reelide.ts';

export type RunStep = (args: readonly string[]) => Promise<CommandResult>;

export interface ExitChange {
  /** 1-based line of the command on the rewritten page. */
  readonly line: number;
  readonly was: number;
  readonly now: number;
}

export interface RefreshedPage {
  readonly markdown: string;
  readonly steps: number;
  /** How many outputs differ from what the page showed. */
  readonly rewritten: number;
  readonly staleNumbers: readonly StaleNumber[];
  readonly exitChanges: readonly ExitChange[];
}

export class TutorialRefreshError extends Error {
  override readonly name = 'TutorialRefreshError';
}

export async function refreshTutorial(markdown: string, run: RunStep): Promise<RefreshedPage> {
  const steps = parse(markdown);
  const blocks: string[][] = [];
  const printed: string[] = [];
  for (const step of steps) {
    const result = await run(step.args);
    blocks.push(newBlock(step, result));
    printed.push(result.stdout);
  }

  const lines = markdown.split('\n');
  // From the last step up, so that the earlier steps' line numbers still hold.
  for (let k = steps.length - 1; k >= 0; k--) lines.splice(steps[k]!.output.from, steps[k]!.output.to - steps[k]!.output.from, ...blocks[k]!);
  const refreshed = lines.join('\n');

  const newSteps = parse(refreshed);
  return {
    markdown: refreshed,
    steps: steps.length,
    rewritten: steps.filter((step, k) => pageBlock(step) !== pageBlock(newSteps[k]!)).length,
    staleNumbers: staleNumbers(proseOf(lines, newSteps), steps.flatMap((step) => step.expected), printed),
    exitChanges: steps.flatMap((step, k) => (step.exitCode === newSteps[k]!.exitCode ? [] : [{ line: newSteps[k]!.line, was: step.exitCode, now: newSteps[k]!.exitCode }])),
  };
}

function parse(markdown: string): TutorialStep[] {
  try {
    return tutorialSteps(markdown);
  } catch (error) {
    throw new TutorialRefreshError(`malformed page: ${(error as Error).message}`);
  }
}

function newBlock(step: TutorialStep, result: CommandResult): string[] {
  const where = `line ${step.line}: smtp-lab ${step.args.join(' ')}`;
  if (result.exitCode === null) throw new TutorialRefreshError(`${where}: the command did not exit (killed by a signal or the time limit)`);
  // The page shows standard output only, and the tutorial test demands an empty standard error.
  if (result.stderr !== '') throw new TutorialRefreshError(`${where}: the command wrote to standard error, which the page cannot show:\n${result.stderr}`);
  const actual = outputLines(result.stdout);
  if (step.exact) {
    if (result.exitCode !== 0) throw new TutorialRefreshError(`${where}: a picture's command must exit 0, this one exited ${result.exitCode}`);
    return actual;
  }
  let shown: string[];
  try {
    shown = reelide(step.expected, actual);
  } catch (error) {
    if (error instanceof ElisionLostError) throw new TutorialRefreshError(`${where}: ${error.message}; fix this block by hand`);
    throw error;
  }
  return step.exitAnnotated || result.exitCode !== 0 ? [...shown, exitAnnotation(result.exitCode)] : shown;
}

function pageBlock(step: TutorialStep): string {
  return `${step.expected.join('\n')}\n${step.exitAnnotated ? step.exitCode : ''}`;
}

/** The page's lines that are neither a command nor an output, by index. */
function proseOf(lines: readonly string[], steps: readonly TutorialStep[]): Map<number, string> {
  const notProse = new Set(steps.flatMap((step) => [step.line - 1, ...Array.from({ length: step.output.to - step.output.from }, (_, k) => step.output.from + k)]));
  return new Map(lines.flatMap((text, index) => (notProse.has(index) ? [] : [[index, text] as const])));
}
