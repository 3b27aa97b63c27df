/**
 * The `rangefinder` command line as a function: dispatches to approx / inspect / compress / sketch / merge, turns errors into exit codes (report-error.ts), and sets
 * `process.exitCode` rather than calling `process.exit`, so stdout is flushed.
 */
import type { CommandIo } from './approx-command.js';
import { APPROX_HELP, COMPRESS_HELP, INSPECT_HELP, MAIN_HELP, MERGE_HELP, SKETCH_HELP, WORKER_HELP } from './help-text.js';
import { packageVersion } from './package-version.js';
import { reportError } from './report-error.js';
import { UsageError } from './usage-error.js';

const COMMAND_HELP: Record<string, string> = {
  approx: APPROX_HELP, inspect: INSPECT_HELP, compress: COMPRESS_HELP, sketch: SKETCH_HELP, merge: MERGE_HELP, worker: WORKER_HELP,
};

export async function runCli(argv: readonly string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      // Loaded on demand: `--help` and usage errors do not pay for Arrow, Parquet and the kernels.
      case 'approx': return await (await import('./approx-command.js')).approxCommand(rest, io, runCli);
      case 'inspect': return await (await import('./inspect-command.js')).inspectCommand(rest, io);
      case 'compress': return await (await import('./compress-command.js')).compressCommand(rest, io);
      case 'worker': return await (await import('./worker-command.js')).workerCommand(rest, io, runCli);
      case 'sketch': return await (await import('./sketch-command.js')).sketchCommand(rest, io);
      case 'merge': return await (await import('./merge-command.js')).mergeCommand(rest, io);
      case undefined: case '-h': case '--help':
        io.stdout.write(MAIN_HELP);
        return command === undefined ? 2 : 0;
      case 'help': {
        // `rangefinder help approx` = `rangefinder approx --help`
        const topic = rest[0];
        if (topic === undefined) { io.stdout.write(MAIN_HELP); return 0; }
        const text = COMMAND_HELP[topic];
        if (text === undefined) throw new UsageError(`no help on '${topic}': the commands are approx, inspect, compress, sketch and merge (see rangefinder --help)`);
        io.stdout.write(text);
        return 0;
      }
      case '--version': case '-v': case 'version':
        io.stdout.write(`rangefinder ${packageVersion()}\n`);
        return 0;
      default:
        throw new UsageError(command.startsWith('-')
          ? `unknown option ${command} (see rangefinder --help)`
          : `unknown command '${command}': expected approx, inspect, compress, sketch or merge (see rangefinder --help)`);
    }
  } catch (e) {
    return reportError(e, io.stderr);
  }
}

