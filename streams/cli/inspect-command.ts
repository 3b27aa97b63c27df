/**
 * `rangefinder inspect <input>`: format, shape, layout, dtype, record batches / row groups and the
 * columns of an input, from its headers only (`describeSource`; stdin and TCP read the schema
 * message). When the source would refuse the input as asked (a string column, a ragged list, ...),
 * the description is printed and the refusal is the one-line error (exit 2).
 */
import { describeSource } from '../describe-source.js';
import { parseCommandLine, parseHostPort } from './approx-args.js';
import type { CommandIo } from './approx-command.js';
import { INSPECT_HELP } from './help-text.js';
import { checkInputFile } from './open-input.js';
import { UsageError } from './usage-error.js';

export async function inspectCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine(argv, 'inspect', {
    columns: { type: 'string' }, exclude: { type: 'string' }, orientation: { type: 'string' }, json: { type: 'boolean' },
    listen: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  }, new Set(['columns', 'exclude', 'orientation', 'listen']));
  const v = parsed.values;
  if (v.help) { io.stdout.write(INSPECT_HELP); return 0; }
  if (parsed.positionals.length > 1) throw new UsageError(`inspect takes one input, found ${parsed.positionals.length} (see rangefinder inspect --help)`);
  const input = parsed.positionals[0];
  if (input === undefined && v.listen === undefined) throw new UsageError('inspect needs an input: a file, - for stdin or tcp://HOST:PORT (see rangefinder inspect --help)');
  const orientation = v.orientation ?? 'rows';
  if (orientation !== 'rows' && orientation !== 'columns') throw new UsageError(`--orientation must be rows or columns, found '${orientation}'`);
  const list = (t: string | undefined) => t?.split(',').map((c) => c.trim()).filter((c) => c.length > 0);
  const opts = {
    orientation,
    ...(v.columns !== undefined ? { columns: list(v.columns) } : {}),
    ...(v.exclude !== undefined ? { exclude: list(v.exclude) } : {}),
  } as const;
  let spec: string;
  if (input !== undefined) { checkInputFile(input); spec = input; } else {
    const { host, port } = parseHostPort(v.listen!, '--listen');
    spec = `listen://${host}:${port}`;
  }
  const desc = await describeSource(spec, opts);
  if (v.json) {
    io.stdout.write(`${JSON.stringify(desc)}\n`);
  } else {
    const info = desc.info;
    const lines = [`${desc.where} (${desc.format})`];
    if (info) {
      lines.push(
        `  shape        ${info.rows ?? '?'} x ${info.cols}${info.orientation === 'columns' ? ' (streamed by columns: rows of A^T)' : ''}`,
        `  layout       ${info.layout}`,
        `  dtype        ${info.dtype}`,
        `  batches      ${info.batches ?? '?'}${desc.format === 'parquet' ? ' row groups' : desc.format === 'npy' || desc.format === 'synthetic' ? ' blocks' : ' record batches'}`,
      );
    }
    lines.push(`  replayable   ${desc.replayable ? 'yes (--passes > 1 allowed)' : 'no (one pass only)'}`);
    if (desc.refusal && (desc.info !== undefined || desc.fields !== undefined)) lines.push(`  refused      ${desc.refusal.message}`);
    if (desc.bytes !== undefined) lines.push(`  bytes        ${desc.bytes}`);
    if (desc.fields) {
      lines.push('  columns      (* = part of the matrix)');
      const shown = desc.fields.length <= 16 ? desc.fields : desc.fields.filter((f, i) => i < 12 || !f.numeric);
      for (const f of shown) lines.push(`    ${f.used ? '*' : ' '} ${f.name}: ${f.type}${f.numeric ? '' : ' (not numeric)'}`);
      if (shown.length < desc.fields.length) lines.push(`    ... ${desc.fields.length - shown.length} more numeric columns`);
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  // Exit 2 when the input could not be described at all (not a known format, corrupt, empty, a
  // socket that failed); a described input that `approx` would refuse with these options (a text
  // column, a ragged row) exits 0 with the refusal shown: the same rule with and without --json.
  if (desc.refusal && desc.info === undefined && desc.fields === undefined) throw new UsageError(desc.refusal.message);
  return 0;
}
