/**
 * The exact ||A||_F of what a linear record absorbed (of the centered A with `center`), from the
 * sum of squares its engine measures while it checks each chunk (Blue's accumulators, src/kernels/
 * ops.ts `sumSquares`): no extra pass, no overflow at 1e300 nor underflow at 1e-300. Known when
 * every row arrived whole, once, through `updateRows` (or dense `updateLinear` rows that were new)
 * and A was never scaled: entry or low-rank updates, rows written twice and theta != 1 leave it
 * undefined, as does Frequent Directions. A projection method's residual is then exact:
 * ||A - U S V^T||_F^2 = ||A||_F^2 - sum S^2 [HMT11 §4].
 */
import { sumSquaresNorm } from '../kernels/ops.js';
import { coveredCount } from './intervals.js';
import type { SketchState } from './types.js';

export function measuredNorm(st: SketchState): number | undefined {
  if (st.method === 'fd') return undefined;
  const ss = st.sumSquares;
  if (ss[3] !== 0 || !st.rangeRValid || st.rangeScale !== 1) return undefined;
  const norm = sumSquaresNorm(ss);
  return st.center ? centeredNorm(norm, st.colSums, coveredCount(st.covered)) : norm;
}

/**
 * ||A_c||_F of the centered A from ||A||_F and the column sums c over m rows:
 * ||A_c||^2 = ||A||^2 - sum c_j^2 / m, in ratios to ||A|| so that nothing overflows.
 */
export function centeredNorm(norm: number, colSums: ArrayLike<number>, m: number): number {
  if (m === 0 || !(norm > 0) || !Number.isFinite(norm)) return norm;
  let t = 0;
  const d = norm * Math.sqrt(m);
  for (let j = 0; j < colSums.length; j++) { const x = colSums[j] / d; t += x * x; }
  return norm * Math.sqrt(Math.max(0, 1 - t));
}
