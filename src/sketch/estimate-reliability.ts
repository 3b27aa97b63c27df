/**
 * When the a-posteriori error estimate can be trusted [docs/METHODS.md §4]. With Theta (q x m)
 * Gaussian and independent of A, the residual sketch R = Theta E (E = A - A_hat) has rows
 * theta_i^T E, and q err^2 / ||E||_F^2 = sum_j w_j chi^2_q,j with weights w_j = lambda_j / sum lambda
 * (lambda_j the eigenvalues of E^T E) [TYUC19 §6.1]. Its spread is set by nu = q d, d = (sum
 * lambda)^2 / sum lambda^2 the effective number of directions of the error: err / ||E||_F is close
 * to sqrt(chi^2_nu / nu) (Satterthwaite), which lies within [0.8, 1.25] with probability >= 0.9 once
 * nu >= 29 (Wilson-Hilferty below; nu = 10, one direction at q = 10: 0.67).
 *
 * d is read from R itself: E||R||_F^4 = q^2 T^2 + 2q U and E||R R^T||_F^2 = q(q+1) U + q T^2 (T =
 * sum lambda, U = sum lambda^2), so the stable rank sr = ||R||_F^4 / ||R R^T||_F^2 is about
 * q d / (q + 1 + d), and d_hat = (q + 1) sr / (q - sr) inverts it (sr = 1, a residual of one
 * direction: d_hat = (q + 1) / (q - 1)). q rows cannot certify more than q directions, so nu_hat =
 * q min(d_hat, q): a q below 6 is never enough.
 *
 * The second limit is rounding: S = Theta A carries the rounding of its products (float32 chunks:
 * about 7 u of ||A||_F measured on an exact rank-5 input, where the estimate read 2-3x the truth;
 * float64: about 20 u, ratios up to 1.45), so an estimate below the precision floor
 * 16 u sqrt(n + chunk) ||A||_F (u = 2^-24 or 2^-53) says only that the error is below that floor.
 */
import type { SketchDType } from './types.js';

/** The in-range probability the estimate must reach to be reported as a number (the target). */
export const RELIABLE_PROBABILITY = 0.9;

export interface EstimateReliability {
  /** Estimated effective number of directions of the error, (sum lambda)^2 / sum lambda^2 (>= 1). */
  directions: number;
  /** Predicted probability that the estimate lies within [0.8, 1.25] of the true error. */
  inRangeProbability: number;
  /** Relative error below which rounding dominates the estimate (of ||A||_F). */
  precisionFloor: number;
  reliable: boolean;
  /** Why it is not (undefined when reliable). */
  reason?: string;
}

/**
 * The reliability of err = ||R||_F / sqrt(q) for the residual sketch `resid` (q x n, row-major) of
 * a record of element type `dtype` with chunk height `chunk`, at relative error `relative`.
 */
export function estimateReliability(resid: Float64Array, q: number, n: number, relative: number, dtype: SketchDType, chunk: number): EstimateReliability {
  const u = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
  const precisionFloor = 16 * u * Math.sqrt(n + chunk);
  const directions = effectiveDirections(resid, q, n);
  const nu = q * Math.min(directions, q);
  const inRangeProbability = chiSquareRatioInside(nu, 0.64, 1.5625);
  const base = { directions, inRangeProbability, precisionFloor };
  if (relative < precisionFloor) {
    return {
      ...base, reliable: false,
      reason: `the estimated error (${relative.toPrecision(2)} of ||A||_F) is below the precision floor of the error sketch (${precisionFloor.toPrecision(2)} of ||A||_F in ${dtype}): ` +
        'rounding dominates it; the error is at most about that floor',
    };
  }
  if (inRangeProbability < RELIABLE_PROBABILITY) {
    return {
      ...base, reliable: false,
      reason: `the error sketch has ${q} rows and the error about ${directions.toPrecision(2)} effective direction${directions < 1.5 ? '' : 's'}: ` +
        `the estimate would lie within [0.8, 1.25] of the truth with probability ${inRangeProbability.toFixed(2)} (below ${RELIABLE_PROBABILITY}); ` +
        'a larger error sketch (errorSketchDim >= 29 covers one direction) makes it reliable',
    };
  }
  return { ...base, reliable: true };
}

/** d_hat = (q + 1) sr / (q - sr), sr the stable rank ||R||_F^4 / ||R R^T||_F^2 of R (q x n); scaled sums. */
export function effectiveDirections(r: Float64Array, q: number, n: number): number {
  let scale = 0;
  for (let i = 0; i < q * n; i++) scale = Math.max(scale, Math.abs(r[i]!));
  if (!(scale > 0) || !Number.isFinite(scale)) return 1;
  const inv = 1 / scale;
  let f2 = 0, g2 = 0;
  for (let i = 0; i < q; i++) {
    for (let j = 0; j <= i; j++) {
      let t = 0;
      for (let c = 0; c < n; c++) t += r[i * n + c]! * inv * (r[j * n + c]! * inv);
      g2 += (i === j ? 1 : 2) * t * t;
      if (i === j) f2 += t;
    }
  }
  const sr = (f2 * f2) / g2;
  return sr >= q * (1 - 1e-12) ? Infinity : Math.max(1, ((q + 1) * sr) / (q - sr));
}

/** P(a <= chi^2_nu / nu <= b) by the Wilson-Hilferty cube-root normal approximation (within 0.01 of the exact value for nu >= 1.2). */
export function chiSquareRatioInside(nu: number, a: number, b: number): number {
  if (nu === Infinity) return 1;
  if (!(nu > 0)) return 0;
  const c = 2 / (9 * nu), sd = Math.sqrt(c);
  const cdf = (x: number) => normalCdf((Math.cbrt(x) - (1 - c)) / sd);
  return cdf(b) - cdf(a);
}

/** Phi(z) from erfc (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7). */
function normalCdf(z: number): number {
  const x = -z / Math.SQRT2, ax = Math.abs(x), t = 1 / (1 + 0.5 * ax);
  const e = t * Math.exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return 0.5 * (x >= 0 ? e : 2 - e);
}
