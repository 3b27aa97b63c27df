/**
 * Inverse of an upper triangular R (n x n) into a new packed matrix [GVL13 §3.1; LAPACK dtrtri,
 * unblocked column form]. Used where R^{-1} is applied to a tall matrix many times (CholeskyQR's
 * Q = A R^{-1} becomes one GEMM instead of m row-by-row substitutions). Forward error of
 * x R^{-1} computed this way is bounded by kappa(R) u like the substitution's, which is all
 * CholeskyQR2 needs (its second pass corrects the first). Throws NumericError on a zero diagonal.
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import { NumericError, ShapeError } from '../errors.js';

export function invertUpperTriangular(r: Matrix): Matrix64 {
  const n = r.rows;
  if (r.cols !== n) throw new ShapeError(`invertUpperTriangular: R is ${r.rows} x ${r.cols}, expected square`);
  const d = r.data, o = r.offset, s = r.stride;
  const x = zeros(n, n), xd = x.data;
  for (let j = 0; j < n; j++) {
    const rjj = d[o + j * s + j];
    if (rjj === 0) throw new NumericError(`invertUpperTriangular: R is singular (R[${j}, ${j}] = 0)`);
    xd[j * n + j] = 1 / rjj;
  }
  // Column j of X solves R x = e_j; rows i < j by back substitution: x_i = -(sum_{k>i} r_ik x_k) / r_ii.
  for (let j = 1; j < n; j++) {
    for (let i = j - 1; i >= 0; i--) {
      let acc = 0;
      const ri = o + i * s;
      for (let k = i + 1; k <= j; k++) acc += d[ri + k] * xd[k * n + j];
      xd[i * n + j] = -acc * xd[i * n + i];
    }
  }
  return x;
}
