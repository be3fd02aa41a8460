/* tutorial-steps - the commands docs/tutorial.md shows, with the output it claims for each
 *
 * ```console blocks: a line "$ smtp-lab ARGS" is a command; the lines after it, up to the next
 * command, are its standard output. A line "..." stands for any number of lines; a last line
 * "[exit N]" is the exit code (0 when absent). An HTML comment "<!-- picture: smtp-lab ARGS -->"
 * says that the next ```mermaid block is that command's standard output, exactly.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface TutorialStep {
  /** Arguments after "smtp-lab". */
  readonly args: readonly string[];
  readonly expected: readonly string[];
  readonly exitCode: number;
  /** A mermaid picture: compared whole, no "..." elision. */
  readonly exact: boolean;
  /** 1-based line of the command in the tutorial. */
  readonly line: number;
}

const BIN = fileURLToPath(new URL('../../bin/smtp-lab.js', import.meta.url));

export function tutorialSteps(markdown: string): TutorialStep[] {
  const lines = markdown.split('\n');
  const steps: TutorialStep[] = [];
  for (let i = 0; i < lines.length; i++) {
    const picture = /^<!-- picture: smtp-lab (.+) -->$/.exec(lines[i]!);
    if (picture) {
      const open = lines.indexOf('```mermaid', i);
      const close = lines.indexOf('```', open + 1);
      if (open !== i + 1 || close < 0) throw new Error(`tutorial line ${i + 1}: a picture comment must be followed by a \`\`\`mermaid block`);
      steps.push({ args: splitArgs(picture[1]!), expected: lines.slice(open + 1, close), exitCode: 0, exact: true, line: i + 1 });
      i = close;
      continue;
    }
    if (lines[i] !== '```console') continue;
    const close = lines.indexOf('```', i + 1);
    if (close < 0) throw new Error(`tutorial line ${i + 1}: unclosed console block`);
    let current: { args: string[]; expected: string[]; line: number } | null = null;
    const finish = () => {
      if (!current) return;
      const last = current.expected[current.expected.length - 1];
      const exit = last === undefined ? null : /^\[exit (\d+)\]$/.exec(last);
      if (exit) current.expected.pop();
      steps.push({ args: current.args, expected: current.expected, exitCode: exit ? Number(exit[1]) : 0, exact: false, line: current.line });
    };
    for (let j = i + 1; j < close; j++) {
      const command = /^\$ smtp-lab (.+)$/.exec(lines[j]!);
      if (command) {
        finish();
        current = { args: splitArgs(command[1]!), expected: [], line: j + 1 };
      } else if (lines[j]!.startsWith('$ ')) {
        throw new Error(`tutorial line ${j + 1}: only smtp-lab commands can be checked: ${lines[j]}`);
      } else if (current) {
        current.expected.push(lines[j]!);
      }
    }
    finish();
    i = close;
  }
  return steps;
}

/** Words separated by spaces; the tutorial's commands need no quoting. */
function splitArgs(text: string): string[] {
  return text.trim().split(/ +/);
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
}

/** Run the CLI as a user would, in `cwd`. */
export function runSmtpLab(args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, exitCode });
    });
  });
}

/** Does `actual` match `expected`, where a "..." line in expected stands for any lines? */
export function matchesWithElision(expected: readonly string[], actual: readonly string[]): boolean {
  const trim = (lines: readonly string[]) => {
    const out = [...lines];
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  };
  const want = trim(expected);
  const got = trim(actual);
  const match = (w: number, g: number): boolean => {
    if (w === want.length) return g === got.length;
    if (want[w] === '...') {
      for (let skip = g; skip <= got.length; skip++) if (match(w + 1, skip)) return true;
      return false;
    }
    return g < got.length && got[g] === want[w] && match(w + 1, g + 1);
  };
  return match(0, 0);
}
