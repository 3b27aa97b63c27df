/** Small dense helpers for linear-algebra tests (naive, obviously correct, float64). */
import type { Matrix, Matrix64 } from '../../src/matrix.js';
import { get, zeros } from '../../src/matrix.js';
import { testMatrix } from '../../src/random/test-matrix.js';

export const EPS = 2.220446049250313e-16;

/** C = op(A) op(B) by the textbook triple loop. */
export function mul(a: Matrix, b: Matrix, transA = false, transB = false): Matrix64 {
  const m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols, n = transB ? b.rows : b.cols;
  const c = zeros(m, n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += (transA ? get(a, p, i) : get(a, i, p)) * (transB ? get(b, j, p) : get(b, p, j));
    c.data[i * n + j] = s;
  }
  return c;
}

export function maxAbsDiff(a: Matrix, b: Matrix): number {
  let d = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) d = Math.max(d, Math.abs(get(a, i, j) - get(b, i, j)));
  return d;
}

export function maxAbs(a: Matrix): number {
  let d = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) d = Math.max(d, Math.abs(get(a, i, j)));
  return d;
}

/** max |Q^T Q - I|. */
export function orthError(q: Matrix): number {
  const g = mul(q, q, true, false);
  let d = 0;
  for (let i = 0; i < g.rows; i++) for (let j = 0; j < g.cols; j++) d = Math.max(d, Math.abs(g.data[i * g.cols + j] - (i === j ? 1 : 0)));
  return d;
}

/** U diag(s) V^T. */
export function recompose(u: Matrix, s: ArrayLike<number>, v: Matrix): Matrix64 {
  const us = zeros(u.rows, u.cols);
  for (let i = 0; i < u.rows; i++) for (let j = 0; j < u.cols; j++) us.data[i * u.cols + j] = get(u, i, j) * s[j];
  return mul(us, v, false, true);
}

/** A seeded m x n matrix of rank r (Gaussian factors); r = min(m, n) gives a plain Gaussian. */
export function randomOfRank(m: number, n: number, r: number, seed: number): Matrix64 {
  if (r >= Math.min(m, n)) return testMatrix('gaussian', seed, 'test-a', m, n);
  return mul(testMatrix('gaussian', seed, 'test-left', m, r), testMatrix('gaussian', seed, 'test-right', r, n));
}
