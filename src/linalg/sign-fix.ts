/**
 * Deterministic signs for singular vectors [docs/METHODS.md "Signs"; scikit-learn's `svd_flip`]:
 * each column of `decide` is negated, together with the same column of `follow`, unless its entry
 * of largest magnitude is positive (the first such entry on ties). A V = U S is unchanged, and two
 * runs that agree up to signs then agree exactly. The project's rule decides on V (the right
 * singular vectors): `fixSigns(v, u)`, scikit-learn's `u_based_decision=False`.
 *
 * Both are modified in place; columns beyond min(decide.cols, follow.cols) are ignored.
 */
import type { Matrix64 } from '../matrix.js';

export function fixSigns(decide: Matrix64, follow: Matrix64): void {
  const u = decide, v = follow;
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
