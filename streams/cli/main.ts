/**
 * Entry point of the `rangefinder` command (bin/rangefinder.js imports it after enabling relaxed
 * SIMD): runs the command line and exits with its code. `process.exitCode` lets stdout flush; an
 * unref'ed timer ends the process if something (a socket a producer left open, a paused stdin)
 * would otherwise keep it alive after the command is done.
 */
import { tmpdir } from 'node:os';
import { installSignalCleanup, sweepStale } from '../durable.js';
import { runCli } from './run-cli.js';

// SIGINT / SIGTERM / SIGHUP: one line, the temporaries removed (spill, unfinished outputs), exit
// 130 / 143 / 129. A run killed with SIGKILL is cleaned up after by the next one: its spill
// directories here, its temporaries in the output directory when that is written to again.
installSignalCleanup((signal) => process.stderr.write(`rangefinder: stopped by ${signal}; temporary files removed\n`));
sweepStale(tmpdir());

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
setTimeout(() => process.exit(code), 2000).unref();
