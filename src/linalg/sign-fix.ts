/**
 * Deterministic signs for singular vectors (ALGORITHMS.md §9; scikit-learn's `svd_flip` with
 * `u_based_decision=True`): each column of U is negated, together with the same column of V,
 * unless its entry of largest magnitude is positive (the first such entry on ties). A*V = U*S is
 * unchanged, and two runs that agree up to signs then agree exactly.
 *
 * u (m x p) and v (n x p) are modified in place; columns beyond min(u.cols, v.cols) are ignored.
 */
import type { Matrix64 } from '../matrix.js';

export function fixSigns(u: Matrix64, v: Matrix64): void {
  const p = Math.min(u.cols, v.cols);
  const ud = u.data, uo = u.offset, us = u.stride;
  const vd = v.data, vo = v.offset, vs = v.stride;
  for (let j = 0; j < p; j++) {
    let best = 0, val = 0;
    for (let i = 0; i < u.rows; i++) {
      const x = ud[uo + i * us + j];
      const a = Math.abs(x);
      if (a > best) { best = a; val = x; }
    }
    if (val >= 0) continue;
    for (let i = 0; i < u.rows; i++) ud[uo + i * us + j] = -ud[uo + i * us + j];
    for (let i = 0; i < v.rows; i++) vd[vo + i * vs + j] = -vd[vo + i * vs + j];
  }
}
