/**
 * A running sum of squares that neither overflows nor underflows (LAPACK's dlassq representation:
 * the sum is `scale^2 * ssq`), for Frobenius norms of user data: values near 1e300 whose squares
 * overflow, and values near 1e-300 (or subnormal) whose squares underflow to 0, give the norm numpy
 * gives (`np.linalg.norm` scales the same way).
 *
 * Cost: one pass per typed block in WebAssembly SIMD (Blue's accumulators, src/kernels/ops.ts); a
 * plain array is summed plainly and summed again with scaling only when that overflowed or may
 * have underflowed.
 *
 * `normOf(acc)` is ||x||_2 (Infinity only when the norm itself exceeds the float64 range);
 * `residualNorm(acc, s)` is sqrt(max(0, ||x||^2 - sum s_j^2)), the exact residual of a projection
 * method, formed in the same scaled representation.
 */
import { sumSquares } from '../kernels/ops.js';
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

const blue = new Float64Array(3);
const SSML = 2 ** 537, SBIG = 2 ** -538;

/**
 * Adds the squares of `len` values of `x` from `off` (a packed block). Typed arrays go through the
 * kernel of Blue's three accumulators (src/kernels/ops.ts `sumSquares`, WebAssembly SIMD: one pass,
 * no rescan), whose parts (x 2^537)^2, x^2 and (x 2^-538)^2 are this representation's
 * (scale 2^-537, 1 and 2^538).
 */
export function addSquares(acc: SumSquares, x: ArrayLike<number>, off: number, len: number): void {
  if (x instanceof Float64Array || x instanceof Float32Array) {
    blue.fill(0);
    sumSquares(len, x, off, blue);
    if (!Number.isFinite(blue[0] + blue[1] + blue[2])) { combine(acc, Number.isNaN(blue[0] + blue[1] + blue[2]) ? NaN : Infinity, 1); return; }
    combine(acc, 1 / SSML, blue[0]);
    combine(acc, 1, blue[1]);
    combine(acc, 1 / SBIG, blue[2]);
    return;
  }
  let s = 0;
  for (let t = off; t < off + len; t++) { const v = x[t]; s += v * v; }
  if (Number.isFinite(s) && s >= SMALL_SUM) { combine(acc, 1, s); return; }
  // Overflowed, or small enough that some squares may have underflowed: sum again, scaled.
  const big = maxAbs(x, off, 1, len);
  if (big === 0) return;
  if (!Number.isFinite(big)) { combine(acc, big, 1); return; }
  let ss = 0;
  for (let t = off; t < off + len; t++) { const v = x[t] / big; ss += v * v; }
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
  for (let j = 0; j < s.length; j++) c = Math.max(c, Math.abs(s[j]));
  if (c === 0) return 0;
  if (!Number.isFinite(c)) return NaN;
  const a = acc.scale / c;
  let d = acc.ssq * a * a;
  for (let j = 0; j < s.length; j++) { const v = s[j] / c; d -= v * v; }
  return c * Math.sqrt(Math.max(0, d));
}
