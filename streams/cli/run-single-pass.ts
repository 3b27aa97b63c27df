/**
 * `approx` with a single-view sketch [TYUC19 three-sketch, TYUC17 two-sketch] or Frequent
 * Directions [GLPW16]: one pass of the source through the `sketchRows` operator, then `reconstruct`
 * and the a-posteriori error estimate of the error sketch [TYUC19 §6].
 *
 * U (the streamed-axis factor) is formed only with --out: the range rows go to a file spill as
 * they arrive and U = Y uRight + 1 uShift is streamed from it block by block into the writer.
 * Frequent Directions has no range sketch: U = A V diag(S)^-1 needs a second pass over the input,
 * made when the input is replayable; for a one-shot input U is omitted and a note says so.
 */
import { lastValueFrom, tap } from 'rxjs';
import { zeros } from '../../src/index.js';
import type { Matrix } from '../../src/index.js';
import { applyRight } from '../../src/index.js';
import { estimateError } from '../../src/index.js';
import { reconstruct } from '../../src/index.js';
import { stateBytes } from '../../src/index.js';
import type { RangeSpill, SketchMethod } from '../../src/index.js';
import { ShapeError } from '../../src/errors.js';
import { sketchRows } from '../operators/sketch-rows.js';
import { peakRssBytes, type ApproxResult } from './approx-result.js';
import { drainSource } from '../drain-source.js';
import { createFactorWriter, writeFactor } from './factor-writer.js';
import { createRangeSpill, type CliRangeSpill } from './range-spill.js';
import { blockMatrix, factorNames, lowRankNote, unscale, type RunContext } from './run-context.js';
import { ZERO_MATRIX_NOTE, writeZeroFactors } from './zero-matrix.js';
import { addSquares, createSumSquares, residualNorm } from '../../src/index.js';

