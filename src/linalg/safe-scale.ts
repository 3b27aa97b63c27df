/**
 * Scaling that stays exact and finite at the ends of the float64 range: the pieces every norm,
 * reflector and normalisation of `src/linalg` needs so that subnormal inputs (below 2^-1022, about
 * 2.2e-308) and inputs near the overflow limit (about 1.8e308) are handled as numpy / LAPACK
 * handle them, instead of producing Infinity (1 / 1e-310) or NaN (Infinity * 0).
 *
 * - `scaledSquares(x, off, inc, len, scale)`: sum of (x_t / scale)^2 for a scale >= max |x_t| > 0,
 *   in [1, len]: the scaled sum of squares of LAPACK's dnrm2 / dlassq. For a scale below 2^-1000
 *   the values are first multiplied by 2^600 (exact: a power of two, and every value is at most
 *   the scale), because 1 / scale itself would overflow.
 * - `powerOfTwoExponent(a)`: e with 2^e <= a < 2^(e+1) for a finite a > 0 (subnormals included).
 * - `scaleByPowerOfTwo(x, off, len, e)`: x *= 2^e exactly (split in two factors where 2^e alone
 *   would overflow or underflow), the LAPACK dlascl of the SVD's prescaling.
 * - `divideOrScale(x, off, inc, len, d)`: x /= d, as a multiplication by 1 / d when that is finite.
 */
import type { Matrix } from '../matrix.js';

/** Below this scale, 1 / scale is not safe to form (it is 2^1000 here and overflows at 2^1024). */
const TINY_SCALE = 2 ** -1000;
const BOOST = 2 ** 600;


export function scaledSquares(x: Float64Array, off: number, inc: number, len: number, scale: number): number {
  let ss = 0;
  if (scale >= TINY_SCALE) {
    const inv = 1 / scale;
    for (let t = 0, p = off; t < len; t++, p += inc) { const v = x[p] * inv; ss += v * v; }
  } else {
    const inv = 1 / (scale * BOOST);
    for (let t = 0, p = off; t < len; t++, p += inc) { const v = (x[p] * BOOST) * inv; ss += v * v; }
  }
  return ss;
}

/** Largest |x_t| of a strided vector. */
export function maxAbs(x: ArrayLike<number>, off: number, inc: number, len: number): number {
  let big = 0;
  for (let t = 0, p = off; t < len; t++, p += inc) { const a = Math.abs(x[p]); if (a > big) big = a; }
  return big;
}

/** The 2-norm of a strided vector, without overflow or underflow (dnrm2). */
export function safeNorm(x: Float64Array, off: number, inc: number, len: number): number {
  const scale = maxAbs(x, off, inc, len);
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  return scale * Math.sqrt(scaledSquares(x, off, inc, len, scale));
}

/** x /= d for a finite d != 0: one multiplication by 1 / d when that is finite, else a division per value. */
export function divideOrScale(x: Float64Array | Float32Array, off: number, inc: number, len: number, d: number): void {
  const f = 1 / d;
  if (Number.isFinite(f)) for (let t = 0, p = off; t < len; t++, p += inc) x[p] *= f;
  else for (let t = 0, p = off; t < len; t++, p += inc) x[p] /= d;
}

/** e with 2^e <= a < 2^(e+1), for a finite a > 0 (subnormals included). */
export function powerOfTwoExponent(a: number): number {
  let e = Math.floor(Math.log2(a));
  // Math.log2 may round across a power of two; settle it exactly.
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

/** x[off .. off + len) *= 2^e, exactly (no rounding unless a result is subnormal). */
export function scaleByPowerOfTwo(x: Float64Array | Float32Array, off: number, len: number, e: number): void {
  if (e === 0) return;
  // 2^e is a float64 for -1074 <= e <= 1023; split larger shifts so that each factor is normal.
  const e1 = Math.trunc(e / 2), e2 = e - e1;
  if (Math.abs(e) <= 1000) {
    const f = 2 ** e;
    for (let t = off; t < off + len; t++) x[t] *= f;
    return;
  }
  const f1 = 2 ** e1, f2 = 2 ** e2;
  for (let t = off; t < off + len; t++) x[t] = (x[t] * f1) * f2;
}

/** 2^e as a multiplier for scalars (s_i *= 2^e), split where 2^e alone is not a float64. */
export function timesPowerOfTwo(v: number, e: number): number {
  if (Math.abs(e) <= 1000) return v * 2 ** e;
  const e1 = Math.trunc(e / 2);
  return (v * 2 ** e1) * 2 ** (e - e1);
}

/** max |a_ij| over a strided matrix (the scale decision of svd and orthonormalize). */
export function matrixMaxAbs(a: Matrix): number {
  let big = 0;
  for (let i = 0; i < a.rows; i++) {
    const o = a.offset + i * a.stride;
    for (let j = 0; j < a.cols; j++) { const v = Math.abs(a.data[o + j]); if (v > big) big = v; }
  }
  return big;
}
