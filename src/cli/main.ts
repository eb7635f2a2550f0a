#!/usr/bin/env node
/**
 * The `adjoint` executable (`bin` → `dist/cli/main.js`; `npm start` runs this file
 * with tsx). Everything but process wiring lives in `cli.ts`, so tests call
 * `runCli` directly.
 *
 * @example
 * // $ adjoint tour --out figures
 * // $ npx tsx src/cli/main.ts tour --quiet
 */
import { runCli } from './cli.js';

// `adjoint tour | head` closes the pipe early: stop quietly instead of crashing.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await runCli(process.argv.slice(2));
