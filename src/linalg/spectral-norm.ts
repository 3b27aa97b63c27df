/**
 * Spectral norm ||A||_2 = sigma_1(A) of an implicit operator by Golub–Kahan–Lanczos
 * bidiagonalisation with full reorthogonalisation [GVL13 Alg. 10.4.1 (Lanczos bidiagonalisation),
 * §10.3.5 (complete reorthogonalisation); Golub & Kahan 1965].
 *
 * After j steps A V_j = U_j B_j with B_j (j x j) upper bidiagonal; sigma_1(B_j) increases
 * monotonically to sigma_1(A) (it is a lower bound at every step) and converges much faster than
 * the power method (at the rate of Chebyshev polynomials in the gap sigma_1 / sigma_2). Every new
 * Lanczos vector is orthogonalised twice (modified Gram–Schmidt, "twice is enough") against all
 * earlier ones, so no ghost copies of sigma_1 appear; storage is maxIter (m + n) doubles.
 *
 * Stops when sigma_1(B_j) changes by at most tol * sigma_1(B_j) over two consecutive steps, on breakdown
 * (an invariant subspace: the value is then exact), or after maxIter steps.
 * The start vector is seeded Gaussian (src/random), so results are reproducible.
 */
import type { LinearOperator } from './linear-operator.js';
import { zeros } from '../matrix.js';
import { ArgumentError } from '../errors.js';
import { testMatrix } from '../random/test-matrix.js';
import { svd } from './svd.js';
import { divideOrScale, scaledSquares } from './safe-scale.js';

export interface SpectralNormOptions {
  /** Relative change of the estimate that counts as converged. Default 1e-10. */
  tol?: number;
  /** Maximum Lanczos steps. Default min(rows, cols, 100). */
  maxIter?: number;
  /** Seed of the Gaussian start vector. Default 0. */
  seed?: number;
}

export function spectralNorm(op: LinearOperator, opts: SpectralNormOptions = {}): number {
  const m = op.rows, n = op.cols;
  if (m === 0 || n === 0) return 0;
  const tol = opts.tol ?? 1e-10;
  const maxIter = Math.min(opts.maxIter ?? 100, m, n);
  if (!(maxIter >= 1)) throw new ArgumentError(`spectralNorm: maxIter must be >= 1, found ${opts.maxIter}`);
  const us = new Float64Array(maxIter * m), vs = new Float64Array((maxIter + 1) * n);
  const alpha = new Float64Array(maxIter), beta = new Float64Array(maxIter);
  const start = testMatrix('gaussian', opts.seed ?? 0, 'spectral-norm', 1, n).data;
  const s0 = normalize(start, 0, n);
  if (s0 === 0) return 0;
  vs.set(start);
  const u = new Float64Array(m), v = new Float64Array(n);
  const b = zeros(maxIter, maxIter);
  let est = 0, quiet = 0;
  for (let j = 0; j < maxIter; j++) {
    op.apply(vs.subarray(j * n, (j + 1) * n), u);
    reorthogonalize(u, us, j, m);
    alpha[j] = normalize(u, 0, m);
    us.set(u, j * m);
    const tiny = 1e-14 * Math.max(est, alpha[j]);
    op.applyT(u, v);
    reorthogonalize(v, vs, j + 1, n);
    beta[j] = normalize(v, 0, n);
    vs.set(v, (j + 1) * n);
    // sigma_1 of the (j+1) x (j+1) upper bidiagonal B (alphas on the diagonal, betas above).
    const k = j + 1;
    const bk = { rows: k, cols: k, data: b.data, offset: 0, stride: maxIter };
    for (let i = 0; i < k; i++) for (let c = 0; c < k; c++) b.data[i * maxIter + c] = 0;
    for (let i = 0; i < k; i++) {
      b.data[i * maxIter + i] = alpha[i];
      if (i + 1 < k) b.data[i * maxIter + i + 1] = beta[i];
    }
    // The bordered k x (k+1) matrix [B | beta_k e_k] has the same sigma_1 bound one step earlier;
    // the square B is the classical Ritz estimate and is what we track.
    const next = svd(bk, { vectors: false }).s[0];
    // Two quiet steps in a row, not one: a start vector nearly orthogonal to the top singular
    // vector can make the estimate pause for a step before it climbs again.
    quiet = Math.abs(next - est) <= tol * next ? quiet + 1 : 0;
    const done = quiet >= 2 || alpha[j] <= tiny || beta[j] <= 1e-14 * next;
    est = next;
    if (done) break;
  }
  return est;
}

/** Two passes of modified Gram–Schmidt of x against the first `count` rows (length len) of basis. */
function reorthogonalize(x: Float64Array, basis: Float64Array, count: number, len: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < count; c++) {
      const o = c * len;
      let d = 0;
      for (let i = 0; i < len; i++) d += basis[o + i] * x[i];
      if (d === 0) continue;
      for (let i = 0; i < len; i++) x[i] -= d * basis[o + i];
    }
  }
}

function normalize(x: Float64Array, off: number, len: number): number {
  // Scaled by the largest entry so that norms near the overflow or underflow limits stay finite.
  let big = 0;
  for (let i = 0; i < len; i++) { const a = Math.abs(x[off + i]); if (a > big) big = a; }
  if (big === 0) return 0;
  const s = Math.sqrt(scaledSquares(x, off, 1, len, big));
  const nrm = big * s;
  // x / nrm = (x / big) / s: each step finite even when big is subnormal or nrm overflows.
  divideOrScale(x, off, 1, len, big);
  divideOrScale(x, off, 1, len, s);
  return nrm;
}
