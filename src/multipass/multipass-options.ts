/**
 * Options shared by the multi-pass methods (RSVD, randomized subspace iteration, block Krylov, any
 * number of views), in scikit-learn's words, and their validation at the boundary [docs/STYLE.md].
 *
 * Notation [HMT11 §4]: r = `rank`, p = `oversamples`, l = r + p the block width (columns of the
 * test matrix Omega, n x l), q = `powerIterations`.
 *
 * Defaults and their rule:
 * - `oversamples` p = 10: scikit-learn's `n_oversamples` default and [HMT11 §4.2]'s "p = 5 or 10".
 *   Measured on the five shared real matrices (bench/out/rsi-study.md, 20 seeds): with p = 10 and
 *   q >= 2 the normalized spectral error stays at or below 1.14 at ranks 10 to 100; few passes on
 *   a slow spectrum profit from more (the pass planner raises p there).
 * - `powerIterations` q = 2 for `randomizedSubspaceIteration` (0 for `rsvd`): same study, q = 0
 *   gives 1.35 to 2.53 (mean per rank; sklearn_digits at rank 50 is exact for every q, l = 60 of 64
 *   columns), q = 1 1.00 to 1.21, q = 2 1.00 to 1.11, q = 4 at most 1.04;
 *   q = 2 is where the curve flattens. scikit-learn's 'auto' picks 4 or 7 for a fixed cost it does
 *   not have to stream.
 * - `seed` 0, `testMatrix` 'gaussian' (DEFAULT_MULTIPASS_TEST_MATRIX) [HMT11 §4.6]; 'sparse-sign' and 'rademacher' are accepted.
 */
import { ArgumentError } from '../errors.js';
import type { TestMatrixFamily } from '../random/test-matrix.js';
import { TEST_MATRIX_FAMILIES } from '../random/test-matrix.js';

/** Default family of the multi-pass test matrix Omega [HMT11 §4.6]: applied densely by the GEMM, so sparse sign would save nothing there. */
export const DEFAULT_MULTIPASS_TEST_MATRIX: TestMatrixFamily = 'gaussian';
export const DEFAULT_OVERSAMPLES = 10;
export const DEFAULT_POWER_ITERATIONS = 2;

export interface MultipassOptions {
  /** r: target rank of the output factors. */
  rank: number;
  /** p: extra columns of the test matrix (default 10). The block width is l = r + p. */
  oversamples?: number;
  /** q: power iterations (RSI) or Krylov depth (block Krylov). */
  powerIterations?: number;
  /** Seed of the test matrix Omega (default 0). */
  seed?: number;
  /** Family of Omega (default 'gaussian'). */
  testMatrix?: TestMatrixFamily;
}

export interface ResolvedMultipassOptions {
  readonly rank: number;
  readonly oversamples: number;
  /** l = min(r + p, cap): the block width actually used. */
  readonly l: number;
  readonly powerIterations: number;
  readonly seed: number;
  readonly testMatrix: TestMatrixFamily;
}

/**
 * Validates options for an input with `cols` columns (and `rows` rows when known). The block width
 * l = r + p is capped at min(m, n) when m is known (a wider block spans nothing more), at n otherwise.
 */
export function resolveMultipassOptions(
  who: string, opts: MultipassOptions, cols: number, rows: number | undefined, defaultIterations: number,
): ResolvedMultipassOptions {
  const { rank } = opts;
  const oversamples = opts.oversamples ?? DEFAULT_OVERSAMPLES;
  const powerIterations = opts.powerIterations ?? defaultIterations;
  const seed = opts.seed ?? 0;
  const testMatrix = opts.testMatrix ?? DEFAULT_MULTIPASS_TEST_MATRIX;
  const limit = rows === undefined ? cols : Math.min(rows, cols);
  if (!Number.isInteger(rank) || rank < 1) throw new ArgumentError(`${who}: rank must be a positive integer, found ${rank}`);
  if (rank > limit) {
    throw new ArgumentError(`${who}: rank ${rank} exceeds min(rows, cols) = ${limit}` + (rows === undefined ? ` (cols; rows unknown)` : ''));
  }
  if (!Number.isInteger(oversamples) || oversamples < 0) throw new ArgumentError(`${who}: oversamples must be a non-negative integer, found ${oversamples}`);
  if (!Number.isInteger(powerIterations) || powerIterations < 0) {
    throw new ArgumentError(`${who}: powerIterations must be a non-negative integer, found ${powerIterations}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ArgumentError(`${who}: seed must be an integer in [0, 2^32), found ${seed}`);
  if (!TEST_MATRIX_FAMILIES.includes(testMatrix)) {
    throw new ArgumentError(`${who}: testMatrix must be one of ${TEST_MATRIX_FAMILIES.join(', ')}, found ${String(testMatrix)}`);
  }
  const l = Math.min(rank + oversamples, limit);
  return { rank, oversamples: l - rank, l, powerIterations, seed, testMatrix };
}
