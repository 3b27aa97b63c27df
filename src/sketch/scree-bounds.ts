/**
 * Scree bounds on the unexplained energy fraction ||A - A_hat_r||_F^2 / ||A||_F^2 for every r
 * [TYUC19 §6.4]: with sigma_j the singular values of the core approximation, tail(r) =
 * sqrt(sum_{j > r} sigma_j^2), normA and err from `estimateError` of the full approximation:
 * lower(r) = (tail(r) / normA)^2, upper(r) = ((tail(r) + err) / normA)^2.
 */
import type { ScreeBounds, SketchState } from './types.js';

export function screeBounds(state: SketchState): ScreeBounds {
  void state;
  throw new Error('screeBounds: not implemented yet');
}
