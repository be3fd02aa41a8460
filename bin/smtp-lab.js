#!/usr/bin/env node
// Entry point: registers tsx's TypeScript loader, then hands over to the CLI.
import { register } from 'tsx/esm/api';

// `smtp-lab ... | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
