/**
 * No result worse than returning nothing [docs/METHODS.md §4]. The single-view reconstructions
 * (three-sketch, two-sketch) solve for a core from sketches, so unlike a projection their rank-r
 * truncation can be further from A than the zero matrix when the sketch cannot resolve the rank
 * (pure noise, a sketch too small for a flat spectrum): the singular values then come back
 * inflated. The error sketch tells, with no pass over the data [TYUC19 §6.1]: with Theta A_hat_j
 * built from the first j triplets, each of its q independent rows i gives an unbiased estimate
 * d_i(j) = ||s_i||^2 - ||s_i - (Theta A_hat_j)_i||^2 of ||A||^2 - ||A - A_hat_j||^2, the energy
 * rank j removes. The rank r is kept only when that improvement is certified: the estimated error
 * is at least 10% below the estimated ||A||_F, or the mean of the d_i minus two standard errors is
 * positive (about 97.5% one-sided for q = 10; the d_i are skewed when the error has few directions,
 * which the first test covers, e.g. an exactly recovered low-rank input). Otherwise the rank is
 * lowered to the certified j <= r with the smallest estimated error (0 if none is), and a note says
 * so. The same Theta serves every j, so the comparison between ranks is far more reliable than any
 * single estimate. A result lowered this way was measured worse than zero without the guard: the
 * three-sketch at rank 10 on 20000 x 200 Gaussian noise, 1.007 to 1.31 of ||A||_F.
 */
import type { Matrix64 } from '../matrix.js';

export interface TruncationCheck {
  /** Estimated ||A - A_hat_j||_F for j = 0..r (j = 0: ||A||_F). */
  errors: Float64Array;
  /** Whether the improvement of rank j over zero is certified, j = 0..r (j = 0: true). */
  certified: boolean[];
}

/**
 * Estimated errors and certification of the truncations j = 0..r of (s, v) with Theta U = thetaU
 * (q x r), against the (centered) error sketch rows `sc` (q x n). Sums are scaled by the largest
 * magnitude of `sc`, so nothing overflows or underflows.
 */
export function checkTruncations(sc: Float64Array, q: number, n: number, s: Float64Array, v: Matrix64, thetaU: Matrix64): TruncationCheck {
  const r = s.length, res = Float64Array.from(sc.subarray(0, q * n));
  let scale = 0;
  for (const x of res) scale = Math.max(scale, Math.abs(x));
  const inv = scale > 0 && Number.isFinite(scale) ? 1 / scale : 1;
  const rowEnergy = (out: Float64Array) => {
    for (let i = 0; i < q; i++) { let t = 0; for (let c = 0; c < n; c++) { const x = res[i * n + c] * inv; t += x * x; } out[i] = t; }
  };
  const e0 = new Float64Array(q), ej = new Float64Array(q);
  rowEnergy(e0);
  const errors = new Float64Array(r + 1), certified: boolean[] = [true];
  const total = (e: Float64Array) => { let t = 0; for (const x of e) t += x; return t; };
  errors[0] = Math.sqrt(total(e0) / q) / inv;
  for (let j = 0; j < r; j++) {
    const sj = s[j];
    for (let i = 0; i < q; i++) {
      const w = thetaU.data[i * thetaU.stride + j] * sj;
      if (w === 0) continue;
      for (let c = 0; c < n; c++) res[i * n + c] -= w * v.data[c * v.stride + j];
    }
    rowEnergy(ej);
    errors[j + 1] = Math.sqrt(total(ej) / q) / inv;
    let mean = 0;
    for (let i = 0; i < q; i++) mean += e0[i] - ej[i];
    mean /= q;
    let varSum = 0;
    for (let i = 0; i < q; i++) varSum += (e0[i] - ej[i] - mean) ** 2;
    const stderr = q > 1 ? Math.sqrt(varSum / (q - 1) / q) : Infinity;
    certified.push(errors[j + 1] < 0.9 * errors[0] || mean - 2 * stderr > 0);
  }
  return { errors, certified };
}

/** The rank to keep: r if certified, else the certified j < r with the smallest estimated error. */
export function resolvedRank(check: TruncationCheck): number {
  const r = check.errors.length - 1;
  if (r <= 0 || check.certified[r]) return r;
  let best = 0;
  for (let j = 1; j < r; j++) if (check.certified[j] && check.errors[j] < check.errors[best]) best = j;
  return best;
}
