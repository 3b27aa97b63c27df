/**
 * scikit-learn's `randomized_svd` face, on our randomized subspace iteration [HMT11 Alg. 4.4 + 5.1]:
 * the same parameters and the same 'auto' rules, so a call can be ported by renaming.
 *
 * | scikit-learn                    | here                                                          |
 * |---------------------------------|---------------------------------------------------------------|
 * | `n_components`                  | `rank`                                                        |
 * | `n_oversamples=10`              | `oversamples` (10); l = rank + oversamples, capped at min(m, n) |
 * | `n_iter='auto'`                 | `powerIterations` ('auto': 7 if rank < 0.1 min(m, n), else 4)  |
 * | `power_iteration_normalizer`    | always Householder QR after every half step ('QR'; 'LU' and 'none' span the same subspace in exact arithmetic, 'none' loses it in floating point) |
 * | `transpose='auto'`              | `transpose` ('auto': run on A^T when m < n, then swap U and V) |
 * | `flip_sign=True`                | always: the entry of largest magnitude of each column of V is positive (first on ties), U follows (`svd_flip(u_based_decision=False)` on A as given) |
 * | `random_state`                  | `seed` (0); Omega comes from our generator, not numpy's        |
 * | returns `U, s, Vt`              | `{ u, s, v }` with v = Vt^T (n x r)                            |
 *
 * Also returned: `transposed` and `powerIterations`, the values the 'auto' rules chose.
 * Cost as `randomizedSubspaceIteration` (plus a packed copy of A when transposed). For matrices that
 * do not fit in memory, stream them: `createSketch` (one pass) or `runPasses` (rangefinder/streams).
 */
import { ArgumentError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { transpose as transposeOf } from '../matrix.js';
import { fixSigns } from '../linalg/sign-fix.js';
import type { TestMatrixFamily } from '../random/test-matrix.js';
import type { LowRankSvd } from './low-rank-svd.js';
import { randomizedSubspaceIteration } from './randomized-subspace-iteration.js';

export interface RandomizedSvdOptions {
  /** n_components: number of singular triplets. */
  rank: number;
  /** n_oversamples (default 10). */
  oversamples?: number;
  /** n_iter: power iterations, or 'auto' (default): 7 if rank < 0.1 min(m, n), else 4. */
  powerIterations?: number | 'auto';
  /** random_state (default 0). */
  seed?: number;
  /** Run on A^T (true), on A (false), or 'auto' (default): on A^T when A is wide (m < n). */
  transpose?: boolean | 'auto';
  /** Family of Omega (default 'gaussian', as scikit-learn's). */
  testMatrix?: TestMatrixFamily;
}

export interface RandomizedSvdResult extends LowRankSvd {
  /** Whether the run was on A^T. */
  transposed: boolean;
  /** The power iterations used (after the 'auto' rule). */
  powerIterations: number;
}

export function randomizedSvd(a: Matrix, opts: RandomizedSvdOptions): RandomizedSvdResult {
  const { rank, transpose = 'auto', powerIterations = 'auto' } = opts;
  if (transpose !== 'auto' && typeof transpose !== 'boolean') {
    throw new ArgumentError(`randomizedSvd: transpose must be true, false or 'auto', found ${String(transpose)}`);
  }
  if (powerIterations !== 'auto' && !(Number.isInteger(powerIterations) && powerIterations >= 0)) {
    throw new ArgumentError(`randomizedSvd: powerIterations must be a non-negative integer or 'auto', found ${String(powerIterations)}`);
  }
  const q = powerIterations === 'auto' ? (rank < 0.1 * Math.min(a.rows, a.cols) ? 7 : 4) : powerIterations;
  const transposed = transpose === 'auto' ? a.rows < a.cols : transpose;
  const base = { rank, powerIterations: q, ...(opts.oversamples !== undefined ? { oversamples: opts.oversamples } : {}), seed: opts.seed ?? 0,
    ...(opts.testMatrix ? { testMatrix: opts.testMatrix } : {}) };
  if (!transposed) return { ...randomizedSubspaceIteration(a, base), transposed, powerIterations: q };
  const f = randomizedSubspaceIteration(transposeOf(a), base);
  // A^T ~ U' S V'^T, so A ~ V' S U'^T: swap, then fix the signs on the new V (= U').
  const u = f.v, v = f.u;
  fixSigns(v, u);
  return { u, s: f.s, v, transposed, powerIterations: q };
}
