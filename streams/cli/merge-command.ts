/**
 * `rangefinder merge A.rfsk B.rfsk ... [--rank R] [--out PREFIX]`: the shards saved by
 * `rangefinder sketch --save` become one sketch, and the factors of the whole matrix are written
 * exactly as approx writes them [docs/METHODS.md §6 "Merging shards"; the file: docs/FORMATS.md].
 *
 * - Every file is checked whole before anything is computed (sketch-file.ts: magic, version,
 *   truncation, checksums); a bad one is a one-line error naming it (exit 2), and no output exists.
 * - Compatibility: method, test matrix, dtype, seed, columns, rank, sizes, centering, column names
 *   and value scale must agree; a refusal names the field and the two files. The rows must not
 *   overlap (a shard given twice, or two shards with the same rows) and must cover 0..m-1 without a
 *   gap (and m must equal a declared --total-rows), so that U has one row per row of A.
 * - The shards are merged in a fixed order, by their first row (`mergeSketches`, a left fold), so
 *   the result does not depend on the order of the arguments.
 * - U = Y uRight + 1 uShift is streamed from each shard's range rows in global row order into the
 *   writer; U, S, V and the summary are committed as one set (output-set.ts), as approx does
 *   (run-single-pass.ts `finishSketch`); the JSON is approx's plus `shards`.
 */
import {
  disposeSketch, FormatError, IncompatibleMergeError, measuredNorm, mergeSketches, type Matrix, type SketchState,
} from '../../src/internals.js';
import { checkHeader, forEachRangeBlock, readSketchFile, shapeDifference, sketchOf, type SketchFile, type SketchFileHeader } from '../sketch-file.js';
import { parseCommandLine, positiveInt, type OutFormat } from './approx-args.js';
import type { ApproxResult } from './approx-result.js';
import { formatSummary } from './approx-command.js';
import { MERGE_HELP } from './help-text.js';
import { prepareOutputSet } from './output-set.js';
import { createProgressMeter } from './progress-meter.js';
import type { CommandIo } from './run-approx.js';
import { UsageError } from './usage-error.js';

export interface MergeOptions {
  files: string[];
  rank?: number;
  out?: string;
  format: OutFormat;
  json: boolean;
  progress: boolean;
  help: boolean;
}

/** One shard in the summary. */
export interface MergedShard {
  path: string;
  rows: [number, number];
  input?: string;
  bytes: number;
}

