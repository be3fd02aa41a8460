/* compiled-cli - types of compiled-cli.js (plain JavaScript: bin/smtp-lab.js loads it before any TypeScript loader) */

export function compiledBundle(root: string, entry: string): Promise<string>;

export function compiledCli(): Promise<string>;

export function workerBundle(): Promise<string>;
