/**
 * `rangefinder sketch INPUT --save FILE.rfsk`: one shard's one-pass sketch, saved with its range
 * rows so that `rangefinder merge` can form U, S, V of the whole matrix later, anywhere
 * [docs/METHODS.md §6 "Merging shards"; the file: docs/FORMATS.md].
 *
 * It takes approx's input and sketch options (approx-args.ts `parseRunArgs`), opens the input as
 * approx does (run-approx.ts `openApproxInput`), plans with approx's planner (`planFor`) and runs
 * approx's pass (run-single-pass.ts `sketchPass`), then saves instead of reconstructing. What is
 * particular to a shard:
 *
 * - Rows carry their global numbers (the row-indexed maps are drawn from them): `--rows START:END`
 *   reads rows [START, END) of the input, numbered from START unless `--row-offset N` says where
 *   they go; a separate file per shard needs `--row-offset` (the rows of the files before it).
 * - Every shard must get the same sizes, so the sizes never depend on the shard's own rows: the
 *   planner is told `--total-rows M` (the whole matrix's rows, as approx on the whole would be) or
 *   no rows at all. Shards with the same options and budget (or the same --range-dim /
 *   --oversamples) and the same --total-rows (or none) merge.
 * - Whole rows, by rows: the methods whose shards merge exactly (rsvd, the default; three-sketch,
 *   two-sketch). `--non-finite skip` is refused (it renumbers rows).
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { disposeSketch, stateBytes, type SketchState } from '../../src/internals.js';
import { saveSketch, type InputIdentity, type SketchFileInfo } from '../sketch-file.js';
import { scaleExtremeValues } from '../wrappers/scale-extreme.js';
import type { RowSelection } from '../wrappers/select-rows.js';
import { parseRunArgs, positiveInt, type ApproxOptions } from './approx-args.js';
import { peakRssBytes } from './approx-result.js';
import { SKETCH_HELP } from './help-text.js';
import { checkOutputDir } from './output-set.js';
import { packageVersion } from './package-version.js';
import { createProgressMeter } from './progress-meter.js';
import { checkRank, openApproxInput, planFor, type CommandIo } from './run-approx.js';
import type { RunContext } from './run-context.js';
import { UsageError } from './usage-error.js';

export interface SketchCommandOptions {
  approx: ApproxOptions;
  save: string;
  /** --rows START:END (END undefined: to the end). */
  rows?: { start: number; end?: number };
  rowOffset?: number;
  totalRows?: number;
}

/** What `sketch --json` prints. */
export interface SketchResult {
  input: string;
  /** Rows of this shard, and where they go in the merged matrix. */
  rows: number;
  cols: number;
  rowOffset: number;
  totalRows?: number;
  rank: number;
  method: string;
  testMatrix: string;
  sketch: Record<string, number | string>;
  stateBytes: number;
  memoryBudget: number;
  saved: { path: string; bytes: number; sections: Record<string, number> };
  seconds: number;
  peakRssBytes: number;
  reasons: string[];
  notes: string[];
}

const SHARD_METHODS = ['auto', 'rsvd', 'three-sketch', 'two-sketch'];

export function parseSketchArgs(argv: readonly string[]): SketchCommandOptions & { help: boolean } {
  const { opts, values } = parseRunArgs(argv, 'sketch', {
    omit: ['out', 'report', 'format', 'passes', 'demo', 'orientation'],
    extra: { save: { type: 'string' }, rows: { type: 'string' }, 'row-offset': { type: 'string' }, 'total-rows': { type: 'string' } },
  });
  const save = values.save as string | undefined;
  if (!opts.help) {
    if (save === undefined || save.length === 0) throw new UsageError('sketch needs --save FILE.rfsk: where to write the sketch (see rangefinder sketch --help)');
    if (!SHARD_METHODS.includes(opts.method)) {
      throw new UsageError(`sketch saves a one-pass sketch whose shards merge: --method must be ${SHARD_METHODS.join(', ')}, found '${opts.method}'`);
    }
    if (opts.nonFinite === 'skip') throw new UsageError('sketch refuses --non-finite skip: it renumbers the rows after a dropped one, and a shard\'s rows must keep their global numbers (use zero or error)');
  }
  opts.orientation = 'rows';
  const out: SketchCommandOptions & { help: boolean } = { approx: opts, save: save ?? '', help: opts.help };
  const rows = values.rows as string | undefined;
  if (rows !== undefined) {
    const m = /^\s*(\d+)\s*:\s*(\d*)\s*$/.exec(rows);
    if (m === null) throw new UsageError(`--rows expects START:END (rows START to END - 1, END may be left out for the end), found '${rows}'`);
    const start = Number(m[1]), end = m[2] === '' ? undefined : Number(m[2]);
    if (end !== undefined && end <= start) throw new UsageError(`--rows ${rows}: END must be larger than START`);
    out.rows = end === undefined ? { start } : { start, end };
  }
  const offset = values['row-offset'] as string | undefined;
  if (offset !== undefined) {
    if (!/^\s*\d+\s*$/.test(offset)) throw new UsageError(`--row-offset expects an integer from 0, found '${offset}'`);
    out.rowOffset = Number(offset);
  }
  const total = values['total-rows'] as string | undefined;
  if (total !== undefined) out.totalRows = positiveInt(total, '--total-rows');
  return out;
}

