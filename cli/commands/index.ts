/* index - the registry of subcommands; each lives in its own file beside this one */
import type { Command } from '../command.ts';
import { conformance } from './conformance.ts';
import { serve } from './serve.ts';
import { run } from './run.ts';
import { view } from './view.ts';

export const commands: readonly Command[] = [run, view, serve, conformance];
