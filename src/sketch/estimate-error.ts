/**
 * A-posteriori error estimate from the error sketch S = Theta A (q x n, Gaussian) [TYUC19 §6.1]:
 * err^2 ~= ||S_c - Theta A_hat||_F^2 / q (unbiased), ||A||_F ~= ||S_c||_F / sqrt(q), with
 * S_c = S - (Theta 1) mu^T when centering. Theta A_hat is formed from small factors (Theta U from the
 * accumulated Theta [Y 1]), so there is no pass over A or the spill. `approx` defaults to the full
 * low-rank approximation Q C P^T (FD: its full-rank reconstruction).
 * Accuracy: err^2 q / ||A - A_hat||_F^2 is a weighted sum of chi^2_q variables, so with q = 10 the
 * ratio lies within [0.8, 1.25] in most cases once the error is spread over a few directions
 * (test/sketch-error-estimate.test.ts measures it).
 */
import { ArgumentError } from '../errors.js';
import { lowRankFactors } from './low-rank-factors.js';
import { reconstruct } from './reconstruct.js';
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
    // Theta Q C (q x kappa) and P (n x kappa).
    const rho = a.c.rows; p = a.c.cols; l = new Float64Array(q * p); rt = a.p.data;
    for (let i = 0; i < q; i++) for (let t = 0; t < rho; t++) {
      const x = a.thetaQ.data[i * rho + t]!;
      for (let j = 0; j < p; j++) l[i * p + j] += x * a.c.data[t * p + j]!;
    }
  }
  const mean = a.mean;
  const k1 = state.sizes.k + 1;
  let e2 = 0, a2 = 0;
  const row = new Float64Array(n);
  for (let i = 0; i < q; i++) {
    const theta1 = mean && state.method !== 'fd' ? state.errorRange[i * k1 + state.sizes.k]! : 0;
    for (let j = 0; j < n; j++) row[j] = state.errorSketch[i * n + j]! - (mean ? theta1 * mean[j]! : 0);
    for (let j = 0; j < n; j++) {
      const sj = row[j]!;
      let h = 0;
      for (let t = 0; t < p; t++) h += l[i * p + t]! * rt[j * p + t]!;
      a2 += sj * sj;
      e2 += (sj - h) * (sj - h);
    }
  }
  const frobenius = Math.sqrt(e2 / q), normA = Math.sqrt(a2 / q);
  return { frobenius, relative: normA > 0 ? frobenius / normA : 0, normA, q };
}
