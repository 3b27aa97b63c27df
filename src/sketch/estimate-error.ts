/**
 * A-posteriori error estimate from the error sketch S = Theta A (q x n, Gaussian, independent of
 * the other maps) [TYUC19 §6.1]: err^2 ~= ||S_c - Theta A_hat||_F^2 / q (unbiased),
 * ||A||_F ~= ||S_c||_F / sqrt(q), with S_c = S - (Theta 1) mu^T when centering. Theta A_hat comes from
 * small factors (Theta U from the accumulated Theta [Y 1]), so there is no pass over A or the spill.
 * `approx` defaults to the full low-rank approximation Q C P^T (FD: its full-rank reconstruction).
 * Accuracy: err^2 q / ||A - A_hat||_F^2 is a weighted sum of chi^2_q variables (weights: the
 * squared singular values of the error): within [0.8, 1.25] for most draws once the error spreads
 * over several directions; with q = 10 and one dominant direction its spread is that of
 * sqrt(chi^2_10 / 10) (5%-95%: 0.63-1.35). So every estimate comes with its reliability
 * (estimate-reliability.ts): the effective number of directions of the error read from the residual
 * sketch, the predicted probability of lying within [0.8, 1.25] of the truth, and `reliable: false`
 * with the reason when that probability is below 0.9 or the error is below the rounding floor of the
 * sketch. docs/METHODS.md §4 says when to trust it. Sums of squares are scaled (no overflow at 1e300,
 * no underflow at 1e-300).
 */
import { ArgumentError } from '../errors.js';
import { estimateReliability } from './estimate-reliability.js';
import { centeredErrorSketch } from './linear/finish.js';
import { reconstruct } from './reconstruct.js';
import { lowRankFactors } from './reconstruct.js';
import type { ErrorEstimate, LowRankFactors, Reconstruction, SketchState } from './types.js';

export function estimateError(state: SketchState, approx?: Reconstruction | LowRankFactors): ErrorEstimate {
  const q = state.sizes.q, n = state.cols;
  if (q === 0) throw new ArgumentError('estimateError needs an error sketch (errorSketchDim > 0)');
  const a = approx ?? (state.method === 'fd' ? reconstruct(state, { rank: Math.max(1, state.fdRows) }) : lowRankFactors(state, { formQ: false }));
  // Theta A_hat (q x n) = L R^T with L (q x p), Rt (n x p).
  let l: Float64Array, rt: Float64Array, p: number;
  if ('thetaU' in a) {
    p = a.s.length; l = new Float64Array(q * p); rt = a.v.data;
    for (let i = 0; i < q; i++) for (let j = 0; j < p; j++) l[i * p + j] = a.thetaU.data[i * p + j]! * a.s[j]!;
  } else {
    const rho = a.c.rows; p = a.c.cols; l = new Float64Array(q * p); rt = a.p.data;
    for (let i = 0; i < q; i++) for (let t = 0; t < rho; t++) {
      const x = a.thetaQ.data[i * rho + t]!;
      for (let j = 0; j < p; j++) l[i * p + j] += x * a.c.data[t * p + j]!;
    }
  }
  const sc = state.method === 'fd' ? state.errorSketch : centeredErrorSketch(state, a.mean);
  const resid = new Float64Array(q * n);
  for (let i = 0; i < q; i++) {
    for (let j = 0; j < n; j++) {
      let h = 0;
      for (let t = 0; t < p; t++) h += l[i * p + t]! * rt[j * p + t]!;
      resid[i * n + j] = sc[i * n + j]! - h;
    }
  }
  const frobenius = scaledNorm(resid) / Math.sqrt(q), normA = scaledNorm(sc.subarray(0, q * n)) / Math.sqrt(q);
  const relative = normA > 0 ? frobenius / normA : 0;
  const { directions, inRangeProbability, precisionFloor, reliable, reason } = estimateReliability(resid, q, n, relative, state.dtype, state.sizes.chunk);
  return {
    frobenius, relative, normA, q, directions, precisionFloor, inRangeProbability, reliable, ...(reason !== undefined ? { unreliable: reason } : {}),
  };
}

/** sqrt(sum x^2) without overflow or underflow (scaled by the largest magnitude). */
export function scaledNorm(x: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < x.length; i++) { const a = Math.abs(x[i]!); if (a > scale) scale = a; }
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let t = 0;
  for (let i = 0; i < x.length; i++) { const v = x[i]! / scale; t += v * v; }
  return scale * Math.sqrt(t);
}
