/**
 * `randomizedSvd(A, { rank, oversamples, powerIterations, seed })`: the in-memory randomized SVD a
 * scikit-learn user expects (`sklearn.utils.extmath.randomized_svd`, whose parameters map one to
 * one: n_components = rank, n_oversamples = oversamples, n_iter = powerIterations, random_state =
 * seed, transpose = transpose) [HMT11 Alg. 4.4 with Alg. 5.1; docs/METHODS.md §5].
 *
 * - `powerIterations` 'auto' (default): scikit-learn's rule, 7 when rank < 0.1 min(m, n), else 4.
 * - `transpose` 'auto' (default): work on A^T when A is wide (m < n), as scikit-learn does: the
 *   range finder then acts on the short side, which measured more accurate on wide inputs.
 * - Signs: each column of V has its largest-magnitude entry positive (`svd_flip(u, v,
 *   u_based_decision=False)`), the project's one convention, whatever the orientation.
 * Every half step is re-orthonormalised by Householder QR (scikit-learn's 'QR' normalizer).
 * For matrices that do not fit in memory, stream them: `createSketch` (one pass) or the multi-pass
 * driver `runPasses` of the streams entry point.
 */
import { ArgumentError } from '../errors.js';
import { fixSigns } from '../linalg/sign-fix.js';
import { transpose as transposed, type Matrix } from '../matrix.js';
import type { TestMatrixFamily } from '../random/test-matrix.js';
import type { LowRankSvd } from './low-rank-svd.js';
import { DEFAULT_OVERSAMPLES } from './multipass-options.js';
import { randomizedSubspaceIteration } from './randomized-subspace-iteration.js';

export interface RandomizedSvdOptions {
  /** r: number of singular triplets (scikit-learn's n_components). */
  rank: number;
  /** p: extra columns of the test matrix (n_oversamples), default 10. */
  oversamples?: number;
  /** q: power iterations (n_iter), or 'auto' (default): 7 if rank < 0.1 min(m, n), else 4. */
  powerIterations?: number | 'auto';
  /** Seed of the test matrix (random_state), default 0. */
  seed?: number;
  /** Factor A^T instead of A: true, false, or 'auto' (default: when A has fewer rows than columns). */
  transpose?: boolean | 'auto';
  /** Family of the test matrix, default 'gaussian'. */
  testMatrix?: TestMatrixFamily;
}

export interface RandomizedSvdResult extends LowRankSvd {
  /** Whether A^T was factored (transpose 'auto' chose it, or it was asked). */
  transposed: boolean;
  /** The q used. */
  powerIterations: number;
}

export function randomizedSvd(a: Matrix, opts: RandomizedSvdOptions): RandomizedSvdResult {
  const { rows: m, cols: n } = a;
  const pi = opts.powerIterations ?? 'auto';
  if (pi !== 'auto' && !(Number.isInteger(pi) && pi >= 0)) throw new ArgumentError(`randomizedSvd: powerIterations must be a non-negative integer or 'auto', found ${String(pi)}`);
  const t = opts.transpose ?? 'auto';
  if (t !== 'auto' && typeof t !== 'boolean') throw new ArgumentError(`randomizedSvd: transpose must be true, false or 'auto', found ${String(t)}`);
  const q = pi === 'auto' ? (opts.rank < 0.1 * Math.min(m, n) ? 7 : 4) : pi;
  const flip = t === 'auto' ? m < n : t;
  const run = randomizedSubspaceIteration(flip ? transposed(a) : a, {
    rank: opts.rank, oversamples: opts.oversamples ?? DEFAULT_OVERSAMPLES, powerIterations: q,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.testMatrix !== undefined ? { testMatrix: opts.testMatrix } : {}),
  });
  if (!flip) return { ...run, transposed: false, powerIterations: q };
  const out = { u: run.v, s: run.s, v: run.u, transposed: true, powerIterations: q };
  fixSigns(out.v, out.u);
  return out;
}
