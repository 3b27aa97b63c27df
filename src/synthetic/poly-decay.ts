/**
 * PolyDecay test matrix [TYUC17 §7.3.1; docs/METHODS.md §8]:
 * A = diag(1, ..., 1, 2^-p, 3^-p, ..., (n - R + 1)^-p) (n x n) with R leading unit values.
 * p = 0.5, 1, 2 in the papers. `{ rotate: true, seed }` returns U diag V^T with Haar U, V
 * (for order-dependent methods, on which diagonal inputs are trivially easy).
 */
import { ArgumentError } from '../errors.js';
import type { SyntheticMatrix } from './synthetic-matrix.js';
import { diagonalOrRotated } from './diagonal-or-rotated.js';

export interface SyntheticOptions {
  /** Rotate by Haar-random orthogonal factors (default false: diagonal). */
  rotate?: boolean;
  /** Seed of the rotation (default 0). */
  seed?: number;
}

export function polyDecay(n: number, R: number, p: number, opts: SyntheticOptions = {}): SyntheticMatrix {
  if (!Number.isInteger(n) || !Number.isInteger(R) || R < 0 || R > n) throw new ArgumentError(`polyDecay: need integers 0 <= R <= n, found n = ${n}, R = ${R}`);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = i < R ? 1 : Math.pow(i - R + 2, -p);
  return diagonalOrRotated(s, opts);
}
