/**
 * `approx` with one pass of a sketch record [TYUC19 three-sketch, TYUC17 two-sketch, Yu17 rsvd,
 * GLPW16 Frequent Directions]: the source through the `sketchRows` operator with the planner's
 * sizes, then `reconstruct` and the error: the a-posteriori estimate of the error sketch
 * [TYUC19 §6] for the single-view cores, the exact residual sqrt(||A||_F^2 - sum S^2) for rsvd
 * (a projection of A: Pythagoras).
 *
 * U (the streamed-axis factor) is formed only with --out: the range rows go to a file spill as they
 * arrive and U = Y uRight + 1 uShift is streamed from it block by block into the writer. Frequent
 * Directions has no range sketch: U = A V diag(S)^-1 needs a second pass over the input, made when
 * the input is replayable; for a one-shot input U is omitted and a note says so. For a column
 * stream the streamed factor is V of A, whose signs decide the convention (tall-signs.ts).
 */
import { lastValueFrom, Observable, tap } from 'rxjs';
import {
  addSquares, applyRight, createSumSquares, estimateError, flipColumns, lowRankFactors, measuredNorm, reconstruct, residualNorm, screeBounds, ShapeError,
  stateBytes, svd, MEMORY_SPILL_PAGE, timesPowerOfTwo, zeros, type Matrix, type RangeSpill, type SketchMethod, type SketchSizes, type SketchState, type SketchTestMatrix,
} from '../../src/internals.js';
import { sketchRows } from '../operators/sketch-rows.js';
import { peakRssBytes, sketchErrorEstimate, type ApproxResult } from './approx-result.js';
import { drainSource } from '../drain-source.js';
import { createFactorWriter, writeFactor } from './factor-writer.js';
import type { CliRangeSpill } from './range-spill.js';
import type { OutputSet } from './output-set.js';
import type { ProgressMeter } from './progress-meter.js';
import type { ReportRecorder } from './report-recorder.js';
import { blockMatrix, lowRankNote, unscale, type RunContext } from './run-context.js';
import { tallFlips, type TallBlocks } from './tall-signs.js';
import { ZERO_MATRIX_NOTE, writeZeroFactors } from './zero-matrix.js';
import { chooseFromProjection, chooseFromScree, type RankAutoReport, type RankTarget } from './rank-auto.js';
import type { RowBlock } from '../types.js';
import { stallPoint } from '../stall-point.js';

export interface SketchPlan { method: SketchMethod; testMatrix: SketchTestMatrix; sizes: SketchSizes }

export async function runSinglePass(ctx: RunContext, plan: SketchPlan): Promise<ApproxResult> {
  const { source, info } = ctx;
  const method = plan.method;
  const wantFactors = ctx.output !== undefined;
  // The file spill (Arrow IPC) is loaded only when U is written.
  // With --checkpoint the spill is durable, in the checkpoint's directory (checkpoint.ts).
  const spill: CliRangeSpill | undefined = !wantFactors || method === 'fd' ? undefined
    : ctx.checkpoint !== undefined ? ctx.checkpoint.rangeSpill() : (await import('./range-spill.js')).createRangeSpill();
  try {
    const pass = await sketchPass(ctx, plan, spill ?? DISCARD);
    // PCA over rows: mu = 1^T A / m, the column sums the record keeps (exact centering, §6).
    if (ctx.opts.center && info.orientation !== 'columns') ctx.mean = Float64Array.from(pass.state.colSums, (c) => unscale(ctx, c / pass.state.rowsSeen));
    return await finishSketch({
      ...pass, state: pass.state, rank: ctx.opts.rank, memoryBudget: ctx.opts.memoryBudget,
      ...(ctx.opts.rankAuto !== undefined ? { rankAuto: ctx.opts.rankAuto } : {}),
      where: info.where, cols: info.cols, columns: info.orientation === 'columns', exponent: source.exponent,
      meter: ctx.meter, notes: ctx.notes, t0: ctx.t0, startup: ctx.startup,
      ...(ctx.output !== undefined ? { output: ctx.output } : {}), ...(ctx.report !== undefined ? { report: ctx.report } : {}),
      ...(spill !== undefined ? { rangeRows: (visit: RowVisit) => spill.replay(visit) } : {}),
      ...(method === 'fd' && source.replayable ? { inputRows: (visit: RowVisit) => drainSource(source, (b) => visit(b.rowStart, blockMatrix(b))) } : {}),
    });
  } finally {
    spill?.dispose();
  }
}

/** A spill that keeps nothing (no U is asked for). */
const DISCARD: RangeSpill = { write: () => undefined };

/** Visits row blocks (global rowStart, rows). */
export type RowVisit = (rowStart: number, y: Matrix) => void;

