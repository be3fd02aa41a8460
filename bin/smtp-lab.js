#!/usr/bin/env node
// Entry point: runs the CLI compiled to one JavaScript file (cli/build/compiled-cli.js builds it
// on first use and again whenever a source changes).
import { compiledCli } from '../cli/build/compiled-cli.js';

// `smtp-lab ... | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const { main } = await import(await compiledCli());
process.exitCode = await main(process.argv.slice(2));
