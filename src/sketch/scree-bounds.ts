/**
 * Scree bounds for choosing a rank [TYUC19 §6.2; docs/METHODS.md §4]: with sigma_j the singular
 * values of the sketch's approximation, tail(r) = sqrt(sum_{j > r} sigma_j^2) and err its
 * a-posteriori error estimate, lower(r) = (tail(r) / ||A||)^2 and upper(r) = ((tail(r) + err) / ||A||)^2
 * bracket the unexplained energy fraction of the best rank-r approximation (estimated). ||A|| is the
 * norm the record measured in its pass when it knows it (measuredNorm: every row whole and once),
 * else the error sketch's estimate of it (which can be 20% off on its own).
 */
import { svd } from '../linalg/svd.js';
import { estimateError } from './estimate-error.js';
import { measuredNorm } from './measured-norm.js';
import { lowRankFactors, reconstruct } from './reconstruct.js';
import type { ScreeBounds, SketchState } from './types.js';

export function screeBounds(state: SketchState): ScreeBounds {
  let sigma: Float64Array;
  let err: number, normA: number;
  if (state.method === 'fd') {
    const rec = reconstruct(state, { rank: Math.max(1, state.fdRows) });
    sigma = rec.s;
    ({ frobenius: err, normA } = estimateError(state, rec));
  } else {
    const f = lowRankFactors(state, { formQ: false });
    sigma = f.c.rows > 0 && f.c.cols > 0 ? svd(f.c, { vectors: false }).s : new Float64Array(0);
    ({ frobenius: err, normA } = estimateError(state, f));
  }
  const measured = measuredNorm(state);
  if (measured !== undefined) normA = measured;
  const K = sigma.length;
  const lower = new Float64Array(K + 1), upper = new Float64Array(K + 1);
  // Sums of squares relative to ||A|| (sigma_j <= ||A|| up to the estimate's error): no overflow
  // near 1e308, no underflow of the squares of tiny values.
  let tail2 = 0;
  for (let r = K; r >= 0; r--) {
    if (r < K && normA > 0) tail2 += (sigma[r] / normA) ** 2;
    const tail = Math.sqrt(tail2);
    lower[r] = normA > 0 ? tail ** 2 : 0;
    upper[r] = normA > 0 ? (tail + err / normA) ** 2 : 0;
  }
  return { lower, upper, sigma, normA, normMeasured: measured !== undefined, err };
}