/** The record after one pass, ||A||_F measured on the way, and when the pass ran. */
export interface SketchPass {
  state: SketchState;
  /** ||A||_F of the (scaled) input, measured exactly in the pass. */
  normScaled: number;
  /** performance.now() when the pass started and ended, and the ms spent inside the sketch. */
  tPass: number;
  tEnd: number;
  inSketch: number;
}

/**
 * One pass of the source through `sketchRows` with the planner's sizes; the range rows go to
 * `spill` (FD has none). Used by approx and by `sketch --save` (which keeps the record).
 */
export async function sketchPass(ctx: RunContext, plan: SketchPlan, spill: RangeSpill): Promise<SketchPass> {
  const { opts, source, info, meter } = ctx;
  const method = plan.method;
  const columns = info.orientation === 'columns';
  // sketchRows validates the options when it is created and folds the blocks synchronously inside
  // `next` (pull backpressure). A column stream was centered row by row upstream (center-rows.ts).
  const sketchOp = sketchRows({
    cols: info.cols, rank: opts.rank, method, testMatrix: plan.testMatrix, seed: opts.seed, dtype: info.dtype,
    sizes: plan.sizes, center: opts.center && !columns,
    ...(method === 'fd' ? {} : { spill }),
    // A checkpointed run restores its state and saves it after whole cells of the row grid.
  }, ctx.checkpoint?.hooks(spill, () => (source.decided ? source.exponent : null)));
  // ||A||_F is measured exactly on the way (a scaled sum of squares: no overflow near 1e300, no
  // underflow to 0 near 1e-300, an exact zero only for a zero matrix), so `relative` divides by the
  // true norm, not by the error sketch's estimate, and rsvd's residual is exact. The linear records
  // measure it themselves, in the pass that checks each chunk (measuredNorm); Frequent Directions
  // is measured here.
  const f2 = createSumSquares();
  const tapNorm = method === 'fd';
  // The time split (JSON `timings`): the pass, and within it the time inside the sketch (`next` of
  // the fold, synchronous); the rest of the pass is reading and decoding (or waiting for them).
  const tPass = performance.now();
  let inSketch = 0;
  const state = await lastValueFrom(timed((ctx.checkpoint !== undefined ? ctx.checkpoint.source(source) : source).open(), (ms) => { inSketch += ms; }).pipe(
    tap((b) => {
      const n = b.rows * b.cols;
      if (tapNorm) addSquares(f2, b.data, 0, n);
      meter.block(b.rows, n * b.data.BYTES_PER_ELEMENT);
    }),
    sketchOp,
  ));
  const tEnd = performance.now();
  if (state.rowsSeen === 0) throw new ShapeError(`${info.where}: the input has no rows`);
  return { state, normScaled: tapNorm ? residualNorm(f2, []) : measuredNorm(state)!, tPass, tEnd, inSketch };
}

/** What `finishSketch` needs: the record and what the run knows around it. */
export interface FinishInput extends SketchPass {
  /** The rank asked; with `rankAuto`, the rank is chosen from what the sketch vouches for (rank-auto.ts). */
  rank: number;
  rankAuto?: RankTarget;
  memoryBudget: number;
  /** The input's name, and its row length (the streamed rows'). */
  where: string;
  cols: number;
  /** A column stream: the streamed factor is V of A (names and signs swap). */
  columns: boolean;
  /** The input was streamed as 2^-exponent A (scale-extreme.ts). */
  exponent: number;
  output?: OutputSet;
  meter: ProgressMeter;
  notes: string[];
  report?: ReportRecorder;
  t0: number;
  startup: number;
  /** The range rows Y (k wide) in increasing global row order: U = Y uRight + 1 uShift (linear methods). */
  rangeRows?: (visit: RowVisit) => Promise<void>;
  /** FD: the input's rows again (a second pass), for U = A V diag(S)^-1. */
  inputRows?: (visit: RowVisit) => Promise<void>;
}

/**
 * From a record to approx's result: `reconstruct`, the error (rsvd's exact residual, the others'
 * a-posteriori estimate), and with an output set, the tall factor streamed from the range rows
 * (or FD's second pass), S and the wide factor. The zero matrix is answered as numpy does
 * (zero-matrix.ts). Used by approx after its pass and by `merge` after merging shards.
 */
