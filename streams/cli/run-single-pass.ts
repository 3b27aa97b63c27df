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
  addSquares, applyRight, createSumSquares, estimateError, flipColumns, lowRankFactors, measuredNorm, reconstruct, svd, residualNorm, screeBounds, ShapeError, stateBytes, zeros,
  type Matrix, type RangeSpill, type SketchMethod, type SketchSizes, type SketchTestMatrix,
} from '../../src/internals.js';
import { sketchRows } from '../operators/sketch-rows.js';
import { peakRssBytes, sketchErrorEstimate, type ApproxResult } from './approx-result.js';
import { drainSource } from '../drain-source.js';
import { createFactorWriter, writeFactor } from './factor-writer.js';
import type { CliRangeSpill } from './range-spill.js';
import { blockMatrix, factorNames, lowRankNote, unscale, type RunContext } from './run-context.js';
import { tallFlips, type TallBlocks } from './tall-signs.js';
import { ZERO_MATRIX_NOTE, writeZeroFactors } from './zero-matrix.js';
import { chooseFromProjection, chooseFromScree, type RankAutoReport } from './rank-auto.js';
import type { RowBlock } from '../types.js';
import { stallPoint } from '../stall-point.js';

export interface SketchPlan { method: SketchMethod; testMatrix: SketchTestMatrix; sizes: SketchSizes }

