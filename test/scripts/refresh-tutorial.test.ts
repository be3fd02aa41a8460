/* refresh-tutorial - npm run docs:tutorial on a small stale page: outputs current, prose listed, second run a no-op */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSmtpLab } from '../cli/run-smtp-lab.ts';
import { ELISION, matchesWithElision, outputLines, tutorialSteps } from '../viewer/tutorial-steps.ts';

const FIXTURE = new URL('./fixtures/stale-tutorial.md', import.meta.url);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function refresh(page: string) {
  const result = spawnSync('npm', ['run', '--silent', 'docs:tutorial', '--', page], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('npm run docs:tutorial', () => {
  it('brings every output up to date, keeps the "..." lines, lists the stale prose numbers, and then has nothing to do', async () => {
    const page = join(mkdtempSync(join(tmpdir(), 'smtp-lab-refresh-')), 'page.md');
    copyFileSync(FIXTURE, page);
    const before = readFileSync(page, 'utf8');

    const first = refresh(page);
    expect(first.err).toBe('');
    expect(first.code).toBe(1);
    expect(first.out).toContain(`${page}: 2 commands run; 2 outputs rewritten`);
    expect(first.out).toContain(`${page}:22: the exit code was 0, is 1`);
    expect(first.out).toContain(`${page}:3: 12345.678  in: The real stack answers AUTH after 12345.678 ms and queues the mail as 0F0F0F0F0F0; the\n`);
    expect(first.out).toContain(`${page}:3: 0F0F0F0F0F0  in: The real stack`);

    const after = readFileSync(page, 'utf8');
    const prose = (markdown: string) => markdown.split('```').filter((_, k) => k % 2 === 0);
    expect(prose(after)).toEqual(prose(before));
    const steps = tutorialSteps(after);
    expect(steps[0]!.expected.filter((line) => line === ELISION)).toHaveLength(3);
    const cwd = mkdtempSync(join(tmpdir(), 'smtp-lab-refresh-run-'));
    for (const step of steps) {
      const result = await runSmtpLab(step.args, cwd);
      expect(matchesWithElision(step.expected, outputLines(result.stdout)), `line ${step.line}`).toBe(true);
      expect(step.exitCode).toBe(result.exitCode);
    }
    expect(steps[1]!.exitCode).toBe(1);

    const second = refresh(page);
    expect(second).toEqual({ code: 0, out: `${page}: 2 commands run; every output is current\n`, err: '' });
    expect(readFileSync(page, 'utf8')).toBe(after);
  });

  it('writes nothing to a malformed page and says which line is wrong: exit 2', () => {
    const page = join(mkdtempSync(join(tmpdir(), 'smtp-lab-refresh-')), 'page.md');
    const malformed = '# Page\n\n```console\n$ smtp-lab keys\nout\n';
    writeFileSync(page, malformed);
    const result = refresh(page);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/page\.md: not rewritten: malformed page: tutorial line 3: unclosed console block/);
    expect(readFileSync(page, 'utf8')).toBe(malformed);
  });
});
