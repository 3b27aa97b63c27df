/**
 * Entry point of the `rangefinder` command (bin/rangefinder.js imports it after enabling relaxed
 * SIMD): runs the command line and exits with its code. `process.exitCode` lets stdout flush; an
 * unref'ed timer ends the process if something (a socket a producer left open, a paused stdin)
 * would otherwise keep it alive after the command is done.
 */
import { runCli } from './run-cli.js';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
setTimeout(() => process.exit(code), 2000).unref();
