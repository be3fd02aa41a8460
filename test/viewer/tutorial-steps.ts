/* tutorial-steps - the commands docs/tutorial.md shows, with the output it claims for each
 *
 * ```console blocks: a line "$ smtp-lab ARGS" is a command; the lines after it, up to the next
 * command, are its standard output. A line "..." stands for any number of lines; a last line
 * "[exit N]" is the exit code (0 when absent). An HTML comment "<!-- picture: smtp-lab ARGS -->"
 * says that the next ```mermaid block is that command's standard output, exactly.
 * Read by test/viewer/tutorial.test.ts (checks the page) and scripts/refresh-tutorial.ts
 * (rewrites the outputs in place, so each step also says where its output sits on the page).
 */

export interface TutorialStep {
  /** Arguments after "smtp-lab". */
  readonly args: readonly string[];
  readonly expected: readonly string[];
  readonly exitCode: number;
  /** A mermaid picture: compared whole, no "..." elision. */
  readonly exact: boolean;
  /** 1-based line of the command in the tutorial. */
  readonly line: number;
  /** The page lines (0-based, end exclusive) that hold `expected` and the "[exit N]" line if any. */
  readonly output: { readonly from: number; readonly to: number };
  /** Whether the page writes the exit code ("[exit N]"); absent means 0. */
  readonly exitAnnotated: boolean;
}

/** The line that stands for lines left out of an output. */
export const ELISION = '...';
const EXIT_ANNOTATION = /^\[exit (\d+)\]$/;

export function exitAnnotation(exitCode: number): string {
  return `[exit ${exitCode}]`;
}

export function tutorialSteps(markdown: string): TutorialStep[] {
  const lines = markdown.split('\n');
  const steps: TutorialStep[] = [];
  for (let i = 0; i < lines.length; i++) {
    const picture = /^<!-- picture: smtp-lab (.+) -->$/.exec(lines[i]!);
    if (picture) {
      const open = lines.indexOf('```mermaid', i);
      const close = lines.indexOf('```', open + 1);
      if (open !== i + 1 || close < 0) throw new Error(`tutorial line ${i + 1}: a picture comment must be followed by a \`\`\`mermaid block`);
      const output = { from: open + 1, to: close };
      steps.push({ args: splitArgs(picture[1]!), expected: lines.slice(output.from, output.to), exitCode: 0, exact: true, line: i + 1, output, exitAnnotated: false });
      i = close;
      continue;
    }
    if (lines[i] !== '```console') continue;
    const close = lines.indexOf('```', i + 1);
    if (close < 0) throw new Error(`tutorial line ${i + 1}: unclosed console block`);
    let current: { args: string[]; expected: string[]; line: number } | null = null;
    const finish = (end: number) => {
      if (!current) return;
      const last = current.expected[current.expected.length - 1];
      const exit = last === undefined ? null : EXIT_ANNOTATION.exec(last);
      if (exit) current.expected.pop();
      const misplaced = current.expected.findIndex((text) => EXIT_ANNOTATION.test(text));
      if (misplaced >= 0) throw new Error(`tutorial line ${current.line + 1 + misplaced}: "[exit N]" must be the last line of a command's output`);
      steps.push({ args: current.args, expected: current.expected, exitCode: exit ? Number(exit[1]) : 0, exact: false, line: current.line, output: { from: current.line, to: end }, exitAnnotated: exit !== null });
    };
    for (let j = i + 1; j < close; j++) {
      const command = /^\$ smtp-lab (.+)$/.exec(lines[j]!);
      if (command) {
        finish(j);
        current = { args: splitArgs(command[1]!), expected: [], line: j + 1 };
      } else if (lines[j]!.startsWith('$ ')) {
        throw new Error(`tutorial line ${j + 1}: only smtp-lab commands can be checked: ${lines[j]}`);
      } else if (current) {
        current.expected.push(lines[j]!);
      } else {
        throw new Error(`tutorial line ${j + 1}: output before the first command of a console block`);
      }
    }
    finish(close);
    i = close;
  }
  return steps;
}

/** Words separated by spaces; the tutorial's commands need no quoting. */
function splitArgs(text: string): string[] {
  return text.trim().split(/ +/);
}

/** A command's standard output as the page's lines (the final newline ends the last line). */
export function outputLines(stdout: string): string[] {
  return stdout.replace(/\n$/, '').split('\n');
}

/** Does `actual` match `expected`, where a "..." line in expected stands for any lines? */
export function matchesWithElision(expected: readonly string[], actual: readonly string[]): boolean {
  const want = withoutTrailingBlankLines(expected);
  const got = withoutTrailingBlankLines(actual);
  const match = (w: number, g: number): boolean => {
    if (w === want.length) return g === got.length;
    if (want[w] === ELISION) {
      for (let skip = g; skip <= got.length; skip++) if (match(w + 1, skip)) return true;
      return false;
    }
    return g < got.length && got[g] === want[w] && match(w + 1, g + 1);
  };
  return match(0, 0);
}

/** Blank lines at the end of an output are not compared: the page's fence may follow a blank line or not. */
export function withoutTrailingBlankLines(lines: readonly string[]): string[] {
  const out = [...lines];
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
