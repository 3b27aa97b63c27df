/**
 * A running sum of squares that neither overflows nor underflows (LAPACK's dlassq representation:
 * the sum is `scale^2 * ssq`), for Frobenius norms of user data: values near 1e300 whose squares
 * overflow, and values near 1e-300 (or subnormal) whose squares underflow to 0, give the norm numpy
 * gives (`np.linalg.norm` scales the same way).
 *
 * Cost: the common case is one multiply-add per value, as a plain loop: each `addSquares` call sums
 * its values plainly and keeps the result when it is finite and not small enough to have lost
 * values to underflow; only a call that overflowed or may have underflowed is summed again with
 * scaling (max |x| first, then the scaled squares).
 *
 * `normOf(acc)` is ||x||_2 (Infinity only when the norm itself exceeds the float64 range);
 * `residualNorm(acc, s)` is sqrt(max(0, ||x||^2 - sum s_j^2)), the exact residual of a projection
 * method, formed in the same scaled representation.
 */
import { maxAbs } from './safe-scale.js';

export interface SumSquares {
  /** The sum is scale^2 * ssq (scale 1 while plain sums suffice). */
  scale: number;
  ssq: number;
}

/** Below this a plain sum may have lost values to underflow (a square of 2^-537 is subnormal). */
const SMALL_SUM = 2 ** -900;

export function createSumSquares(): SumSquares {
  return { scale: 1, ssq: 0 };
}

/** Adds the squares of `len` values of `x` from `off` (a packed block). */
export function addSquares(acc: SumSquares, x: ArrayLike<number>, off: number, len: number): void {
  let s = 0;
  for (let t = off; t < off + len; t++) { const v = x[t]!; s += v * v; }
  if (Number.isFinite(s) && s >= SMALL_SUM) { combine(acc, 1, s); return; }
  // Overflowed, or small enough that some squares may have underflowed: sum again, scaled.
  const big = maxAbs(x, off, 1, len);
  if (big === 0) return;
  if (!Number.isFinite(big)) { combine(acc, big, 1); return; }
  let ss = 0;
  for (let t = off; t < off + len; t++) { const v = x[t]! / big; ss += v * v; }
  combine(acc, big, ss);
}

/** acc += scale^2 * ssq. */
export function combine(acc: SumSquares, scale: number, ssq: number): void {
  if (ssq === 0) return;
  if (acc.ssq === 0) { acc.scale = scale; acc.ssq = ssq; return; }
  if (scale > acc.scale) {
    const r = acc.scale / scale;
    acc.ssq = ssq + acc.ssq * r * r;
    acc.scale = scale;
  } else {
    const r = scale / acc.scale;
    acc.ssq += ssq * r * r;
  }
}

/** True when every value added was 0. */
export function isZeroSum(acc: SumSquares): boolean {
  return acc.ssq === 0;
}

/** ||x||_2 = scale * sqrt(ssq). */
export function normOf(acc: SumSquares): number {
  return acc.scale * Math.sqrt(acc.ssq);
}

/** sqrt(max(0, ||x||^2 - sum_j s_j^2)) without forming either square sum in plain float64. */
export function residualNorm(acc: SumSquares, s: ArrayLike<number>): number {
  let c = acc.ssq > 0 ? acc.scale : 0;
  for (let j = 0; j < s.length; j++) c = Math.max(c, Math.abs(s[j]!));
  if (c === 0) return 0;
  if (!Number.isFinite(c)) return NaN;
  const a = acc.scale / c;
  let d = acc.ssq * a * a;
  for (let j = 0; j < s.length; j++) { const v = s[j]! / c; d -= v * v; }
  return c * Math.sqrt(Math.max(0, d));
}
