/**
 * C = op(A) op(B) into a new packed float64 matrix (the allocating convenience over `gemm`, for
 * the small and per-pass products of the multi-pass methods; hot loops call `gemm` directly).
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import { gemm } from '../kernels/gemm.js';

export function multiply(a: Matrix, b: Matrix, transA = false, transB = false): Matrix64 {
  const m = transA ? a.cols : a.rows, kk = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows, n = transB ? b.rows : b.cols;
  if (kk !== kb) throw new RangeError(`multiply: inner dimensions differ (${kk} vs ${kb})`);
  const c = zeros(m, n);
  gemm(transA, transB, m, n, kk, 1, a.data, a.offset, a.stride, b.data, b.offset, b.stride, 0, c.data, 0, n);
  return c;
}
