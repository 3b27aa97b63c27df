/**
 * Linear least squares X = argmin ||A X - B||_F (A m x n, B m x r, X n x r), of minimum norm.
 *
 * Method: Householder QR reduces the problem to the small triangular factor [GVL13 §5.3.3]:
 * m >= n: A = Q R, X = R^+ (Q^T B); m < n: A^T = Q R, X = Q (R^T)^+ B (so X lies in the row space
 * of A). The pseudo-inverse of R is applied through its SVD with numpy's lstsq cut-off
 * (singular values <= max(m, n) eps s_1 count as zero), so a rank-deficient A gives the
 * minimum-norm solution and a full-rank A gives the usual QR solution to rounding.
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { transpose, zeros } from '../matrix.js';
import { ShapeError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import { householderQr } from './householder-qr.js';
import { pinvSolve } from './pinv-solve.js';

const EPS = 2.220446049250313e-16;

export function lstsq(a: Matrix, b: Matrix): Matrix64 {
  const m = a.rows, n = a.cols, r = b.cols;
  if (b.rows !== m) throw new ShapeError(`lstsq: B has ${b.rows} rows, expected ${m} (the rows of A)`);
  const rcond = Math.max(m, n) * EPS;
  if (m >= n) {
    const { q, r: rf } = householderQr(a);
    const c = zeros(n, r);
    gemm(true, false, n, r, m, 1, q.data, 0, n, b.data, b.offset, b.stride, 0, c.data, 0, r);
    return pinvSolve(rf, c, { side: 'left', rcond }).x;
  }
  const { q, r: rf } = householderQr(transpose(a));
  const y = pinvSolve(transpose(rf), b, { side: 'left', rcond }).x;
  const x = zeros(n, r);
  gemm(false, false, n, r, m, 1, q.data, 0, m, y.data, 0, r, 0, x.data, 0, r);
  return x;
}
