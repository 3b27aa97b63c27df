/**
 * Scree bounds on the unexplained energy fraction ||A - A_hat_r||_F^2 / ||A||_F^2 for every r
 * [TYUC19 §6.4]: with sigma_j the singular values of the core approximation C (A_hat = Q C P^T),
 * tail(r) = sqrt(sum_{j > r} sigma_j^2), and normA, err from `estimateError` of the full A_hat:
 * lower(r) = (tail(r) / normA)^2, upper(r) = ((tail(r) + err) / normA)^2 (r = 0 .. K).
 */
import { svd } from '../linalg/svd.js';
import { estimateError } from './estimate-error.js';
import { lowRankFactors } from './low-rank-factors.js';
import { reconstruct } from './reconstruct.js';
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
  const K = sigma.length;
  const lower = new Float64Array(K + 1), upper = new Float64Array(K + 1);
  let tail2 = 0;
  for (let r = K; r >= 0; r--) {
    if (r < K) tail2 += sigma[r]! * sigma[r]!;
    const tail = Math.sqrt(tail2);
    lower[r] = normA > 0 ? (tail / normA) ** 2 : 0;
    upper[r] = normA > 0 ? ((tail + err) / normA) ** 2 : 0;
  }
  return { lower, upper, sigma };
}