export async function finishSketch(f: FinishInput): Promise<ApproxResult> {
  const { state, normScaled, meter, notes, columns } = f;
  const method = state.method;
  const wantFactors = f.output !== undefined;
  const unscaled = (x: number): number => timesPowerOfTwo(x, f.exponent);
  const m = state.rows;
  const names = columns ? { tall: 'V', wide: 'U' } as const : { tall: 'U', wide: 'V' } as const;
  const sketch = sketchSizes(state, f.rank);
  if (normScaled === 0) {
    // A zero matrix (or, centered, a matrix of identical rows): see zero-matrix.ts.
    const r = Math.min(f.rank, m, f.cols);
    notes.push(ZERO_MATRIX_NOTE);
    const output = wantFactors ? await writeZeroFactors(f.output!, names, m, f.cols, r) : {};
    return {
      input: f.where, rows: columns ? f.cols : m, cols: columns ? m : f.cols, rank: r, passes: 1,
      method, testMatrix: state.testMatrix, sketch, stateBytes: stateBytes(state), memoryBudget: f.memoryBudget,
      singularValues: new Array<number>(r).fill(0),
      errorEstimate: { frobenius: 0, relative: 0, normA: 0, kind: method === 'rsvd' ? 'residual' : 'sketch', reliable: true },
      seconds: (performance.now() - f.t0) / 1000, peakRssBytes: peakRssBytes(),
      ...(wantFactors ? { output } : {}), notes,
    };
  }
  // --rank auto: the rank from what the sketch vouches for (rank-auto.ts), then the factors of that rank.
  let rankAuto: RankAutoReport | undefined;
  if (f.rankAuto !== undefined) {
    const what = `this ${method} sketch (width ${state.sizes.k})`;
    if (method === 'rsvd') {
      const lr = lowRankFactors(state, { formQ: false });
      const sAll = lr.c.rows > 0 && lr.c.cols > 0 ? svd(lr.c, { vectors: false }).s : new Float64Array(0);
      rankAuto = chooseFromProjection(f.rankAuto, sAll, normScaled, 'projection', what);
    } else {
      rankAuto = chooseFromScree(f.rankAuto, state, what);
      notes.push(`--rank auto with the ${method}: rank ${rankAuto.rank} was chosen from the a-posteriori scree bound [TYUC19 §6.2], an estimate, not a certificate; the one-pass rsvd (--method auto) certifies what it explains`);
    }
  }
  const asked = rankAuto?.rank ?? f.rank;
  if (rankAuto !== undefined && method === 'rsvd') sketch.oversamples = state.sizes.k - asked;
  const rec = reconstruct(state, { rank: asked, signs: columns ? 'pending' : 'v' });
  const tOutput = performance.now();
  notes.push(...rec.notes);
  const r = rec.s.length;
  const low = rec.notes.length === 0 ? lowRankNote(asked, r) : null;
  if (low !== null) notes.push(low);
  const sValues = Float64Array.from(rec.s, unscaled);
  const output: Record<string, string> = {};
  if (wantFactors) {
    const set = f.output!;
    const out = zeros(Math.max(1, state.sizes.chunk, MEMORY_SPILL_PAGE), r);
    // The tall factor's blocks: from the range rows (Y uRight + 1 uShift), or for FD from a second pass.
    const rows = method !== 'fd' ? (f.rangeRows !== undefined ? globalPages(f.rangeRows) : undefined) : f.inputRows;
    const tall: TallBlocks | undefined = rows === undefined ? undefined
      : (visit) => rows((r0, y) => applyBlocks(y, r0, rec.uRight, method !== 'fd' ? rec.uShift : undefined, out, visit));
    if (tall === undefined) {
      notes.push(`${names.tall} not written: Frequent Directions keeps no range sketch, so ${names.tall} = A V diag(S)^-1 needs a second pass, and ${f.where} is one-shot (use a file input)`);
    } else {
      if (columns) flipColumns(rec, await tallFlips(tall, r));
      const writer = await createFactorWriter(set, names.tall, m, r);
      try {
        meter.phase(`writing ${names.tall}`);
        let first = true;
        await tall((r0, b) => {
          writer.write(r0, b);
          if (first) { first = false; stallPoint('u-write'); } // tests: a kill while U is written
        });
        await writer.close();
        output[names.tall] = writer.path;
      } catch (e) {
        writer.abort();
        throw e;
      }
    }
    output.S = await writeFactor(set, 'S', sValues);
    output[names.wide] = await writeFactor(set, names.wide, rec.v);
  }
  // rsvd returns a projection of A: its residual sqrt(||A||^2 - sum s^2) is exact; the single-view
  // cores report the a-posteriori estimate of the error sketch [TYUC19 §6].
  const normA = unscaled(normScaled);
  let errorEstimate: ApproxResult['errorEstimate'];
  if (method === 'rsvd') {
    const frobScaled = residualNorm({ scale: normScaled, ssq: 1 }, rec.s);
    errorEstimate = { frobenius: unscaled(frobScaled), relative: frobScaled / normScaled, normA, kind: 'residual', reliable: true };
  } else {
    // With its reliability [docs/METHODS.md §4]: no number when the estimate cannot be trusted by construction.
    const est = estimateError(state, rec);
    errorEstimate = sketchErrorEstimate(est, normScaled, normA, unscaled);
    if (!est.reliable) notes.push(`no reliable error estimate: ${est.unreliable}`);
  }
  if (f.report) f.report.scree = screeBounds(state); // --report: the scree plot [TYUC19 §6.2]
  return {
    input: f.where,
    rows: columns ? f.cols : m, cols: columns ? m : f.cols, rank: r,
    passes: method === 'fd' && wantFactors && f.inputRows !== undefined ? 2 : 1,
    method, testMatrix: state.testMatrix, sketch, stateBytes: stateBytes(state), memoryBudget: f.memoryBudget,
    singularValues: Array.from(sValues), errorEstimate,
    seconds: (performance.now() - f.t0) / 1000, peakRssBytes: peakRssBytes(),
    timings: {
      startup: f.startup, open: (f.tPass - f.t0) / 1000, read: (f.tEnd - f.tPass - f.inSketch) / 1000, sketch: f.inSketch / 1000,
      reconstruct: (tOutput - f.tEnd) / 1000, output: (performance.now() - tOutput) / 1000,
    },
    ...(wantFactors ? { output } : {}), ...(rankAuto ? { rankAuto } : {}), notes,
  };
}

