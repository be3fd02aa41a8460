/* index - the registry of subcommands; each lives in its own file beside this one */
import type { Command } from '../command.ts';
import { bench } from './bench.ts';
import { check } from './check.ts';
import { conformance } from './conformance.ts';
import { demo } from './demo.ts';
import { keys } from './keys.ts';
import { replay } from './replay.ts';
import { repro } from './repro.ts';
import { run } from './run.ts';
import { serve } from './serve.ts';
import { view } from './view.ts';

/** In the order `smtp-lab --help` lists them: the main job first, then by how often a user needs them. */
export const commands: readonly Command[] = [demo, run, repro, check, replay, keys, view, serve, conformance, bench];
