/**
 * Automatic rank for a relative Frobenius error tolerance [TYUC19 §6.4]: the smallest r >= 1 whose
 * scree upper bound meets it, upper(r) <= tolerance^2, i.e. ||A - A_hat_r||_F <~ tolerance ||A||_F.
 * Returns the largest available rank with `met: false` when no r meets the tolerance.
 */
import { ArgumentError } from '../errors.js';
import { screeBounds } from './scree-bounds.js';
import type { SketchState } from './types.js';

export function chooseRank(state: SketchState, tolerance: number): { rank: number; met: boolean; upper: number; lower: number } {
  if (!(tolerance > 0 && tolerance < 1)) throw new ArgumentError(`tolerance must be in (0, 1), found ${tolerance}`);
  const { lower, upper } = screeBounds(state);
  const K = upper.length - 1;
  for (let r = 1; r <= K; r++) {
    if (upper[r] <= tolerance * tolerance) return { rank: r, met: true, upper: upper[r], lower: lower[r] };
  }
  const r = Math.max(1, K);
  return { rank: r, met: false, upper: upper[Math.min(r, K)] ?? NaN, lower: lower[Math.min(r, K)] ?? NaN };
}
