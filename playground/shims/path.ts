/* path - the node:path functions scenario loading uses, for the browser bundle (POSIX, '/' only) */

export function join(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('/').replace(/\/+/g, '/');
}

export function basename(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? '';
}
