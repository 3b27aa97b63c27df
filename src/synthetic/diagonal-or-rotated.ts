/** diag(s) (n x n), or U diag(s) V^T with Haar U, V when `rotate` (shared by the §8 families). */
import { zeros } from '../matrix.js';
import { fromSpectrum } from './from-spectrum.js';
import type { SyntheticMatrix } from './synthetic-matrix.js';

export function diagonalOrRotated(s: Float64Array, opts: { rotate?: boolean; seed?: number }): SyntheticMatrix {
  const n = s.length;
  if (opts.rotate) return fromSpectrum(n, n, s, opts.seed ?? 0);
  const a = zeros(n, n);
  for (let i = 0; i < n; i++) a.data[i * n + i] = s[i];
  return { a, sigma: Float64Array.from(s).sort().reverse(), u: null, v: null };
}
