/**
 * Randomized subspace iteration, in memory: the reference the streaming Gram pass is tested against
 * [HMT11 Alg. 4.4 with Alg. 5.1; docs/METHODS.md §5].
 *
 * | symbol | shape  | here                                                         |
 * |--------|--------|--------------------------------------------------------------|
 * | A      | m x n  | `a`                                                          |
 * | Omega  | n x l  | `rangeTestMatrix(testMatrix, seed, n, l)`, l = rank + oversamples |
 * | Q      | m x l  | orthonormal basis of (A A^T)^q A Omega                       |
 * | Q~     | n x l  | the right-side half step qr(A^T Q)                           |
 * | B      | l x n  | Q^T A                                                        |
 *
 * Y = A Omega, Q = qr(Y); for j = 1..q: Q~ = qr(A^T Q), Q = qr(A Q~); B = Q^T A; SVD of B, truncated.
 * q = 0 is the plain RSVD [HMT11 Alg. 4.1]. Every half step is re-orthonormalised by Householder QR
 * (plain powering (A A^T)^q A Omega loses the directions below eps^(1/(2q+1)) sigma_1 in floating
 * point [HMT11 §4.5]); Householder rather than CholeskyQR because A^T Q can be as ill conditioned as
 * A itself. The result depends only on span(Omega) in exact arithmetic, which is why the Gram-pass
 * formulation (one pass per q, B without a pass) reproduces it to rounding.
 * Cost: (2q + 2) products with A or A^T (2 m n l flops each) plus O((m + n) l^2).
 */
import type { Matrix } from '../matrix.js';
import { householderQr } from '../linalg/householder-qr.js';
import type { LowRankSvd } from './low-rank-svd.js';
import type { MultipassOptions } from './multipass-options.js';
import { DEFAULT_POWER_ITERATIONS, resolveMultipassOptions } from './multipass-options.js';
import { multiply } from './multiply.js';
import { projectionSvd } from './projection-svd.js';
import { rangeTestMatrix } from './range-test-matrix.js';

export function randomizedSubspaceIteration(a: Matrix, opts: MultipassOptions): LowRankSvd {
  const o = resolveMultipassOptions('randomizedSubspaceIteration', opts, a.cols, a.rows, DEFAULT_POWER_ITERATIONS);
  const omega = rangeTestMatrix(o.testMatrix, o.seed, a.cols, o.l);
  let q = householderQr(multiply(a, omega)).q;
  for (let j = 0; j < o.powerIterations; j++) {
    const qt = householderQr(multiply(a, q, true)).q;
    q = householderQr(multiply(a, qt)).q;
  }
  return projectionSvd(q, multiply(q, a, true), o.rank);
}
