/**
 * Minimum-norm least-squares solves with a small, possibly rank-deficient matrix T (p x q) through
 * its SVD T = U S V^T and the pseudo-inverse T^+ = V S_r^{-1} U^T, where singular values at or below
 * `rcond * s_1` are treated as zero [GVL13 §5.5.4; numpy.linalg.lstsq's rcond rule].
 *
 * - side 'left':  X (q x r) = T^+ B for B (p x r)   (the x of min ||T x - b|| of least norm)
 * - side 'right': X (r x p) = B T^+ for B (r x q)
 *
 * Policy for rank-deficient triangular factors (the R of a sketch of an input of rank < k):
 * use this instead of `solveTriangular` wherever R^{-1} appears; with full rank both agree
 * to rounding. Cost: an SVD of T (O(pq min(p,q))) plus two products; meant for small T (sketch
 * cores, k up to a few thousand).
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import { ShapeError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import { svd } from './svd.js';
import { divideOrScale } from './safe-scale.js';

const EPS = 2.220446049250313e-16;

export interface PinvSolveOptions {
  side: 'left' | 'right';
  /** Relative cut-off for small singular values. Default max(p, q) * eps (numpy's lstsq). */
  rcond?: number;
}

export function pinvSolve(t: Matrix, b: Matrix, opts: PinvSolveOptions): { x: Matrix64; rank: number } {
  const p = t.rows, q = t.cols;
  const left = opts.side === 'left';
  if ((left ? b.rows : b.cols) !== (left ? p : q)) {
    throw new ShapeError(`pinvSolve: B is ${b.rows} x ${b.cols}, expected ${left ? `${p} rows` : `${q} columns`} for T (${p} x ${q})`);
  }
  const { u, s, v } = svd(t);
  const rcond = opts.rcond ?? Math.max(p, q) * EPS;
  let rank = 0;
  while (rank < s.length && s[rank] > rcond * s[0]) rank++;
  const k = u.cols;
  if (left) {
    // X = V_r S_r^{-1} (U_r^T B)
    const r = b.cols;
    const c = zeros(rank, r);
    gemm(true, false, rank, r, p, 1, u.data, 0, k, b.data, b.offset, b.stride, 0, c.data, 0, r);
    for (let i = 0; i < rank; i++) divideOrScale(c.data, i * r, 1, r, s[i]);
    const x = zeros(q, r);
    if (rank > 0) gemm(false, false, q, r, rank, 1, v.data, 0, k, c.data, 0, r, 0, x.data, 0, r);
    return { x, rank };
  }
  // X = ((B V_r) S_r^{-1}) U_r^T
  const r = b.rows;
  const c = zeros(r, rank);
  gemm(false, false, r, rank, q, 1, b.data, b.offset, b.stride, v.data, 0, k, 0, c.data, 0, rank);
  for (let i = 0; i < r; i++) for (let j = 0; j < rank; j++) c.data[i * rank + j] /= s[j];
  const x = zeros(r, p);
  if (rank > 0) gemm(false, true, r, p, rank, 1, c.data, 0, rank, u.data, 0, k, 0, x.data, 0, p);
  return { x, rank };
}
