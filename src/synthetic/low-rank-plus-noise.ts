/**
 * LowRank + noise test matrix [TYUC17 §7.3.1; docs/METHODS.md §8]:
 * A = diag(1, ..., 1, 0, ..., 0) + (xi / n) G G^T (n x n, symmetric positive semi-definite),
 * R unit entries, G (n x n) standard Gaussian drawn from `seed` (src/random). xi = 1e-4, 1e-2, 1e-1.
 * The singular values are not known in closed form (sigma = null): use `exactTruncatedSvd`.
 * `{ rotate: true }` returns U A V^T with Haar U, V drawn from the same seed (other purposes).
 */
import { zeros } from '../matrix.js';
import { ArgumentError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import { testMatrix } from '../random/test-matrix.js';
import { haarOrthogonal } from './haar-orthogonal.js';
import type { SyntheticMatrix } from './synthetic-matrix.js';

export function lowRankPlusNoise(n: number, R: number, xi: number, seed: number, opts: { rotate?: boolean } = {}): SyntheticMatrix {
  if (!Number.isInteger(n) || !Number.isInteger(R) || R < 0 || R > n) throw new ArgumentError(`lowRankPlusNoise: need integers 0 <= R <= n, found n = ${n}, R = ${R}`);
  if (!(xi >= 0)) throw new ArgumentError(`lowRankPlusNoise: xi must be >= 0, found ${xi}`);
  const g = testMatrix('gaussian', seed, 'low-rank-noise', n, n);
  const a = zeros(n, n);
  gemm(false, true, n, n, n, xi / n, g.data, 0, n, g.data, 0, n, 0, a.data, 0, n);
  for (let i = 0; i < R; i++) a.data[i * n + i] += 1;
  if (!opts.rotate) return { a, sigma: null, u: null, v: null };
  const u = haarOrthogonal(n, seed, 'haar-left'), v = haarOrthogonal(n, seed, 'haar-right');
  const t = zeros(n, n), out = zeros(n, n);
  gemm(false, false, n, n, n, 1, u.data, 0, n, a.data, 0, n, 0, t.data, 0, n);
  gemm(false, true, n, n, n, 1, t.data, 0, n, v.data, 0, n, 0, out.data, 0, n);
  return { a: out, sigma: null, u, v };
}
