/**
 * Haar-distributed (uniformly random) orthonormal frames [Mezzadri 2007, "How to generate random
 * matrices from the classical compact groups"]: Q from the QR of a Gaussian matrix, with the sign
 * correction diag(R) > 0. `householderQr` already normalises diag(R) >= 0, which is exactly that
 * correction; without it Q would not be Haar distributed.
 *
 * `haarOrthogonal(n, seed)` is (n x n); `haarFrame(m, p, seed)` the first p columns (m x p,
 * p <= m), which have the distribution of the first p columns of a Haar matrix at m p^2 cost.
 */
import type { Matrix64 } from '../matrix.js';
import { ArgumentError } from '../errors.js';
import { testMatrix } from '../random/test-matrix.js';
import type { Purpose } from '../random/purposes.js';
import { householderQr } from '../linalg/householder-qr.js';

export function haarOrthogonal(n: number, seed: number, purpose: Purpose = 'haar'): Matrix64 {
  return haarFrame(n, n, seed, purpose);
}

export function haarFrame(m: number, p: number, seed: number, purpose: Purpose = 'haar'): Matrix64 {
  if (!Number.isInteger(m) || !Number.isInteger(p) || p < 0 || p > m) {
    throw new ArgumentError(`haarFrame: need integers 0 <= p <= m, found m = ${m}, p = ${p}`);
  }
  return householderQr(testMatrix('gaussian', seed, purpose, m, p)).q;
}
