/**
 * Automatic rank for a relative Frobenius error tolerance [TYUC19 §6.4]: the smallest r whose
 * scree upper bound meets it, upper(r) <= tolerance^2, i.e. ||A - A_hat_r||_F <~ tolerance ||A||_F.
 * Returns the largest available rank (k) with `met: false` when no r meets the tolerance.
 */
import type { SketchState } from './types.js';

export function chooseRank(state: SketchState, tolerance: number): { rank: number; met: boolean; upper: number; lower: number } {
  void state; void tolerance;
  throw new Error('chooseRank: not implemented yet');
}
