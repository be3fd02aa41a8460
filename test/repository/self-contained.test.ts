/* self-contained - no tracked file names a path outside the repository (a clone alone must work) */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outsideReferences } from './outside-paths.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Tools' output kept as data: it names where it was made, and nothing reads those paths back. */
const RECORDED_OUTPUT: readonly { readonly prefix: string; readonly except?: string; readonly skip: readonly ('relative' | 'absolute')[]; readonly why: string }[] = [
  { prefix: 'conformance/records/', except: 'conformance/records/README.md', skip: ['absolute'], why: 'byte-exact copies of what the real daemons wrote, naming the recording machine\'s lab directory' },
  { prefix: 'import/fixtures/debian-12/', skip: ['absolute'], why: "copies of conformance/records' postconf -n, doveconf -n and master.cf: the recorded daemons' own output, naming the recording machine's lab directory" },
  { prefix: 'mutation/incremental/', skip: ['relative', 'absolute'], why: 'Stryker\'s state: copies of source and test files (their imports and path fixtures are checked where those files live); the directory it ran in is taken out by mutation/run.ts' },
];

function trackedFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((f) => f !== '');
  } catch (error) {
    throw new Error(`this check lists the repository's files with git ls-files, which failed: ${(error as Error).message}`);
  }
}

// Samples are assembled from parts so that this file itself names no outside path.
const up = '..';
const sample = (...parts: string[]) => parts.join('/');

describe('outsideReferences', () => {
  const flagged = (file: string, text: string) => outsideReferences(ROOT, file, text).map((r) => r.text);

  it.each([
    ['a sibling folder from the top', 'README.md', `see \`${sample(up, 'shared', 'conformance', 'README.md')}\``],
    ['a sibling folder from a subdirectory (resolves to nothing here)', 'docs/x.md', `from ${sample(up, 'shared', 'conformance')}`],
    ['a URL above the top', 'test/models/postfix/x.test.ts', `new URL('${sample(up, up, up, up, 'shared', 'raw')}/', import.meta.url)`],
    ['resolve() above the top', 'conformance/x.ts', `resolve(import.meta.dirname, '${sample(up, up)}')`],
    ['join() with separate parent segments', 'conformance/x.ts', `join(import.meta.dirname, '${up}', '${up}', 'shared')`],
    ['an absolute path of a developer\'s machine', 'test/x.ts', `const RAW = '${sample('', 'work', 'shared', 'raw')}';`],
    ['a home directory', 'docs/x.md', `cloned into ${sample('', 'home', 'me', 'smtp-lab')}`],
    ['a home directory by tilde', 'docs/x.md', `cloned into ${sample('~', 'src')}`],
    ['a fixed temporary path', 'conformance/x.ts', `const LAB = '${sample('', 'tmp', 'smtp-lab-mixed')}';`],
    ['a file URL', 'docs/x.md', `open file://${sample('', 'Users', 'me', 'trace.html')}`],
  ])('reports %s', (_why, file, text) => {
    expect(flagged(file, text)).toHaveLength(1);
  });

  it.each([
    ['imports inside the repository', 'test/conformance/x.test.ts', "import { RealStack } from '../../conformance/real-stack.ts';"],
    ['the top from two levels down', 'test/conformance/x.test.ts', "const ROOT = resolve(import.meta.dirname, '../..');"],
    ['system paths of installed software', 'conformance/x.ts', "const LUA = '/usr/lib/dovecot/modules/auth/libauthdb_lua.so'; meta_directory = /etc/postfix"],
    ['URL paths and ratios', 'models/x.ts', "GET /internal/auth/email http://127.0.0.1/home/x ehlo=1 xclient=0/1"],
    ['ellipses', 'docs/x.md', 'XCLIENT attribute=value... and so on..'],
    ['a temporary directory made per run', 'conformance/x.ts', "mkdtempSync(join(tmpdir(), 'smtp-lab-real-'))"],
  ])('does not report %s', (_why, file, text) => {
    expect(flagged(file, text)).toEqual([]);
  });
});

describe('the repository', () => {
  it('has no tracked file that names a path outside it', () => {
    const found: string[] = [];
    for (const file of trackedFiles()) {
      if (file === 'package-lock.json') continue;
      let text: string;
      try {
        text = readFileSync(join(ROOT, file), 'utf8');
      } catch {
        continue; // deleted in the working tree, not yet committed
      }
      if (text.includes('\0')) continue; // binary
      const skip = RECORDED_OUTPUT.find((o) => file.startsWith(o.prefix) && file !== o.except)?.skip ?? [];
      const references = outsideReferences(ROOT, file, text, { relative: !skip.includes('relative'), absolute: !skip.includes('absolute') });
      for (const r of references) found.push(`${file}:${r.line}: ${r.text}  (${r.why})`);
    }
    expect(found).toEqual([]);
  });
});
