/**
 * The last step of every range finder [HMT11 §5.1, Alg. 5.1]: given an orthonormal basis
 * Q (m x l) and the projected matrix B = Q^T A (l x n), the SVD B = U_B S V^T gives
 * A ~ Q Q^T A = (Q U_B) S V^T, truncated to rank r (the best rank-r approximation within range(Q)).
 * Signs are fixed on V (see `LowRankSvd`).
 */
import type { Matrix } from '../matrix.js';
import { view } from '../matrix.js';
import { svd } from '../linalg/svd.js';
import { fixSigns } from '../linalg/sign-fix.js';
import type { LowRankSvd } from './low-rank-svd.js';
import { multiply } from './multiply.js';
import { truncateSvd } from './truncate-svd.js';

/** Rank-r factors of Q B, with Q (m x l) orthonormal and B (l x n). */
export function projectionSvd(q: Matrix, b: Matrix, rank: number): LowRankSvd {
  const f = truncateSvd(svd(b), rank);
  const u = multiply(q, view(f.u, 0, f.u.rows));
  fixSigns(f.v, u);
  return { u, s: f.s, v: f.v };
}