export function parseMergeArgs(argv: readonly string[]): MergeOptions {
  const parsed = parseCommandLine(argv, 'merge', {
    rank: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' },
    'no-progress': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  const v = parsed.values;
  const format = v.format ?? 'npy';
  if (format !== 'npy' && format !== 'arrow' && format !== 'parquet') throw new UsageError(`--format must be npy, arrow or parquet, found '${format}'`);
  if (v.format !== undefined && v.out === undefined) throw new UsageError('--format needs --out PREFIX');
  if (v.out !== undefined && v.out.length === 0) throw new UsageError('--out expects a file prefix');
  const opts: MergeOptions = { files: parsed.positionals, format, json: v.json === true, progress: v['no-progress'] !== true, help: v.help === true };
  if (!opts.help && opts.files.length === 0) throw new UsageError('merge needs the sketch files to merge: rangefinder merge A.rfsk B.rfsk ... (see rangefinder merge --help)');
  if (v.rank !== undefined) opts.rank = positiveInt(v.rank, '--rank');
  if (v.out !== undefined) opts.out = v.out;
  return opts;
}

interface Shard {
  file: SketchFile;
  header: SketchFileHeader;
  /** Its first row and its number of rows. */
  first: number;
  count: number;
}

export async function mergeCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const opts = parseMergeArgs(argv);
  if (opts.help) { io.stdout.write(MERGE_HELP); return 0; }
  const t0 = performance.now();
  // The output is checked before any shard is read.
  const output = opts.out !== undefined ? prepareOutputSet(opts.out, opts.format) : undefined;
  const shards: Shard[] = [];
  let state: SketchState | undefined;
  try {
    // Every file is checked whole (checksums included) before anything is computed.
    for (const path of opts.files) {
      const file = readSketchFile(path);
      const header = checkHeader(file);
      if (header.orientation !== 'rows') throw new FormatError(`${path}: a sketch streamed by ${String(header.orientation)} cannot be merged as rows of one matrix`);
      shards.push({ file, header, first: header.rows.covered[0] ?? 0, count: header.rows.count });
    }
    // A fixed order: by first row (ties: as given; a tie is an overlap, refused below).
    shards.sort((a, b) => a.first - b.first);
    const m = checkShards(shards);
    if (output !== undefined) for (const s of shards) checkRange(s);
    const head = shards[0].header, shape = head.sketch;
    const rank = opts.rank ?? shape.rank;
    if (rank > Math.min(m, shape.cols)) throw new UsageError(`--rank ${rank} exceeds min(rows, cols) = ${Math.min(m, shape.cols)} of the merged matrix (${m} x ${shape.cols})`);
    // A left fold in row order, one shard's record in memory at a time beside the running sum.
    for (const s of shards) {
      const next = sketchOf(s.file);
      if (state === undefined) { state = next; continue; }
      const sum = mergeSketches(state, next);
      disposeSketch(state); disposeSketch(next);
      state = sum;
    }
    if (state === undefined) throw new UsageError('merge needs at least one sketch file');
    const tEnd = performance.now();
    const normScaled = measuredNorm(state);
    if (normScaled === undefined) throw new FormatError(`the merged sketch does not know ||A||_F (a shard absorbed updates that are not whole rows); merge cannot write approx's summary for it`);
    const sources = new Set(shards.map((s) => s.header.input?.where));
    const where = sources.size === 1 && head.input !== undefined ? head.input.where : `${shards.length} shards`;
    const meter = createProgressMeter(opts.progress && io.stderr.isTTY === true, m, io.stderr);
    const { finishSketch } = await import('./run-single-pass.js');
    let result: ApproxResult & { shards?: MergedShard[] };
    try {
      result = await finishSketch({
        state, normScaled, tPass: t0, tEnd, inSketch: 0,
        rank, memoryBudget: typeof head.memoryBudget === 'number' ? head.memoryBudget : 0,
        where, cols: shape.cols, columns: false, exponent: typeof head.scaleExponent === 'number' ? head.scaleExponent : 0,
        meter, notes: [], t0, startup: process.uptime() - (performance.now() - t0) / 1000,
        ...(output !== undefined ? { output } : {}),
        rangeRows: async (visit) => { for (const s of shards) rangeInOrder(s, visit); },
      });
    } finally {
      meter.done();
    }
    result.orientation = 'rows';
    result.orientationReason = 'shards are sketched by rows';
    result.reasons = [`${shards.length} shard${shards.length === 1 ? '' : 's'} merged in row order (mergeSketches: the sums add, the TSQR factors merge by one more QR) [docs/METHODS.md §6]`];
    result.shards = shards.map((s) => ({
      path: s.file.path, rows: [s.first, s.first + s.count] as [number, number],
      ...(s.header.input !== undefined ? { input: s.header.input.where } : {}), bytes: s.file.bytes,
    }));
    if (output !== undefined) result.output = await output.commit(result);
    io.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatSummary(result));
    for (const note of result.notes) io.stderr.write(`rangefinder: note: ${note}\n`);
    return 0;
  } catch (e) {
    output?.abort();
    throw e;
  } finally {
    if (state !== undefined) disposeSketch(state);
  }
}

/**
 * The shards (sorted by first row) must agree on every option that shapes the sketch and on how
 * their values were scaled, must not overlap, and must cover rows 0..m-1 (m = any declared total).
 * Returns m.
 */
