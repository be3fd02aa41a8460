/* lab-bundle - types of lab-bundle.js (plain JavaScript: bin/smtp-lab.js loads it before any TypeScript loader) */
import type { BuildOptions, Plugin } from 'esbuild';

export type OnSource = (path: string, source: string) => void;

export function ownImportMeta(onSource?: OnSource): Plugin;

export function labBundleOptions(entry: string, onSource?: OnSource): BuildOptions & { entryPoints: string[] };
