/**
 * The exact (deterministic, dense) truncated SVD: the baseline users compare against and the
 * oracle of tests and benchmarks. `exactTruncatedSvd(A, r)` is `svd(A)` truncated to its r leading
 * triplets: U (m x r), s (r), V (n x r), signs fixed (`fixSigns`). Costs the full dense SVD.
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import { zeros } from '../matrix.js';
import { ArgumentError } from '../errors.js';
import { svd } from './svd.js';

const EPS = 2.220446049250313e-16;

export function exactTruncatedSvd(a: Matrix, rank: number): { u: Matrix64; s: Float64Array; v: Matrix64 } {
  const p = Math.min(a.rows, a.cols);
  if (!Number.isInteger(rank) || rank < 0 || rank > p) {
    throw new ArgumentError(`exactTruncatedSvd: rank must be an integer in [0, ${p}], found ${rank}`);
  }
  const full = svd(a);
  return { u: firstColumns(full.u, rank), s: full.s.slice(0, rank), v: firstColumns(full.v, rank) };
}

function firstColumns(x: Matrix64, r: number): Matrix64 {
  if (x.cols === r) return x;
  const out = zeros(x.rows, r);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < r; j++) out.data[i * r + j] = x.data[x.offset + i * x.stride + j];
  return out;
}

/**
 * Numerical rank: the number of singular values above `max(m, n) * eps * s[0]`, numpy's
 * `matrix_rank` default (s descending, from an m x n matrix). `eps` defaults to float64's
 * unit roundoff 2^-52; pass float32's (2^-23) for data that was stored in float32, whose rounding
 * already perturbs the matrix by about that much (numpy's docs give the same advice).
 */
export function numericalRank(s: ArrayLike<number>, m: number, n: number, opts: { eps?: number } = {}): number {
  if (s.length === 0 || !(s[0] > 0)) return 0;
  const tol = Math.max(m, n) * (opts.eps ?? EPS) * s[0];
  let r = 0;
  while (r < s.length && s[r] > tol) r++;
  return r;
}
