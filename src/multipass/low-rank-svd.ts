/**
 * A rank-r approximation in SVD form: A (m x n) ~ U diag(s) V^T with U (m x r), s (r, descending,
 * non-negative) and V (n x r), both with orthonormal columns up to rounding.
 *
 * Signs: each column of V is flipped (with the same column of U) so that its entry of largest
 * magnitude is positive (scikit-learn's `svd_flip(u_based_decision=False)`). The decision is on V
 * rather than U because a streamed tall U is still in the spill when the signs are fixed
 * [docs/METHODS.md §6]; in-memory and streaming paths use the same rule, so they agree exactly.
 */
import type { Matrix64 } from '../matrix.js';

export interface LowRankSvd {
  /** Left singular vectors (m x r). */
  u: Matrix64;
  /** Singular values (r), descending. */
  s: Float64Array;
  /** Right singular vectors (n x r). */
  v: Matrix64;
}