export async function sketchCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const cmd = parseSketchArgs(argv);
  if (cmd.help) { io.stdout.write(SKETCH_HELP); return 0; }
  const opts = cmd.approx;
  // The destination is checked before a byte of the input is read (a stream cannot be read again).
  checkOutputDir(`--save ${cmd.save}`, dirname(cmd.save));
  const [{ startKernelThreads }, { sketchPass, sketchSizes }, { createRangeSpill }] = await Promise.all([
    import('../thread-pool.js'), import('./run-single-pass.js'), import('./range-spill.js'),
  ]);
  let threadError: unknown;
  const threads = opts.threads > 1 ? startKernelThreads(opts.threads).catch((e: unknown) => { threadError = e; return null; }) : null;
  const spill = createRangeSpill();
  let state: SketchState | undefined;
  try {
    const t0 = performance.now();
    const select: RowSelection | undefined = cmd.rows !== undefined || cmd.rowOffset !== undefined
      ? { start: cmd.rows?.start ?? 0, ...(cmd.rows?.end !== undefined ? { end: cmd.rows.end } : {}), ...(cmd.rowOffset !== undefined ? { offset: cmd.rowOffset } : {}) }
      : undefined;
    const { source, info, inputRows: whole } = await openApproxInput(opts, io, select);
    checkRank(opts.rank, info, cmd.totalRows);
    // The sizes must be the same for every shard: planned for the declared total, or for no m at all.
    const plan = planFor(opts, info, 'rows', cmd.totalRows);
    if (plan.kind !== 'sketch') throw new UsageError(`sketch: the plan is not a one-pass sketch (${plan.kind})`);
    const meter = createProgressMeter(opts.progress && io.stderr.isTTY === true, info.rows, io.stderr);
    const ctx: RunContext = {
      opts, source: scaleExtremeValues(source), info, meter, t0, startup: process.uptime() - (performance.now() - t0) / 1000, notes: [],
    };
    let pass;
    try { pass = await sketchPass(ctx, plan, spill); } finally { meter.done(); }
    state = pass.state;
    const offset = state.covered[0] ?? 0, count = state.rowsSeen;
    if (cmd.totalRows !== undefined && offset + count > cmd.totalRows) {
      throw new UsageError(`--total-rows ${cmd.totalRows}: this shard's rows ${offset}..${offset + count - 1} go past it`);
    }
    const header: SketchFileInfo = {
      kind: 'shard', writer: `rangefinder ${packageVersion()}`, orientation: 'rows',
      ...(info.columnNames !== undefined ? { columnNames: [...info.columnNames] } : {}),
      rows: { offset, count, covered: state.covered.slice(), ...(cmd.totalRows !== undefined ? { total: cmd.totalRows } : {}) },
      input: inputIdentity(opts, info, whole, cmd.rows),
      memoryBudget: opts.memoryBudget,
      // Values at the ends of the float64 range are streamed as 2^-e A (scale-extreme.ts): shards
      // merge only with the same e.
      scaleExponent: ctx.source.exponent,
    };
    const written = await saveSketch(cmd.save, state, header, (visit) => spill.replay(visit));
    const result: SketchResult = {
      input: info.where, rows: count, cols: info.cols, rowOffset: offset, ...(cmd.totalRows !== undefined ? { totalRows: cmd.totalRows } : {}),
      rank: opts.rank, method: state.method, testMatrix: state.testMatrix,
      sketch: sketchSizes(state, opts.rank),
      stateBytes: stateBytes(state), memoryBudget: opts.memoryBudget,
      saved: { path: cmd.save, bytes: written.bytes, sections: Object.fromEntries(written.sections.map((x) => [x.name, x.bytes])) },
      seconds: (performance.now() - t0) / 1000, peakRssBytes: peakRssBytes(), reasons: plan.reasons, notes: ctx.notes,
    };
    if (threadError !== undefined) result.notes.push(`the kernel threads did not start (${String(threadError)}): the run used one thread`);
    if (source.stats.rowsZeroed > 0) result.notes.push(`--non-finite zero: ${source.stats.valuesZeroed} NaN, Inf or null values in ${source.stats.rowsZeroed} rows were set to 0`);
    io.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatSketchSummary(result));
    for (const note of result.notes) io.stderr.write(`rangefinder: note: ${note}\n`);
    return 0;
  } finally {
    spill.dispose();
    if (state !== undefined) disposeSketch(state);
    await (await threads)?.stop();
  }
}

function inputIdentity(opts: ApproxOptions, info: { where: string; cols: number; dtype: string; layout: string }, whole: number | undefined,
  rows: { start: number; end?: number } | undefined): InputIdentity {
  const id: InputIdentity = { where: info.where, cols: info.cols, dtype: info.dtype, layout: info.layout };
  if (opts.input !== undefined) {
    try {
      const st = statSync(opts.input);
      if (st.isFile()) { id.bytes = st.size; id.mtimeMs = st.mtimeMs; }
    } catch { /* a stream or synthetic input */ }
  }
  if (whole !== undefined) id.rows = whole;
  if (rows !== undefined) id.select = [rows.start, rows.end ?? whole ?? rows.start];
  return id;
}

function formatSketchSummary(r: SketchResult): string {
  const sizes = Object.entries(r.sketch).map(([k, v]) => `${k} = ${v}`).join(', ');
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(2)} MiB`;
  return [
    `${r.input}: rows ${r.rowOffset}..${r.rowOffset + r.rows - 1} (${r.rows} x ${r.cols})${r.totalRows !== undefined ? ` of ${r.totalRows}` : ''}`,
    `method ${r.method}, rank ${r.rank}, ${sizes}`,
    `saved ${r.saved.path}: ${mib(r.saved.bytes)} (sketch ${mib(r.saved.sections.sketch ?? 0)}, range rows ${mib(r.saved.sections.range ?? 0)})`,
    `time ${r.seconds.toFixed(2)} s, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  ].join('\n') + '\n';
}
