/**
 * ExpDecay test matrix [TYUC17 §7.3.1; docs/METHODS.md §8]:
 * A = diag(1, ..., 1, 10^-q, 10^-2q, ..., 10^-(n-R)q) (n x n) with R leading unit values.
 * q = 0.01, 0.1, 0.5 in the papers. `{ rotate: true, seed }` returns U diag V^T with Haar U, V.
 */
import { ArgumentError } from '../errors.js';
import type { SyntheticMatrix } from './synthetic-matrix.js';
import type { SyntheticOptions } from './poly-decay.js';
import { diagonalOrRotated } from './diagonal-or-rotated.js';

export function expDecay(n: number, R: number, q: number, opts: SyntheticOptions = {}): SyntheticMatrix {
  if (!Number.isInteger(n) || !Number.isInteger(R) || R < 0 || R > n) throw new ArgumentError(`expDecay: need integers 0 <= R <= n, found n = ${n}, R = ${R}`);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = i < R ? 1 : Math.pow(10, -(i - R + 1) * q);
  return diagonalOrRotated(s, opts);
}
