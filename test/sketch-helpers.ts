/** Shared helpers of the sketch tests (not a test file). */
import { zeros, type Matrix64 } from '../src/matrix.js';
import { gemm } from '../src/kernels/gemm.js';
import { testMatrix } from '../src/random/test-matrix.js';
import type { Reconstruction, SketchState } from '../src/sketch/index.js';

/** A rank-`rank` m x n matrix L R^T with Gaussian factors (seeded). */
export function lowRank(m: number, n: number, rank: number, seed: number): Matrix64 {
  const l = testMatrix('gaussian', seed, 'test-left', m, rank);
  const r = testMatrix('gaussian', seed, 'test-right', n, rank);
  const a = zeros(m, n);
  gemm(false, true, m, n, rank, 1, l.data, 0, rank, r.data, 0, rank, 0, a.data, 0, n);
  return a;
}

/** ||A - 1 mu^T - U diag(s) V^T||_F / ||A - 1 mu^T||_F with U from the reconstruction. */
export function relativeError(a: Matrix64, rec: Reconstruction): number {
  const { rows: m, cols: n } = a;
  const r = rec.s.length, u = rec.u!;
  let e = 0, t = 0;
  const us = zeros(m, r);
  for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) us.data[i * r + j] = u.data[i * r + j] * rec.s[j];
  const approx = zeros(m, n);
  if (r > 0) gemm(false, true, m, n, r, 1, us.data, 0, r, rec.v.data, 0, r, 0, approx.data, 0, n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    const x = a.data[i * n + j] - (rec.mean ? rec.mean[j] : 0);
    e += (x - approx.data[i * n + j]) ** 2; t += x * x;
  }
  return Math.sqrt(e / t);
}

/** max |x - y| / max |x| over two arrays of the same length. */
export function relDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < x.length; i++) { d = Math.max(d, Math.abs(x[i] - y[i])); s = Math.max(s, Math.abs(x[i])); }
  return s === 0 ? d : d / s;
}

/** Rows [r0, r0 + count) of a packed matrix, as a view. */
export function rowsOf(a: Matrix64, r0: number, count: number): Matrix64 {
  return { rows: count, cols: a.cols, data: a.data, offset: a.offset + r0 * a.stride, stride: a.stride };
}

/** A named array of any sketch record (an empty array when the method has none: e.g. `core` of a two-sketch). */
export function field(st: SketchState, name: 'coRange' | 'core' | 'coreRange' | 'errorRange' | 'rangeR' | 'errorSketch' | 'colSums' | 'coRangeOnes' | 'gram'): Float64Array {
  return (st as unknown as Record<string, Float64Array | undefined>)[name] ?? new Float64Array(0);
}
