/* index - the registry of subcommands; each lives in its own file beside this one */
import type { Command } from '../command.ts';
import { conformance } from './conformance.ts';
import { serve } from './serve.ts';
import { bench } from './bench.ts';
import { check } from './check.ts';
import { demo } from './demo.ts';
import { repro } from './repro.ts';
import { replay } from './replay.ts';
import { run } from './run.ts';
import { view } from './view.ts';

export const commands: readonly Command[] = [demo, bench, run, repro, check, replay, view, serve, conformance];