export async function runSinglePass(ctx: RunContext, plan: SketchPlan): Promise<ApproxResult> {
  const { opts, source, info, meter, notes } = ctx;
  const method = plan.method;
  const wantFactors = ctx.output !== undefined;
  // The file spill (Arrow IPC) is loaded only when U is written.
  // With --checkpoint the spill is durable, in the checkpoint's directory (checkpoint.ts).
  const ck = ctx.checkpoint;
  const spill: CliRangeSpill | undefined = !wantFactors || method === 'fd' ? undefined
    : ck !== undefined ? ck.rangeSpill() : (await import('./range-spill.js')).createRangeSpill();
  const discard: RangeSpill = { write: () => undefined };
  const columns = info.orientation === 'columns';
  try {
    // sketchRows validates the options when it is created and folds the blocks synchronously inside
    // `next` (pull backpressure). A column stream was centered row by row upstream (center-rows.ts).
    // A checkpointed run restores its state and saves it after whole cells of the row grid.
    const sketchOp = sketchRows({
      cols: info.cols, rank: opts.rank, method, testMatrix: plan.testMatrix, seed: opts.seed, dtype: info.dtype,
      sizes: plan.sizes, center: opts.center && !columns,
      ...(method === 'fd' ? {} : { spill: spill ?? discard }),
    }, ck?.hooks(spill ?? discard, () => (ctx.source.decided ? ctx.source.exponent : null)));
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
    const state = await lastValueFrom(timed((ck !== undefined ? ck.source(source) : source).open(), (ms) => { inSketch += ms; }).pipe(
      tap((b) => {
        const n = b.rows * b.cols;
        if (tapNorm) addSquares(f2, b.data, 0, n);
        meter.block(b.rows, n * b.data.BYTES_PER_ELEMENT);
      }),
      sketchOp,
    ));
    const tReconstruct = performance.now();
    if (state.rowsSeen === 0) throw new ShapeError(`${info.where}: the input has no rows`);
    const m = state.rows;
    const names = factorNames(info);
    const { k, s, l, q, rule } = state.sizes;
    const sketch: Record<string, number | string> = method === 'fd' ? { l, q, rule }
      : method === 'three-sketch' ? { k, s, q, rule } : method === 'two-sketch' ? { k, l, q, rule } : { l: k, oversamples: k - opts.rank, q, rule };
    // ||A||_F of the input (centered with --center: FD has no centering, the planner refuses it; a
    // column stream arrives centered), in the scaled units of the stream.
    const normScaled = tapNorm ? residualNorm(f2, []) : measuredNorm(state)!;
    // PCA over rows: mu = 1^T A / m, the column sums the record keeps (exact centering, §6).
    if (opts.center && !columns) ctx.mean = Float64Array.from(state.colSums, (c) => unscale(ctx, c / state.rowsSeen));
    if (normScaled === 0) {
      // A zero matrix (or, centered, a matrix of identical rows): see zero-matrix.ts.
      const r = Math.min(opts.rank, m, info.cols);
      notes.push(ZERO_MATRIX_NOTE);
      const output = wantFactors ? await writeZeroFactors(ctx.output!, names, m, info.cols, r) : {};
      return {
        input: info.where, rows: columns ? info.cols : m, cols: columns ? m : info.cols, rank: r, passes: 1,
        method, testMatrix: state.testMatrix, sketch, stateBytes: stateBytes(state), memoryBudget: opts.memoryBudget,
        singularValues: new Array<number>(r).fill(0),
        errorEstimate: { frobenius: 0, relative: 0, normA: 0, kind: method === 'rsvd' ? 'residual' : 'sketch', reliable: true },
        seconds: (performance.now() - ctx.t0) / 1000, peakRssBytes: peakRssBytes(),
        ...(wantFactors ? { output } : {}), notes,
      };
    }
    // --rank auto: the rank from what the sketch vouches for (rank-auto.ts), then the factors of that rank.
    let rankAuto: RankAutoReport | undefined;
    if (opts.rankAuto !== undefined) {
      const what = `this ${method} sketch (width ${state.sizes.k})`;
      if (method === 'rsvd') {
        const f = lowRankFactors(state, { formQ: false });
        const sAll = f.c.rows > 0 && f.c.cols > 0 ? svd(f.c, { vectors: false }).s : new Float64Array(0);
        rankAuto = chooseFromProjection(opts.rankAuto, sAll, normScaled, 'projection', what);
      } else {
        rankAuto = chooseFromScree(opts.rankAuto, state, what);
        notes.push(`--rank auto with the ${method}: rank ${rankAuto.rank} was chosen from the a-posteriori scree bound [TYUC19 §6.2], an estimate, not a certificate; the one-pass rsvd (--method auto) certifies what it explains`);
      }
    }
    const asked = rankAuto?.rank ?? opts.rank;
    if (rankAuto !== undefined && method === 'rsvd') sketch.oversamples = k - asked;
    const rec = reconstruct(state, { rank: asked, signs: columns ? 'pending' : 'v' });
    const tOutput = performance.now();
    notes.push(...rec.notes);
    const r = rec.s.length;
    const low = rec.notes.length === 0 ? lowRankNote(asked, r) : null;
    if (low !== null) notes.push(low);
    const sValues = Float64Array.from(rec.s, (x) => unscale(ctx, x));
    const output: Record<string, string> = {};
    if (wantFactors) {
      const set = ctx.output!;
      const out = zeros(Math.max(1, state.sizes.chunk), r);
      // The tall factor's blocks: from the spill (Y uRight + 1 uShift), or for FD from a second pass.
      const tall: TallBlocks | undefined = method !== 'fd'
        ? (visit) => spill!.replay((r0, y) => applyBlocks(y, r0, rec.uRight, rec.uShift, out, visit))
        : source.replayable ? (visit) => drainSource(source, (b) => applyBlocks(blockMatrix(b), b.rowStart, rec.uRight, undefined, out, visit)) : undefined;
      if (tall === undefined) {
        notes.push(`${names.tall} not written: Frequent Directions keeps no range sketch, so ${names.tall} = A V diag(S)^-1 needs a second pass, and ${info.where} is one-shot (use a file input)`);
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
    const normA = unscale(ctx, normScaled);
    let errorEstimate: ApproxResult['errorEstimate'];
    if (method === 'rsvd') {
      const frobScaled = residualNorm({ scale: normScaled, ssq: 1 }, rec.s);
      errorEstimate = { frobenius: unscale(ctx, frobScaled), relative: frobScaled / normScaled, normA, kind: 'residual', reliable: true };
    } else {
      // With its reliability [docs/METHODS.md §4]: no number when the estimate cannot be trusted by construction.
      const est = estimateError(state, rec);
      errorEstimate = sketchErrorEstimate(est, normScaled, normA, (x) => unscale(ctx, x));
      if (!est.reliable) notes.push(`no reliable error estimate: ${est.unreliable}`);
    }
    if (ctx.report) ctx.report.scree = screeBounds(state); // --report: the scree plot [TYUC19 §6.2]
    return {
      input: info.where,
      rows: columns ? info.cols : m, cols: columns ? m : info.cols, rank: r,
      passes: method === 'fd' && wantFactors && source.replayable ? 2 : 1,
      method, testMatrix: state.testMatrix, sketch, stateBytes: stateBytes(state), memoryBudget: opts.memoryBudget,
      singularValues: Array.from(sValues), errorEstimate,
      seconds: (performance.now() - ctx.t0) / 1000, peakRssBytes: peakRssBytes(),
      timings: {
        startup: ctx.startup, open: (tPass - ctx.t0) / 1000, read: (tReconstruct - tPass - inSketch) / 1000, sketch: inSketch / 1000,
        reconstruct: (tOutput - tReconstruct) / 1000, output: (performance.now() - tOutput) / 1000,
      },
      ...(wantFactors ? { output } : {}), ...(rankAuto ? { rankAuto } : {}), notes,
    };
  } finally {
    spill?.dispose();
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

