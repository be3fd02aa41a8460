/* outside-paths - find the places where a file of the repository names a path outside it
 *
 * A clone of this repository alone must work, so no file may depend on (or send a reader to)
 * anything beside or above it. Two kinds of reference are found:
 *   - relative paths with parent (`..`) segments, written as one path or as separate join()
 *     arguments, that, taken from the file's own directory, leave the repository or name
 *     something the repository does not have (a sibling folder named from a subdirectory);
 *   - absolute paths under the directories where a developer's machine keeps its own files
 *     (/work, /home, /root, /Users, /mnt, /media), and fixed paths under /tmp, which every run
 *     on a machine would share (a run makes its own directory with mkdtemp instead).
 * System paths of installed software (/usr, /etc, /dev, ...) are not references to the
 * developer's machine and are not reported.
 */
import { existsSync } from 'node:fs';
import { posix } from 'node:path';

export interface OutsideReference {
  readonly line: number;
  readonly text: string;
  readonly why: string;
}

/** Parent segments: a path that starts with them, or string arguments starting with `'..'` that a join() would chain. */
const PARENT_PATH = /(?<![\w.\/-])\.\.(?:\/\.\.)*(?:\/[\w.@+-]+)*\/?(?![\w.])|(['"])\.\.\1(?:\s*,\s*(['"])[\w.@+-]+\2)*/g;
const DEV_MACHINE_ROOTS = ['work', 'home', 'root', 'Users', 'mnt', 'media'];
const ABSOLUTE_PATH = new RegExp(`(?:file://|(?<![\\w.:/~$}-]))/(?:(${DEV_MACHINE_ROOTS.join('|')})|tmp)/[\\w.@+-]+|(?<![\\w$])~/[\\w.-]+|\\b[A-Za-z]:\\\\Users\\\\`, 'g');

/**
 * The references to paths outside the repository in `text`, the content of the file at
 * `file` (relative to `root`, the repository's top directory).
 */
export function outsideReferences(root: string, file: string, text: string, options: { relative?: boolean; absolute?: boolean } = {}): OutsideReference[] {
  const found: OutsideReference[] = [];
  const fileDir = posix.dirname(file);
  text.split('\n').forEach((lineText, index) => {
    for (const match of options.relative === false ? [] : lineText.matchAll(PARENT_PATH)) {
      const relative = match[1] === undefined ? match[0] : [...match[0].matchAll(/(['"])([^'"]+)\1/g)].map((m) => m[2]).join('/');
      const resolved = posix.normalize(posix.join(fileDir, relative));
      if (resolved === '..' || resolved.startsWith('../')) found.push({ line: index + 1, text: match[0], why: `leaves the repository (${file} → ${resolved})` });
      else if (!existsInRepository(root, resolved)) found.push({ line: index + 1, text: match[0], why: `names ${resolved}, which the repository does not have` });
    }
    if (options.absolute === false) return;
    for (const match of lineText.matchAll(ABSOLUTE_PATH)) {
      const why = match[1] !== undefined || match[0].startsWith('~') || match[0].includes('\\')
        ? 'a path on a developer\'s machine'
        : 'a fixed path under /tmp: outside the repository, and shared by every run on the machine (make one with mkdtemp)';
      found.push({ line: index + 1, text: match[0], why });
    }
  });
  return found;
}

/** Whether `path` exists under `root`; an import of `x.js` names `x.ts` (TypeScript's NodeNext resolution). */
function existsInRepository(root: string, path: string): boolean {
  return existsSync(posix.join(root, path)) || (path.endsWith('.js') && existsSync(posix.join(root, `${path.slice(0, -3)}.ts`)));
}
