/**
 * Normalized spectral error ||A - U diag(s) V^T||_2 / sigma_{r+1}(A) (the seed paper's metric),
 * with the spectral norm by Lanczos bidiagonalisation on the implicit difference operator.
 */
import type { Matrix } from '../../src/matrix.js';
import { differenceOperator } from '../../src/linalg/linear-operator.js';
import { spectralNorm } from '../../src/linalg/spectral-norm.js';

export function normalizedSpectralError(a: Matrix, f: { u: Matrix; s: ArrayLike<number>; v: Matrix }, sigmaNext: number): number {
  return spectralNorm(differenceOperator(a, f.u, f.s, f.v), { tol: 1e-8 }) / sigmaNext;
}

/** max |a_ij - b_ij| over two equal-shape matrices. */
export function maxAbsDiff(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new Error(`shapes differ: ${a.rows}x${a.cols} vs ${b.rows}x${b.cols}`);
  let d = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) {
    d = Math.max(d, Math.abs(a.data[a.offset + i * a.stride + j] - b.data[b.offset + i * b.stride + j]));
  }
  return d;
}