/** The sizes of a record as the JSON `sketch` says them (rsvd's width is l, with its oversampling). */
export function sketchSizes(state: SketchState, rank: number): Record<string, number | string> {
  const { k, s, l, q, rule } = state.sizes;
  switch (state.method) {
    case 'fd': return { l, q, rule };
    case 'three-sketch': return { k, s, q, rule };
    case 'two-sketch': return { k, l, q, rule };
    case 'rsvd': return { l: k, oversamples: k - rank, q, rule };
  }
}

/** The source's blocks, reporting the milliseconds each `next` took downstream (the sketch: it is synchronous). */
function timed(src: Observable<RowBlock>, busy: (ms: number) => void): Observable<RowBlock> {
  return new Observable<RowBlock>((sub) => src.subscribe({
    next: (b) => { const t = performance.now(); sub.next(b); busy(performance.now() - t); },
    error: (e: unknown) => sub.error(e),
    complete: () => sub.complete(),
  }));
}

/** Blocks of the tall factor: rows of y times `right` (+ `shift`), in pieces of the workspace's height. */
function applyBlocks(y: Matrix, r0: number, right: Matrix, shift: Float64Array | undefined, out: Matrix,
  visit: (rowStart: number, block: Matrix) => void): void {
  const r = right.cols;
  for (let i0 = 0; i0 < y.rows; i0 += out.rows) {
    const b = Math.min(out.rows, y.rows - i0);
    const yb: Matrix = { rows: b, cols: y.cols, data: y.data, offset: y.offset + i0 * y.stride, stride: y.stride };
    const ob: Matrix = { rows: b, cols: r, data: out.data, offset: 0, stride: r };
    applyRight(yb, right, ob, shift);
    visit(r0 + i0, ob);
  }
}

/**
 * Range rows (arriving in increasing row order) regrouped into pages of MEMORY_SPILL_PAGE rows
 * aligned at global row multiples, as `reconstruct` forms U from a memory spill: the GEMM's rounding
 * depends on the height of the product (tiny ones take the TypeScript path, others the WebAssembly
 * kernels), so fixed pages make U's bits independent of how the rows were blocked, spilled or
 * split into shards — a merge of shards writes the bits of the same shards merged in memory.
 */
function globalPages(rows: (visit: RowVisit) => Promise<void>): (visit: RowVisit) => Promise<void> {
  const P = MEMORY_SPILL_PAGE;
  return async (visit) => {
    let page: Matrix | undefined, start = 0, filled = 0;
    const flush = (): void => {
      if (page !== undefined && filled > 0) visit(start, { ...page, rows: filled });
      filled = 0;
    };
    await rows((r0, y) => {
      page ??= zeros(P, y.cols);
      for (let i = 0; i < y.rows;) {
        const row = r0 + i;
        if (filled > 0 && row !== start + filled) flush();
        if (filled === 0) start = row;
        const take = Math.min(y.rows - i, P - (start % P) - filled);
        for (let t = 0; t < take; t++) {
          const src = y.offset + (i + t) * y.stride, dst = (filled + t) * y.cols;
          for (let j = 0; j < y.cols; j++) page.data[dst + j] = y.data[src + j];
        }
        filled += take; i += take;
        if ((start + filled) % P === 0) flush();
      }
    });
    flush();
  };
}
