/**
 * One block step of the right Krylov basis [MM15 Alg. 2, with block Gram-Schmidt]: given the
 * basis (n x W) whose first `c0` columns are orthonormal and a new block H (n x l) (= A^T A X_prev),
 * makes H orthogonal to those columns (classical Gram-Schmidt applied twice, "twice is enough"
 * [Giraud, Langou, Rozloznik 2005]), orthonormalises it by Householder QR, writes it into columns
 * [c0, c0 + l) and returns it. H is overwritten.
 */
import type { Matrix64 } from '../matrix.js';
import { view } from '../matrix.js';
import { gemm } from '../kernels/gemm.js';
import { householderQr } from '../linalg/householder-qr.js';
import { multiply } from './multiply.js';

export function extendKrylovBasis(basis: Matrix64, c0: number, h: Matrix64): Matrix64 {
  const n = basis.rows, l = h.cols, w = basis.cols;
  const prev = view(basis, 0, n, 0, c0);
  for (let pass = 0; pass < 2; pass++) {
    const c = multiply(prev, h, true);
    gemm(false, false, n, l, c0, -1, prev.data, prev.offset, prev.stride, c.data, 0, l, 1, h.data, h.offset, h.stride);
  }
  const x = householderQr(h).q;
  for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) basis.data[i * w + c0 + j] = x.data[i * l + j];
  return x;
}
