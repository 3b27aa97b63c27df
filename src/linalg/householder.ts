/**
 * Elementary Householder reflectors H = I - tau v v^T with v[0] = 1 (LAPACK dlarfg convention)
 * [GVL13 Alg. 5.1.1]. Internal building block of QR, bidiagonalisation and TSQR.
 *
 * The vector x of length `len` lives at `x[off + t * inc]`. On return x[off] holds beta (the new
 * leading entry, so that H x = beta e1), x[off + t * inc] for t >= 1 holds v[t], and the function
 * returns tau. tau = 0 means H = I (x is already a multiple of e1; nothing to annihilate).
 * The norm is computed with scaling so that entries near the overflow/underflow limits are safe.
 */
import { divideOrScale, scaledSquares } from './safe-scale.js';

export function makeHouseholder(x: Float64Array, off: number, inc: number, len: number): number {
  if (len <= 1) return 0;
  const alpha = x[off];
  let scale = 0;
  for (let t = 1, p = off + inc; t < len; t++, p += inc) {
    const a = Math.abs(x[p]);
    if (a > scale) scale = a;
  }
  if (scale === 0) return 0;
  // Scale by the largest tail entry: the sum of squares then stays in [1, len] (no overflow), and
  // subnormal entries do not turn 1 / scale into Infinity (safe-scale.ts).
  const xnorm = scale * Math.sqrt(scaledSquares(x, off + inc, inc, len - 1, scale));
  const norm = Math.hypot(alpha, xnorm);
  // beta takes the sign opposite to alpha so that alpha - beta never cancels [GVL13 §5.1.3].
  const beta = alpha >= 0 ? -norm : norm;
  const tau = (beta - alpha) / beta;
  divideOrScale(x, off + inc, inc, len - 1, alpha - beta);
  x[off] = beta;
  return tau;
}

/**
 * y <- H y for H = I - tau v v^T with v[0] = 1 implicit, v[t] = v[voff + t] (t >= 1, contiguous),
 * y[yoff + t] contiguous, both of length len. Allocates nothing.
 */
export function applyHouseholder(v: Float64Array, voff: number, tau: number, len: number, y: Float64Array, yoff: number): void {
  if (tau === 0) return;
  let dot = y[yoff];
  for (let t = 1; t < len; t++) dot += v[voff + t] * y[yoff + t];
  const f = tau * dot;
  y[yoff] -= f;
  for (let t = 1; t < len; t++) y[yoff + t] -= f * v[voff + t];
}
