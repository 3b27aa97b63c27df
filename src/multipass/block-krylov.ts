/**
 * Randomized block Krylov iteration, in memory [MM15 Alg. 2; docs/METHODS.md §5].
 *
 * | symbol | shape         | here                                                      |
 * |--------|---------------|-----------------------------------------------------------|
 * | Pi     | n x l         | `rangeTestMatrix(...)`, l = rank + oversamples            |
 * | X_j    | n x l         | orthonormal block j of the right Krylov space              |
 * |        |               | K_q(A^T A, Pi) = span[Pi, (A^T A) Pi, ..., (A^T A)^q Pi]   |
 * | K      | m x (q + 1) l | A [X_0 ... X_q] = span[A Pi, (A A^T) A Pi, ...] (MM15's K) |
 * | Q      | m x (q + 1) l | qr(K)                                                      |
 * | B      | (q + 1) l x n | Q^T A                                                      |
 *
 * MM15 keeps the whole Krylov space instead of only its last block (subspace iteration): for a
 * slowly decaying spectrum it converges in O(log(n) / sqrt(eps)) instead of O(log(n) / eps)
 * iterations, at (q + 1) times the width. Each new block is made orthogonal to the previous ones
 * (block Gram-Schmidt, twice) before its QR, so the basis stays orthonormal in floating point.
 * The Krylov space is built on the right (n side) so that a row stream needs one pass per block:
 * pass j computes A^T A X_j, and the last pass computes K = A [X_0 ... X_q] and A^T K at once
 * (the Gram pass, see `gramPass`). q = krylovDepth, P = q + 1 passes, 2q + 2 views.
 * Requires (q + 1) l <= min(m, n).
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import { ArgumentError } from '../errors.js';
import { householderQr } from '../linalg/householder-qr.js';
import type { LowRankSvd } from './low-rank-svd.js';
import type { MultipassOptions } from './multipass-options.js';
import { resolveMultipassOptions } from './multipass-options.js';
import { multiply } from './multiply.js';
import { projectionSvd } from './projection-svd.js';
import { rangeTestMatrix } from './range-test-matrix.js';
import { extendKrylovBasis } from './extend-krylov-basis.js';
import { maxAbs, powerOfTwoExponent, scaleByPowerOfTwo } from '../linalg/safe-scale.js';

function safeNormMax(x: Matrix64): number {
  return maxAbs(x.data, 0, 1, x.rows * x.cols);
}

export interface BlockKrylovOptions extends Omit<MultipassOptions, 'powerIterations'> {
  /** q: Krylov depth (blocks beyond the first); default 2. P = q + 1 passes over a row stream. */
  krylovDepth?: number;
}

export const DEFAULT_KRYLOV_DEPTH = 2;

export function blockKrylov(a: Matrix, opts: BlockKrylovOptions): LowRankSvd {
  const o = resolveMultipassOptions('blockKrylov', { ...opts, powerIterations: opts.krylovDepth }, a.cols, a.rows, DEFAULT_KRYLOV_DEPTH);
  const depth = o.powerIterations, l = o.l;
  checkKrylovWidth('blockKrylov', depth, l, a.cols, a.rows);
  const n = a.cols;
  const basis: Matrix64 = zeros(n, (depth + 1) * l);
  const x0 = householderQr(rangeTestMatrix(o.testMatrix, o.seed, n, l)).q;
  setBlock(basis, 0, x0);
  let x = x0;
  for (let j = 1; j <= depth; j++) {
    // A^T A X squares the scale of A (overflow near 1e154, underflow below 1e-154): A X is brought
    // near 1 by a power of two first, exact, and the span of A^T (A X) does not change.
    const ax = multiply(a, x);
    const big = safeNormMax(ax);
    if (big > 0 && Number.isFinite(big)) scaleByPowerOfTwo(ax.data, 0, ax.rows * ax.cols, -powerOfTwoExponent(big));
    const h = multiply(a, ax, true);
    x = extendKrylovBasis(basis, j * l, h);
  }
  const q = householderQr(multiply(a, basis)).q;
  return projectionSvd(q, multiply(q, a, true), o.rank);
}

/** Refuses a Krylov space wider than min(m, n), naming the largest depth that fits. */
export function checkKrylovWidth(who: string, depth: number, l: number, n: number, m: number | undefined): void {
  const limit = m === undefined ? n : Math.min(m, n);
  if ((depth + 1) * l > limit) {
    throw new ArgumentError(
      `${who}: the Krylov space (krylovDepth + 1) * (rank + oversamples) = ${(depth + 1) * l} exceeds min(rows, cols) = ${limit}; ` +
      `use krylovDepth <= ${Math.max(0, Math.floor(limit / l) - 1)} or fewer oversamples`,
    );
  }
}

function setBlock(basis: Matrix64, c0: number, x: Matrix64): void {
  const w = basis.cols;
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) basis.data[i * w + c0 + j] = x.data[i * x.cols + j];
}
