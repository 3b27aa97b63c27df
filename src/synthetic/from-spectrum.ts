/**
 * An m x n matrix with prescribed singular values and Haar-random singular vectors:
 * A = U diag(sigma) V^T with U (m x p), V (n x p) Haar frames (p = min(m, n)) [TYUC19 §7.3].
 * The oracle is exact by construction: sigma (sorted descending) are the singular values of A up
 * to the rounding of the product (about eps * sigma_1 * sqrt(p)).
 */
import { zeros } from '../matrix.js';
import { ArgumentError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import { haarFrame } from './haar-orthogonal.js';
import type { SyntheticMatrix } from './synthetic-matrix.js';

export function fromSpectrum(m: number, n: number, sigma: ArrayLike<number>, seed: number): SyntheticMatrix {
  const p = Math.min(m, n);
  if (sigma.length > p) throw new ArgumentError(`fromSpectrum: ${sigma.length} singular values for a ${m} x ${n} matrix (at most ${p})`);
  const s = new Float64Array(p);
  for (let i = 0; i < sigma.length; i++) {
    if (!(sigma[i] >= 0)) throw new ArgumentError(`fromSpectrum: sigma[${i}] = ${sigma[i]}, expected a non-negative number`);
    s[i] = sigma[i];
  }
  s.sort().reverse();
  const u = haarFrame(m, p, seed, 'haar-left');
  const v = haarFrame(n, p, seed, 'haar-right');
  // A = (U diag(s)) V^T
  const us = zeros(m, p);
  for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) us.data[i * p + j] = u.data[i * p + j] * s[j];
  const a = zeros(m, n);
  gemm(false, true, m, n, p, 1, us.data, 0, p, v.data, 0, p, 0, a.data, 0, n);
  return { a, sigma: s, u, v };
}
