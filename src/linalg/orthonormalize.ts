/**
 * Orthonormal basis of range(A) for a tall-skinny A (m x n, m >= n), returned as Q (m x n) with
 * Q^T Q = I and range(A) contained in range(Q).
 *
 * Method: CholeskyQR2 [Fukaya, Nakatsukasa, Yanagisawa, Yamamoto 2014] on the GEMM kernels with a
 * float64 Gram: G = A^T A, R1 = chol(G), Q1 = A R1^{-1}, then the same once more on Q1. Its cost
 * is two Gram products and two products with the explicit inverse of the small triangle (4 m n^2 flops, all Level-3), and
 * it is what made tall-skinny orthonormalisation faster than Householder QR (docs/KERNELS.md).
 * When A is well conditioned (kappa(A) well below u^{-1/2} ~ 1e8) Q is orthonormal to O(u).
 *
 * Guard: the first Cholesky may break down, and for kappa(A) near or above u^{-1/2} (including
 * the rank-deficient sketches of exact-recovery tests) Q1 is far from orthonormal. The second
 * Gram G2 = Q1^T Q1 measures that for free: if a pivot is not positive or ||G2 - I||_F > 1/2 we
 * fall back to Householder QR [GVL13 Alg. 5.2.1], which is orthonormal for any rank (the extra
 * directions for a rank-deficient A are arbitrary orthonormal completions inside R^m).
 * (Shifted CholeskyQR3 [Fukaya et al. 2020] would extend the fast path to kappa ~ 1e15; the
 * Householder fallback covers that range at some cost and stays correct for rank < n.)
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { clone, zeros } from '../matrix.js';
import { ShapeError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import { householderQr } from './householder-qr.js';
import { invertUpperTriangular } from './triangular-inverse.js';
import { choleskyUpper } from './cholesky.js';
import { matrixMaxAbs, powerOfTwoExponent, scaleByPowerOfTwo } from './safe-scale.js';

export function orthonormalize(a: Matrix): Matrix64 {
  const m = a.rows, n = a.cols;
  if (m < n) throw new ShapeError(`orthonormalize: A is ${m} x ${n}, expected rows >= columns`);
  if (n === 0) return zeros(m, 0);
  // Q does not depend on the scale of A: entries far from 1 (whose Gram would underflow to
  // subnormals or overflow) are brought near 1 by a power of two first (exact).
  const big = matrixMaxAbs(a);
  if (big > 0 && Number.isFinite(big) && (big < 2 ** -200 || big > 2 ** 200)) {
    const c = clone(a);
    scaleByPowerOfTwo(c.data, 0, m * n, -powerOfTwoExponent(big));
    a = c;
  }
  const g = zeros(n, n);
  gram(a, g);
  if (choleskyUpper(g)) {
    const q1 = zeros(m, n);
    timesInverse(a, g, q1);
    gram(q1, g);
    if (identityDeviation(g) <= 0.5 && choleskyUpper(g)) {
      // Second pass written over a fresh buffer: GEMM cannot work in place.
      const q = zeros(m, n);
      timesInverse(q1, g, q);
      return q;
    }
  }
  return householderQr(a).q;
}

/** G <- A^T A (n x n, float64) on the GEMM kernels. */
function gram(a: Matrix, g: Matrix64): void {
  const m = a.rows, n = a.cols;
  gemm(true, false, n, n, m, 1, a.data, a.offset, a.stride, a.data, a.offset, a.stride, 0, g.data, g.offset, g.stride);
}

/** out <- A R^{-1} as one GEMM with the explicit inverse of the small triangle. */
function timesInverse(a: Matrix, r: Matrix64, out: Matrix64): void {
  const m = a.rows, n = a.cols;
  const ri = invertUpperTriangular(r);
  gemm(false, false, m, n, n, 1, a.data, a.offset, a.stride, ri.data, 0, n, 0, out.data, out.offset, out.stride);
}

/** ||G - I||_F: how far the first pass is from orthonormal (kappa(A)^2 u, roughly). */
function identityDeviation(g: Matrix64): number {
  const n = g.rows, d = g.data;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const v = d[i * n + j] - (i === j ? 1 : 0);
    s += v * v;
  }
  return Math.sqrt(s);
}
