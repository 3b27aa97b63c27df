/**
 * From the R factor of a tall Y (m x k, R^T R = Y^T Y, e.g. a streamed TSQR state) to a right
 * factor M (k x rank) such that Q = Y M has orthonormal columns spanning range(Y), even when Y
 * (hence R) is rank deficient: with R = U S V^T, M = V_r S_r^{-1}, since
 * Y V_r S_r^{-1} = Q_Y U S V^T V_r S_r^{-1} = Q_Y U_r [GVL13 §5.5.4; docs/METHODS.md §6].
 *
 * Use it wherever the streaming code needs `Y R^{-1}` without Y in memory: `Psi Q = (Psi Y) M`,
 * and `U = Y M U_core` in the pass over the spill. Directions with singular value at or below
 * `rcond * s_1` are dropped (default k * eps * 10, a little above rounding so that the numerically
 * null directions of an exactly rank-deficient Y are removed), so `rank` may be < k.
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import { ShapeError } from '../errors.js';
import { svd } from './svd.js';

const EPS = 2.220446049250313e-16;

export function rangeBasisFromR(r: Matrix, rcond?: number): { m: Matrix64; rank: number; s: Float64Array } {
  const k = r.rows;
  if (r.cols !== k) throw new ShapeError(`rangeBasisFromR: R is ${r.rows} x ${r.cols}, expected square`);
  const { s, v } = svd(r);
  const tol = (rcond ?? 10 * k * EPS) * (s[0] ?? 0);
  let rank = 0;
  while (rank < k && s[rank] > tol) rank++;
  const m = zeros(k, rank);
  for (let i = 0; i < k; i++) for (let j = 0; j < rank; j++) m.data[i * rank + j] = v.data[i * k + j] / s[j];
  return { m, rank, s };
}
