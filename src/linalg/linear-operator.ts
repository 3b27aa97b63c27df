/**
 * An implicit linear operator A (rows x cols): only the products y = A x and y = A^T x.
 * Error measurements use `differenceOperator(A, U, s, V)` = A - U diag(s) V^T without forming it,
 * so the spectral error of a rank-r approximation costs O((m + n) r + nnz) per product.
 */
import type { Matrix } from '../matrix.js';
import { ShapeError } from '../errors.js';

export interface LinearOperator {
  readonly rows: number;
  readonly cols: number;
  /** y (rows) <- A x (x: cols). Must not allocate on the hot path. */
  apply(x: Float64Array, y: Float64Array): void;
  /** y (cols) <- A^T x (x: rows). */
  applyT(x: Float64Array, y: Float64Array): void;
}

/** The operator of a dense matrix view (m x n). */
export function denseOperator(a: Matrix): LinearOperator {
  const m = a.rows, n = a.cols, d = a.data, o = a.offset, s = a.stride;
  return {
    rows: m,
    cols: n,
    apply(x, y) {
      for (let i = 0; i < m; i++) {
        const r = o + i * s;
        let t = 0;
        for (let j = 0; j < n; j++) t += d[r + j] * x[j];
        y[i] = t;
      }
    },
    applyT(x, y) {
      y.fill(0, 0, n);
      for (let i = 0; i < m; i++) {
        const xi = x[i];
        if (xi === 0) continue;
        const r = o + i * s;
        for (let j = 0; j < n; j++) y[j] += xi * d[r + j];
      }
    },
  };
}

/**
 * A - U diag(s) V^T for A (m x n), U (m x r), s (>= r values), V (n x r): r = U.cols.
 * A may be a Matrix or any LinearOperator.
 */
export function differenceOperator(a: Matrix | LinearOperator, u: Matrix, s: ArrayLike<number>, v: Matrix): LinearOperator {
  const op = 'apply' in a ? a : denseOperator(a);
  const m = op.rows, n = op.cols, r = u.cols;
  if (u.rows !== m || v.rows !== n || v.cols !== r || s.length < r) {
    throw new ShapeError(`differenceOperator: A is ${m} x ${n}, U ${u.rows} x ${u.cols}, s ${s.length}, V ${v.rows} x ${v.cols}`);
  }
  const t = new Float64Array(r);
  // t <- diag(s) W^T x for W (len x r); then y -= Z t for Z (len2 x r).
  const project = (w: Matrix, x: Float64Array): void => {
    t.fill(0);
    for (let i = 0; i < w.rows; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      const o = w.offset + i * w.stride;
      for (let j = 0; j < r; j++) t[j] += xi * w.data[o + j];
    }
    for (let j = 0; j < r; j++) t[j] *= s[j];
  };
  const subtract = (z: Matrix, y: Float64Array): void => {
    for (let i = 0; i < z.rows; i++) {
      const o = z.offset + i * z.stride;
      let acc = 0;
      for (let j = 0; j < r; j++) acc += z.data[o + j] * t[j];
      y[i] -= acc;
    }
  };
  return {
    rows: m,
    cols: n,
    apply(x, y) { op.apply(x, y); project(v, x); subtract(u, y); },
    applyT(x, y) { op.applyT(x, y); project(u, x); subtract(v, y); },
  };
}
