/**
 * No result worse than returning nothing [docs/METHODS.md §4]. The single-view reconstructions
 * (three-sketch, two-sketch) solve for a core from sketches, so unlike a projection their rank-r
 * truncation can be further from A than the zero matrix when the sketch cannot resolve the rank
 * (pure noise, a sketch too small for a flat spectrum): the singular values then come back
 * inflated. The error sketch tells, with no pass over the data: with Theta A_hat_j built from the
 * first j triplets, err(j)^2 ~= ||S_c - Theta A_hat_j||_F^2 / q [TYUC19 §6.1], and err(0) estimates
 * ||A||_F. The same Theta serves every j, so the comparison between ranks is far more reliable than
 * any single estimate. If err(r) >= err(0), the rank r result is estimated no better than zero: the
 * rank is lowered to the j <= r with the smallest estimated error, and a note says so.
 */
import type { Matrix64 } from '../matrix.js';

/**
 * Estimated errors err(0..r) of the truncations of s, v with Theta U = thetaU (q x r), against the
 * (centered) error sketch rows `sc` (q x n).
 */
export function truncationErrors(sc: Float64Array, q: number, n: number, s: Float64Array, v: Matrix64, thetaU: Matrix64): Float64Array {
  const r = s.length, res = Float64Array.from(sc.subarray(0, q * n)), out = new Float64Array(r + 1);
  const norm2 = () => { let t = 0, scale = 0; for (const x of res) { const a = Math.abs(x); if (a > scale) scale = a; } if (scale === 0) return 0; for (const x of res) t += (x / scale) ** 2; return scale * Math.sqrt(t / q); };
  out[0] = norm2();
  for (let j = 0; j < r; j++) {
    const sj = s[j]!;
    for (let i = 0; i < q; i++) {
      const w = thetaU.data[i * thetaU.stride + j]! * sj;
      if (w === 0) continue;
      for (let c = 0; c < n; c++) res[i * n + c] -= w * v.data[c * v.stride + j]!;
    }
    out[j + 1] = norm2();
  }
  return out;
}

/** The rank to keep: r if err(r) < err(0), else the j with the smallest estimated error. */
export function resolvedRank(errs: Float64Array): number {
  const r = errs.length - 1;
  if (r <= 0 || errs[r]! < errs[0]!) return r;
  let best = 0;
  for (let j = 1; j <= r; j++) if (errs[j]! < errs[best]!) best = j;
  return best;
}