function checkShards(shards: readonly Shard[]): number {
  const a = shards[0];
  for (const b of shards.slice(1)) {
    const d = shapeDifference(a.header.sketch, b.header.sketch);
    if (d !== null) {
      throw new IncompatibleMergeError(`cannot merge ${a.file.path} and ${b.file.path}: their ${d[0]} differs (${d[1]} vs ${d[2]}); ` +
        'sketch every shard with the same --seed, --method, --test-matrix, --rank, sizes (--memory-budget and --total-rows, or --range-dim / --oversamples) and --center');
    }
    const names = (h: SketchFileHeader): string => JSON.stringify(h.columnNames ?? null);
    if (a.header.columnNames !== undefined && b.header.columnNames !== undefined && names(a.header) !== names(b.header)) {
      throw new IncompatibleMergeError(`cannot merge ${a.file.path} and ${b.file.path}: their column names differ (the columns are not the same, or not in the same order; use --columns)`);
    }
    if ((a.header.scaleExponent ?? 0) !== (b.header.scaleExponent ?? 0)) {
      throw new IncompatibleMergeError(`cannot merge ${a.file.path} and ${b.file.path}: their value scale differs (2^${String(a.header.scaleExponent)} vs 2^${String(b.header.scaleExponent)}: values near the ends of the float64 range were rescaled differently)`);
    }
  }
  let end = 0;
  for (let i = 0; i < shards.length; i++) {
    const s = shards[i], cov = s.header.rows.covered;
    const lo = cov[0] ?? 0;
    if (lo < end) {
      const prev = shards.slice(0, i).find((p) => intersects(p.header.rows.covered, lo, end))!;
      const hi = Math.min(end, cov[cov.length - 1]);
      const same = prev.file.path === s.file.path ? '; the same file is given twice' : '';
      throw new IncompatibleMergeError(`cannot merge ${prev.file.path} and ${s.file.path}: both hold rows ${lo}..${hi - 1} (overlapping row ranges${same}); ` +
        'give each shard its own rows with --rows START:END or --row-offset N');
    }
    if (lo > end) throw new IncompatibleMergeError(`cannot merge: no shard holds rows ${end}..${lo - 1} (a shard is missing, or a --row-offset is wrong)`);
    if (cov.length > 2) throw new IncompatibleMergeError(`cannot merge: ${s.file.path} does not hold rows ${cov[1]}..${cov[2] - 1} between its own`);
    end = cov[cov.length - 1] ?? lo;
  }
  const totals = new Set(shards.map((s) => s.header.rows.total).filter((t) => t !== undefined));
  if (totals.size > 1) throw new IncompatibleMergeError(`cannot merge: the shards declare different --total-rows (${[...totals].join(', ')})`);
  const [total] = totals;
  if (total !== undefined && total !== end) {
    throw new IncompatibleMergeError(`cannot merge: the shards hold rows 0..${end - 1} but declare --total-rows ${total}` + (end < total ? ` (rows ${end}..${total - 1} are in no shard)` : ''));
  }
  return end;
}

function intersects(cov: readonly number[], lo: number, hi: number): boolean {
  for (let t = 0; t < cov.length; t += 2) if (cov[t] < hi && cov[t + 1] > lo) return true;
  return false;
}

/** Before anything is written: the shard has its range rows, as many as its sketch absorbed. */
function checkRange(s: Shard): void {
  const meta = s.file.section('range')?.meta as { rows?: unknown } | undefined;
  if (meta === undefined) throw new FormatError(`${s.file.path}: the file has no range rows (section 'range'), so U cannot be formed from it; merge without --out gives S only`);
  if (meta.rows !== s.count) throw new FormatError(`${s.file.path}: it holds ${String(meta.rows)} range rows for the ${s.count} rows of its sketch`);
}

/** A shard's range rows, which must be its rows in increasing order, each once. */
function rangeInOrder(s: Shard, visit: (rowStart: number, y: Matrix) => void): void {
  let next = s.first;
  forEachRangeBlock(s.file, (r0, y) => {
    if (r0 !== next) throw new FormatError(`${s.file.path}: its range rows are not its rows in order (a block at row ${r0}, expected ${next})`);
    visit(r0, y);
    next += y.rows;
  });
  if (next !== s.first + s.count) {
    throw new FormatError(`${s.file.path}: its range rows end at row ${next}, its sketch holds rows to ${s.first + s.count - 1}`);
  }
}
