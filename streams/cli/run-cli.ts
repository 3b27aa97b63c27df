/**
 * The `rangefinder` command line as a function: dispatches to approx / inspect / compress, turns errors into exit codes (report-error.ts), and sets
 * `process.exitCode` rather than calling `process.exit`, so stdout is flushed.
 */
import type { CommandIo } from './approx-command.js';
import { MAIN_HELP } from './help-text.js';
import { reportError } from './report-error.js';
import { UsageError } from './usage-error.js';

export async function runCli(argv: readonly string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      // Loaded on demand: `--help` and usage errors do not pay for Arrow, Parquet and the kernels.
      case 'approx': return await (await import('./approx-command.js')).approxCommand(rest, io);
      case 'inspect': return await (await import('./inspect-command.js')).inspectCommand(rest, io);
      case 'compress': return await (await import('./compress-command.js')).compressCommand(rest, io);
      case undefined: case '-h': case '--help': case 'help':
        io.stdout.write(MAIN_HELP);
        return command === undefined ? 2 : 0;
      case '--version': case '-v':
        io.stdout.write('rangefinder 0.1.0\n');
        return 0;
      default:
        throw new UsageError(command.startsWith('-')
          ? `unknown option ${command} (see rangefinder --help)`
          : `unknown command '${command}': expected approx, inspect or compress (see rangefinder --help)`);
    }
  } catch (e) {
    return reportError(e, io.stderr);
  }
}

