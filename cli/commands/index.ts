/* index - the registry of subcommands; each lives in its own file beside this one */
import type { Command } from '../command.ts';
import { view } from './view.ts';

export const commands: readonly Command[] = [view];
