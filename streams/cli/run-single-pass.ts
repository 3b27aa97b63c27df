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
  applyRight, estimateError, flipColumns, measuredNorm, reconstruct, screeBounds, ShapeError, stateBytes, sumSquares, sumSquaresNorm, zeros,
  type Matrix, type RangeSpill, type SketchMethod, type SketchSizes, type SketchTestMatrix,
} from '../../src/internals.js';
import { sketchRows } from '../operators/sketch-rows.js';
import { peakRssBytes, projectionResidual, type ApproxResult } from './approx-result.js';
import { drainSource } from '../drain-source.js';
import { createFactorWriter, writeFactor } from './factor-writer.js';
import type { CliRangeSpill } from './range-spill.js';
import { blockMatrix, factorNames, type RunContext } from './run-context.js';
import { tallFlips, type TallBlocks } from './tall-signs.js';
import type { RowBlock } from '../types.js';

export interface SketchPlan { method: SketchMethod; testMatrix: SketchTestMatrix; sizes: SketchSizes }

export async function runSinglePass(ctx: RunContext, plan: SketchPlan): Promise<ApproxResult> {
  const { opts, source, info, meter, notes } = ctx;
  const method = plan.method;
  const wantFactors = opts.out !== undefined;
  // The file spill (Arrow IPC) is loaded only when U is written.
  const spill: CliRangeSpill | undefined = wantFactors && method !== 'fd' ? (await import('./range-spill.js')).createRangeSpill() : undefined;
  const discard: RangeSpill = { write: () => undefined };
  const columns = info.orientation === 'columns';
  try {
    // sketchRows validates the options when it is created and folds the blocks synchronously inside
    // `next` (pull backpressure). A column stream was centered row by row upstream (center-rows.ts).
    const sketchOp = sketchRows({
      cols: info.cols, rank: opts.rank, method, testMatrix: plan.testMatrix, seed: opts.seed, dtype: info.dtype,
      sizes: plan.sizes, center: opts.center && !columns,
      ...(method === 'fd' ? {} : { spill: spill ?? discard }),
    });
    // ||A||_F is measured exactly on the way (Blue's scaled sum of squares, a kernel), so `relative`
    // divides by the true norm, not by the error sketch's estimate, and rsvd's residual is exact.
    // The linear records measure it themselves, in the pass that checks each chunk (measuredNorm);
    // Frequent Directions is measured here.
    const ssq = new Float64Array(3);
    const tapNorm = method === 'fd';
    // The time split (JSON `timings`): the pass, and within it the time inside the sketch (`next` of
    // the fold, synchronous); the rest of the pass is reading and decoding (or waiting for them).
    const tPass = performance.now();
    let inSketch = 0;
    const state = await lastValueFrom(timed(source.open(), (ms) => { inSketch += ms; }).pipe(
      tap((b) => {
        const n = b.rows * b.cols;
        if (tapNorm) sumSquares(n, b.data, 0, ssq);
        meter.block(b.rows, n * b.data.BYTES_PER_ELEMENT);
      }),
      sketchOp,
    ));
    const tReconstruct = performance.now();
    if (state.rowsSeen === 0) throw new ShapeError(`${info.where}: the input has no rows`);
    const rec = reconstruct(state, { rank: opts.rank, signs: columns ? 'pending' : 'v' });
    const tOutput = performance.now();
    notes.push(...rec.notes);
    // FD has no centering (the planner refuses it); a column stream arrives centered.
    const normA = tapNorm ? sumSquaresNorm(ssq) : measuredNorm(state)!;
    const r = rec.s.length;
    const m = state.rows;
    const names = factorNames(info);
    const output: Record<string, string> = {};
    if (wantFactors) {
      const prefix = opts.out!;
      const out = zeros(Math.max(1, state.sizes.chunk), r);
      // The tall factor's blocks: from the spill (Y uRight + 1 uShift), or for FD from a second pass.
      const tall: TallBlocks | undefined = method !== 'fd'
        ? (visit) => spill!.replay((r0, y) => applyBlocks(y, r0, rec.uRight, rec.uShift, out, visit))
        : source.replayable ? (visit) => drainSource(source, (b) => applyBlocks(blockMatrix(b), b.rowStart, rec.uRight, undefined, out, visit)) : undefined;
      if (tall === undefined) {
        notes.push(`${names.tall} not written: Frequent Directions keeps no range sketch, so ${names.tall} = A V diag(S)^-1 needs a second pass, and ${info.where} is one-shot (use a file input)`);
      } else {
        if (columns) flipColumns(rec, await tallFlips(tall, r));
        const writer = createFactorWriter(prefix, names.tall, opts.format, m, r);
        try {
          meter.phase(`writing ${names.tall}`);
          await tall((r0, b) => writer.write(r0, b));
          await writer.close();
          output[names.tall] = writer.path;
        } catch (e) {
          writer.abort();
          throw e;
        }
      }
      output.S = await writeFactor(prefix, 'S', opts.format, rec.s);
      output[names.wide] = await writeFactor(prefix, names.wide, opts.format, rec.v);
    }
    let errorEstimate: ApproxResult['errorEstimate'];
    if (method === 'rsvd') {
      const frob = projectionResidual(normA, rec.s);
      errorEstimate = { frobenius: frob, relative: normA > 0 ? frob / normA : 0, normA, kind: 'residual' };
    } else {
      const est = estimateError(state, rec);
      errorEstimate = { frobenius: est.frobenius, relative: normA > 0 ? est.frobenius / normA : 0, normA, kind: 'sketch' };
    }
    if (ctx.report) ctx.report.scree = screeBounds(state); // --report: the scree plot [TYUC19 §6.2]
    const { k, s, l, q, rule } = state.sizes;
    const sketch: Record<string, number | string> = method === 'fd' ? { l, q, rule }
      : method === 'three-sketch' ? { k, s, q, rule } : method === 'two-sketch' ? { k, l, q, rule } : { l: k, oversamples: k - opts.rank, q, rule };
    return {
      input: info.where,
      rows: columns ? info.cols : m, cols: columns ? m : info.cols, rank: r,
      passes: method === 'fd' && wantFactors && source.replayable ? 2 : 1,
      method, testMatrix: state.testMatrix, sketch, stateBytes: stateBytes(state), memoryBudget: opts.memoryBudget,
      singularValues: Array.from(rec.s), errorEstimate,
      seconds: (performance.now() - ctx.t0) / 1000, peakRssBytes: peakRssBytes(),
      timings: {
        startup: ctx.startup, open: (tPass - ctx.t0) / 1000, read: (tReconstruct - tPass - inSketch) / 1000, sketch: inSketch / 1000,
        reconstruct: (tOutput - tReconstruct) / 1000, output: (performance.now() - tOutput) / 1000,
      },
      ...(wantFactors ? { output } : {}), notes,
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

