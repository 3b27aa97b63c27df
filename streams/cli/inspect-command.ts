/**
 * `rangefinder inspect <input>`: shape, layout, dtype, record batches / row groups and columns of an
 * input, read from its headers only (`describeSource`); for a one-shot input the schema message.
 *
 * WORKAROUND (marked): while `describeSource` is a stub ('not implemented yet'), the same facts are
 * taken from the source's `info()`.
 */
import { parseArgs } from 'node:util';
import { statSync } from 'node:fs';
import { describeSource } from '../describe-source.js';
import type { SourceInfo } from '../types.js';
import { fromParseArgsError, parseHostPort } from './approx-args.js';
import type { CommandIo } from './approx-command.js';
import { INSPECT_HELP } from './help-text.js';
import { checkInputFile, openInput } from './open-input.js';
import { UsageError } from './usage-error.js';

export async function inspectCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv], allowPositionals: true, strict: true,
      options: {
        columns: { type: 'string' }, exclude: { type: 'string' }, orientation: { type: 'string' }, json: { type: 'boolean' },
        listen: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) { throw fromParseArgsError(e, 'inspect'); }
  const v = parsed.values;
  if (v.help) { io.stdout.write(INSPECT_HELP); return 0; }
  const input = parsed.positionals[0];
  if (parsed.positionals.length > 1) throw new UsageError(`inspect takes one input, found ${parsed.positionals.length} (see rangefinder inspect --help)`);
  if (input === undefined && v.listen === undefined) throw new UsageError('inspect needs an input: a file, - for stdin or tcp://HOST:PORT (see rangefinder inspect --help)');
  const orientation = v.orientation ?? 'rows';
  if (orientation !== 'rows' && orientation !== 'columns') throw new UsageError(`--orientation must be rows or columns, found '${orientation}'`);
  const opts = {
    orientation,
    ...(v.columns !== undefined ? { columns: v.columns.split(',').map((c) => c.trim()) } : {}),
    ...(v.exclude !== undefined ? { exclude: v.exclude.split(',').map((c) => c.trim()) } : {}),
  } as const;
  if (input !== undefined) checkInputFile(input);
  let desc: Described;
  try {
    desc = normalize(await describeSource(input ?? `listen://${v.listen}`, opts));
  } catch (e) {
    if (!(e instanceof Error && /not implemented/.test(e.message))) throw e;
    // WORKAROUND: see the file comment
    const source = await openInput({
      ...(input !== undefined ? { input } : {}),
      ...(v.listen !== undefined ? { listen: parseHostPort(v.listen, '--listen') } : {}),
      onListening: (host, port) => io.stderr.write(`rangefinder: listening on ${host}:${port} for one producer\n`),
    }, opts);
    const info = await source.info();
    let bytes: number | undefined;
    try { if (input !== undefined && input !== '-') bytes = statSync(input).size; } catch { /* not a file */ }
    desc = { where: info.where, replayable: source.replayable, info, ...(bytes !== undefined ? { bytes } : {}) };
  }
  if (v.json) {
    io.stdout.write(`${JSON.stringify(desc)}\n`);
    if (desc.refusal) throw new UsageError(desc.refusal.message);
    return 0;
  }
  const info = desc.info;
  const lines = [`${desc.where}${desc.format ? ` (${desc.format})` : ''}`];
  if (info) {
    lines.push(
      `  shape        ${info.rows ?? '?'} x ${info.cols}${info.orientation === 'columns' ? ' (rows of A^T: --orientation columns)' : ''}`,
      `  layout       ${info.layout}`,
      `  dtype        ${info.dtype}`,
      `  batches      ${info.batches ?? '?'}${info.layout.startsWith('parquet') ? ' row groups' : info.layout.startsWith('npy') || info.layout === 'synthetic' ? ' blocks' : ' record batches'}`,
    );
  }
  lines.push(`  replayable   ${desc.replayable ? 'yes (--passes > 1 allowed)' : 'no (one pass only)'}`);
  if (desc.bytes !== undefined) lines.push(`  bytes        ${desc.bytes}`);
  if (desc.fields) {
    lines.push('  columns');
    const shown = desc.fields.length <= 16 ? desc.fields : desc.fields.filter((f, i) => i < 12 || !f.numeric);
    for (const f of shown) lines.push(`    ${f.used ? '*' : ' '} ${f.name}: ${f.type}${f.numeric ? '' : ' (not numeric)'}`);
    if (shown.length < desc.fields.length) lines.push(`    ... ${desc.fields.length - shown.length} more numeric columns`);
  } else if (info?.columnNames) {
    const names = info.columnNames;
    lines.push(`  columns      ${names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, ... (${names.length})`}`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  if (desc.refusal) throw new UsageError(desc.refusal.message);
  return 0;
}

interface Described {
  where: string;
  format?: string;
  replayable: boolean;
  info?: SourceInfo;
  refusal?: { code: string; message: string };
  fields?: readonly { name: string; type: string; numeric: boolean; used?: boolean }[];
  bytes?: number;
}

/** Accepts both shapes of SourceDescription (flat SourceInfo fields, or `info` + `refusal`). */
function normalize(d: unknown): Described {
  const o = d as Described & Partial<SourceInfo>;
  const info = o.info ?? (o.cols !== undefined ? (o as unknown as SourceInfo) : undefined);
  return { ...o, ...(info ? { info } : {}) };
}
