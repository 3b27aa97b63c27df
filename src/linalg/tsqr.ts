/**
 * Streaming R factor of a tall matrix Y whose rows arrive in blocks (TSQR, flat tree)
 * [Demmel, Grigori, Hoemmen, Langou 2012; GVL13 §5.2.4 structured Householder; ALGORITHMS.md §6].
 *
 * State: R (k x k, upper triangular, float64, diag(R) >= 0) with R^T R = Y^T Y for all rows seen.
 * `tsqrUpdate(state, block)` replaces R by the R factor of [R; block] using Householder reflectors
 * that exploit the triangle (reflector j touches R[j, :] and the block's column j only), so one
 * block of b rows costs about 2 b k^2 flops and nothing is allocated: the block is copied,
 * transposed, into a fixed workspace in chunks of CHUNK rows (the R factor of [R; B1; B2] equals
 * that of [[R; B1]-factor; B2], so chunking changes nothing but rounding).
 * Because diag(R) >= 0 is restored after every chunk, R is unique for full-rank Y and the result
 * does not depend on the block split beyond rounding; merging shards is `tsqrMerge`.
 *
 * Rank-deficient Y gives an R with zero (or tiny) diagonal entries; do not invert it blindly,
 * see `rangeBasisFromR`.
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import { ArgumentError, ShapeError } from '../errors.js';

/** Rows of a block processed per structured QR step (workspace is CHUNK x k float64). */
const CHUNK = 256;

export interface TsqrState {
  /** Number of columns of Y. */
  readonly k: number;
  /** R factor so far (k x k, upper triangular, non-negative diagonal). */
  readonly r: Matrix64;
  /** Rows of Y absorbed so far. */
  rows: number;
  /** Workspace: one chunk of the block, transposed (k x CHUNK), plus a k-vector. */
  readonly work: Float64Array;
}

/** A fresh TSQR state for Y with k columns (R = 0, no rows). */
export function createTsqr(k: number): TsqrState {
  if (!Number.isInteger(k) || k < 1) throw new ArgumentError(`createTsqr: k must be a positive integer, found ${k}`);
  return { k, r: zeros(k, k), rows: 0, work: new Float64Array(k * CHUNK) };
}

/** R <- R factor of [R; block] for a block (b x k) of any height b >= 0. Allocation-free. */
export function tsqrUpdate(state: TsqrState, block: Matrix): void {
  const k = state.k;
  if (block.cols !== k) throw new ShapeError(`tsqrUpdate: block has ${block.cols} columns, expected ${k}`);
  for (let r0 = 0; r0 < block.rows; r0 += CHUNK) {
    const h = Math.min(CHUNK, block.rows - r0);
    absorbChunk(state, block, r0, h);
  }
  state.rows += block.rows;
}

function absorbChunk(state: TsqrState, block: Matrix, r0: number, h: number): void {
  const k = state.k, w = state.work, rd = state.r.data;
  const bd = block.data, bs = block.stride;
  // Column j of the chunk becomes the contiguous row j of w (stride h).
  for (let i = 0; i < h; i++) {
    const o = block.offset + (r0 + i) * bs;
    for (let j = 0; j < k; j++) w[j * h + i] = bd[o + j];
  }
  for (let j = 0; j < k; j++) {
    // Reflector on x = [R[j, j]; w[j, :]] (the entries of R below the diagonal are zero).
    const wj = j * h;
    let scale = 0;
    for (let i = 0; i < h; i++) { const a = Math.abs(w[wj + i]); if (a > scale) scale = a; }
    if (scale === 0) continue;
    const inv = 1 / scale;
    let ss = 0;
    for (let i = 0; i < h; i++) { const v = w[wj + i] * inv; ss += v * v; }
    const alpha = rd[j * k + j];
    const norm = Math.hypot(alpha, scale * Math.sqrt(ss));
    const beta = alpha >= 0 ? -norm : norm;
    const tau = (beta - alpha) / beta;
    const f = 1 / (alpha - beta);
    for (let i = 0; i < h; i++) w[wj + i] *= f;
    rd[j * k + j] = beta;
    // Apply to columns c > j: R[j, c] and w[c, :].
    for (let c = j + 1; c < k; c++) {
      const wc = c * h;
      let dot = rd[j * k + c];
      for (let i = 0; i < h; i++) dot += w[wj + i] * w[wc + i];
      const g = tau * dot;
      rd[j * k + c] -= g;
      for (let i = 0; i < h; i++) w[wc + i] -= g * w[wj + i];
    }
  }
  // Unique representative: non-negative diagonal (flip whole rows; R^T R is unchanged).
  for (let j = 0; j < k; j++) {
    if (rd[j * k + j] < 0) for (let c = j; c < k; c++) rd[j * k + c] = -rd[j * k + c];
  }
}

/** R factor of the stacked rows of two shards: a new state with rows = a.rows + b.rows. */
export function tsqrMerge(a: TsqrState, b: TsqrState): TsqrState {
  if (a.k !== b.k) throw new ShapeError(`tsqrMerge: states have k = ${a.k} and k = ${b.k}`);
  const out = createTsqr(a.k);
  out.r.data.set(a.r.data);
  tsqrUpdate(out, b.r);
  out.rows = a.rows + b.rows;
  return out;
}
