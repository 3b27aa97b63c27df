/**
 * A-posteriori error estimate from the error sketch S = Theta A (q x n, Gaussian) [TYUC19 §6.1]:
 * err^2 ~= ||S - Theta A_hat||_F^2 / q, unbiased; ||A||_F ~= ||S||_F / sqrt(q). Theta A_hat is
 * formed from small factors (Theta U from the accumulated Theta [Y 1]), so no pass over A or the
 * spill. `approx` defaults to the full low-rank approximation Q C P^T.
 */
import type { ErrorEstimate, LowRankFactors, Reconstruction, SketchState } from './types.js';

export function estimateError(state: SketchState, approx?: Reconstruction | LowRankFactors): ErrorEstimate {
  void state; void approx;
  throw new Error('estimateError: not implemented yet');
}