export async function runSinglePass(ctx: RunContext, method: SketchMethod): Promise<ApproxResult> {
  const { opts, source, info, meter, notes } = ctx;
  const wantFactors = ctx.output !== undefined;
  const spill: CliRangeSpill | undefined = wantFactors && method !== 'fd' ? createRangeSpill() : undefined;
  const discard: RangeSpill = { write: () => undefined };
  try {
    // sketchRows validates the options when it is created (bad sizes or budget throw here, before
    // anything is read) and folds the blocks synchronously inside `next` (pull backpressure).
    const sketchOp = sketchRows({
      cols: info.cols, rank: opts.rank, method, testMatrix: opts.testMatrix, seed: opts.seed,
      memoryBudget: opts.memoryBudget, center: opts.center, sizeRule: opts.sizeRule,
      ...(opts.rangeDim !== undefined ? { rangeDim: opts.rangeDim } : {}),
      ...(opts.coreDim !== undefined ? { coreDim: opts.coreDim } : {}),
      ...(opts.coRangeDim !== undefined ? { coRangeDim: opts.coRangeDim } : {}),
      ...(method === 'fd' ? {} : { spill: spill ?? discard }),
    });
    // ||A||_F is measured exactly on the way (one multiply-add per value, next to the sketch's
    // O(k + s) per value), so `relative` divides the error estimate by the true norm, not by the
    // error sketch's estimate of it (whose spread is large when a few directions dominate).
    // The sum of squares is kept scaled (sum-squares.ts): no overflow near 1e300, no underflow to 0
    // near 1e-300, and an exact zero only for a zero matrix.
    const f2 = createSumSquares();
    const state = await lastValueFrom(source.open().pipe(
      tap((b) => {
        const n = b.rows * b.cols, d = b.data;
        addSquares(f2, d, 0, n);
        meter.block(b.rows, n * d.BYTES_PER_ELEMENT);
      }),
      sketchOp,
    ));
    if (state.rowsSeen === 0) throw new ShapeError(`${info.where}: the input has no rows`);
    const m = state.rows;
    const names = factorNames(info);
    const columns = info.orientation === 'columns';
    const sizesOf = (): Record<string, number | string> => (method === 'fd'
      ? { l: state.sizes.l, q: state.sizes.q, rule: state.sizes.rule }
      : method === 'three-sketch'
        ? { k: state.sizes.k, s: state.sizes.s, q: state.sizes.q, rule: state.sizes.rule }
        : { k: state.sizes.k, l: state.sizes.l, q: state.sizes.q, rule: state.sizes.rule });
    // ||A||_F of the (centered) input: ||A_c||^2 = ||A||^2 - sum_j colSum_j^2 / m.
    const centered = opts.center ? Array.from(state.colSums, (c) => c / Math.sqrt(state.rowsSeen)) : [];
    const normScaled = residualNorm(f2, centered);
    if (normScaled === 0) {
      // A zero matrix (or, centered, a matrix of identical rows): see zero-matrix.ts.
      const r = Math.min(opts.rank, m, info.cols);
      notes.push(ZERO_MATRIX_NOTE);
      const output = wantFactors ? await writeZeroFactors(ctx.output!, names, m, info.cols, r) : {};
      return {
        input: info.where, rows: columns ? info.cols : m, cols: columns ? m : info.cols, rank: r, passes: 1,
        method, testMatrix: state.testMatrix, sketch: sizesOf(), stateBytes: stateBytes(state), memoryBudget: opts.memoryBudget,
        singularValues: new Array<number>(r).fill(0),
        errorEstimate: { frobenius: 0, relative: 0, normA: 0, kind: 'sketch' },
        seconds: (performance.now() - ctx.t0) / 1000, peakRssBytes: peakRssBytes(),
        ...(wantFactors ? { output } : {}), notes,
      };
    }
    const rec = reconstruct(state, { rank: opts.rank });
    const est = estimateError(state, rec);
    const normA = unscale(ctx, normScaled);
    const r = rec.s.length;
    const low = lowRankNote(opts.rank, r);
    if (low !== null) notes.push(low);
    const sValues = Float64Array.from(rec.s, (x) => unscale(ctx, x));
    const output: Record<string, string> = {};
    if (wantFactors) {
      const set = ctx.output!;
      const writer = createFactorWriter(set, names.tall, m, r);
      const out = zeros(Math.max(1, state.sizes.chunk), r);
      const emit = (r0: number, y: Matrix): void => {
        for (let i0 = 0; i0 < y.rows; i0 += out.rows) {
          const b = Math.min(out.rows, y.rows - i0);
          const yb: Matrix = { rows: b, cols: y.cols, data: y.data, offset: y.offset + i0 * y.stride, stride: y.stride };
          const ob: Matrix = { rows: b, cols: r, data: out.data, offset: 0, stride: r };
          applyRight(yb, rec.uRight, ob, rec.uShift);
          writer.write(r0 + i0, ob);
        }
      };
      let wroteTall = true;
      try {
        meter.phase(`writing ${names.tall}`);
        if (method !== 'fd') {
          await spill!.replay(emit);
        } else if (source.replayable) {
          await drainSource(source, (b) => emit(b.rowStart, blockMatrix(b)));
        } else {
          wroteTall = false;
          writer.abort();
          notes.push(`${names.tall} not written: Frequent Directions keeps no range sketch, so ${names.tall} = A V diag(S)^-1 needs a second pass, and ${info.where} is one-shot (use a file input)`);
        }
        if (wroteTall) { await writer.close(); output[names.tall] = writer.path; }
      } catch (e) {
        writer.abort();
        throw e;
      }
      output.S = await writeFactor(set, 'S', sValues);
      output[names.wide] = await writeFactor(set, names.wide, rec.v);
    }
    return {
      input: info.where,
      rows: columns ? info.cols : m, cols: columns ? m : info.cols, rank: r,
      passes: method === 'fd' && wantFactors && source.replayable ? 2 : 1,
      method, testMatrix: state.testMatrix, sketch: sizesOf(), stateBytes: stateBytes(state), memoryBudget: opts.memoryBudget,
      singularValues: Array.from(sValues),
      errorEstimate: { frobenius: unscale(ctx, est.frobenius), relative: est.frobenius / normScaled, normA, kind: 'sketch' },
      seconds: (performance.now() - ctx.t0) / 1000, peakRssBytes: peakRssBytes(),
      ...(wantFactors ? { output } : {}), notes,
    };
  } finally {
    spill?.dispose();
  }
}
