/**
 * Randomized SVD [HMT11 Alg. 4.1 + 5.1]: randomized subspace iteration with q = 0 power iterations
 * unless asked (two views of A: Y = A Omega, then B = Q^T A). Options as in
 * `randomizedSubspaceIteration`; `powerIterations` defaults to 0 here.
 */
import type { Matrix } from '../matrix.js';
import type { LowRankSvd } from './low-rank-svd.js';
import type { MultipassOptions } from './multipass-options.js';
import { randomizedSubspaceIteration } from './randomized-subspace-iteration.js';

export function rsvd(a: Matrix, opts: MultipassOptions): LowRankSvd {
  return randomizedSubspaceIteration(a, { ...opts, powerIterations: opts.powerIterations ?? 0 });
}
