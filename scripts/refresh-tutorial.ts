/* refresh-tutorial - npm run docs:tutorial [PAGE]: re-run a tutorial page's commands and rewrite their outputs
 *
 * PAGE defaults to docs/tutorial.md. The commands run in a fresh temporary directory, as
 * test/viewer/tutorial.test.ts runs them. Then it lists the prose numbers that the old outputs
 * printed and the new ones do not, and changed exit codes: the page's prose is for a person to
 * fix. Run it again and nothing changes; but the list is made against the outputs the page
 * showed, so fix what it lists before the next run.
 *
 * Exit 0: nothing needs a person; 1: the page is written and lists something for a person;
 * 2: the page is not written (malformed page, a command failed; the message names the line).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSmtpLab } from '../test/cli/run-smtp-lab.ts';
import { refreshTutorial, TutorialRefreshError } from './tutorial/refresh.ts';

const DEFAULT_PAGE = fileURLToPath(new URL('../docs/tutorial.md', import.meta.url));

async function main(args: readonly string[]): Promise<number> {
  if (args.length > 1) {
    console.error('usage: npm run docs:tutorial [-- PAGE]   (default docs/tutorial.md)');
    return 2;
  }
  const page = args[0] ?? DEFAULT_PAGE;
  const name = args[0] ?? relative(process.cwd(), DEFAULT_PAGE);
  const markdown = await readFile(page, 'utf8');
  const cwd = await mkdtemp(join(tmpdir(), 'smtp-lab-tutorial-refresh-'));
  try {
    const refreshed = await refreshTutorial(markdown, (stepArgs) => runSmtpLab(stepArgs, cwd));
    if (refreshed.markdown !== markdown) await writeFile(page, refreshed.markdown);
    console.log(`${name}: ${refreshed.steps} commands run; ${refreshed.rewritten === 0 ? 'every output is current' : `${refreshed.rewritten} outputs rewritten`}`);
    for (const change of refreshed.exitChanges) console.log(`${name}:${change.line}: the exit code was ${change.was}, is ${change.now} (the page now says so; check the prose)`);
    if (refreshed.staleNumbers.length > 0) console.log(`\nnumbers in the prose that the old outputs printed and the new ones do not (fix by hand):`);
    for (const stale of refreshed.staleNumbers) console.log(`${name}:${stale.line}: ${stale.number}  in: ${stale.text.trim()}`);
    return refreshed.exitChanges.length + refreshed.staleNumbers.length === 0 ? 0 : 1;
  } catch (error) {
    if (!(error instanceof TutorialRefreshError)) throw error;
    console.error(`${name}: not rewritten: ${error.message}`);
    return 2;
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
