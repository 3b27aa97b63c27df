/**
 * Triangular solves with many right-hand sides, in place (BLAS dtrsm semantics, row-major)
 * [GVL13 Alg. 3.1.3 / 3.1.4, row- and column-oriented substitution].
 *
 * - side 'left':  B (n x r) <- op(T)^{-1} B
 * - side 'right': B (r x n) <- B op(T)^{-1}
 * with T (n x n) upper or lower triangular (only that triangle is read) and op(T) = T or T^T.
 *
 * Both sides are written as axpys over contiguous rows of B (the substitution order is chosen so
 * that T is read one element at a time and B one row at a time), so a tall B (the m x k range
 * sketch times R^{-1}) streams through memory once per column of T. Allocates nothing.
 *
 * Rank-deficient T: this function refuses an exactly zero diagonal (NumericError naming the index)
 * and otherwise trusts T. A nearly singular T gives a large, meaningless solution; when T may be
 * rank deficient (the R factor of a sketch of a rank < k input), use `pinvSolve` or
 * `rangeBasisFromR` instead, which truncate the small singular values of T.
 */
import type { Matrix } from '../matrix.js';
import { NumericError, ShapeError } from '../errors.js';
import { divideOrScale } from './safe-scale.js';

export interface TriangularSolveOptions {
  /** T is upper (true) or lower (false) triangular. */
  upper: boolean;
  /** 'left': B <- op(T)^{-1} B; 'right': B <- B op(T)^{-1}. */
  side: 'left' | 'right';
  /** Use op(T) = T^T. Default false. */
  trans?: boolean;
}

export function solveTriangular(t: Matrix, b: Matrix, opts: TriangularSolveOptions): void {
  const n = t.rows;
  if (t.cols !== n) throw new ShapeError(`solveTriangular: T is ${t.rows} x ${t.cols}, expected square`);
  const left = opts.side === 'left';
  if ((left ? b.rows : b.cols) !== n) {
    throw new ShapeError(`solveTriangular: B is ${b.rows} x ${b.cols}, expected ${left ? `${n} rows` : `${n} columns`}`);
  }
  const td = t.data, to = t.offset, ts = t.stride;
  for (let i = 0; i < n; i++) {
    if (td[to + i * ts + i] === 0) throw new NumericError(`solveTriangular: T is singular (T[${i}, ${i}] = 0)`);
  }
  const trans = opts.trans ?? false;
  // op(T) is effectively upper when (upper and not transposed) or (lower and transposed).
  const effUpper = opts.upper !== trans;
  // Element (i, j) of op(T).
  const ld = trans ? 1 : ts, lc = trans ? ts : 1;
  const bd = b.data, bo = b.offset, bs = b.stride;
  if (left) {
    const r = b.cols;
    // Column-oriented substitution: finish x_i, then eliminate it from the remaining rows.
    if (effUpper) {
      for (let i = n - 1; i >= 0; i--) {
        const bi = bo + i * bs;
        divideOrScale(bd, bi, 1, r, td[to + i * ts + i]);
        for (let k = 0; k < i; k++) {
          const f = td[to + k * ld + i * lc];
          if (f === 0) continue;
          const bk = bo + k * bs;
          for (let j = 0; j < r; j++) bd[bk + j] -= f * bd[bi + j];
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        const bi = bo + i * bs;
        divideOrScale(bd, bi, 1, r, td[to + i * ts + i]);
        for (let k = i + 1; k < n; k++) {
          const f = td[to + k * ld + i * lc];
          if (f === 0) continue;
          const bk = bo + k * bs;
          for (let j = 0; j < r; j++) bd[bk + j] -= f * bd[bi + j];
        }
      }
    }
    return;
  }
  // Right side, one row x of B at a time: x op(T) = b. For effectively upper op(T),
  // x_j = (b_j - sum_{i<j} x_i op(T)_{ij}) / op(T)_{jj}: finish x_j, then remove it from later entries.
  const rows = b.rows;
  for (let row = 0; row < rows; row++) {
    const br = bo + row * bs;
    if (effUpper) {
      for (let j = 0; j < n; j++) {
        const x = bd[br + j] / td[to + j * ts + j];
        bd[br + j] = x;
        if (x === 0) continue;
        for (let c = j + 1; c < n; c++) bd[br + c] -= x * td[to + j * ld + c * lc];
      }
    } else {
      for (let j = n - 1; j >= 0; j--) {
        const x = bd[br + j] / td[to + j * ts + j];
        bd[br + j] = x;
        if (x === 0) continue;
        for (let c = 0; c < j; c++) bd[br + c] -= x * td[to + j * ld + c * lc];
      }
    }
  }
}
