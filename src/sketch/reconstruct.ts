/**
 * Fixed-rank reconstruction A ~ U diag(s) V^T from the sketch alone, never from the input, and the
 * full low-rank approximation A ~ Q C P^T: one dispatch to the method [TYUC19 Alg. 4.2 + §5.3
 * (three-sketch); TYUC17 Alg. 4.1 (two-sketch); Yu17 (rsvd); GLPW16 (FD: V, S only)].
 * rank defaults to the sketch's `rank`; fewer are returned if the sketch has lower rank, or when the
 * sketch cannot resolve the rank (a note says so: resolve-rank.ts). Signs: signs.ts.
 */
import { ArgumentError } from '../errors.js';
import { maxMagnitude } from '../kernels/find-non-finite.js';
import { checkStateMagnitude } from './magnitude.js';
import type { ReconstructOptions } from './method.js';
import { methodOf } from './registry.js';
import type { LowRankFactors, RangeSpill, Reconstruction, SketchState } from './types.js';

export type { ReconstructOptions } from './method.js';

export function reconstruct(state: SketchState, opts: ReconstructOptions = {}): Reconstruction {
  const want = opts.rank ?? state.rank;
  if (!Number.isInteger(want) || want < 1) throw new ArgumentError(`rank must be a positive integer, found ${want}`);
  if (state.method !== 'fd' && want > state.sizes.k) throw new ArgumentError(`rank ${want} exceeds the range sketch size k = ${state.sizes.k}`);
  const zero = checkedMagnitude(state) === 0 && state.rowsSeen > 0;
  const rec = methodOf(state).reconstruct(state, { ...opts, rank: want });
  if (zero) {
    rec.notes.push('the input is the zero matrix (every value absorbed is 0): it has no singular triplet, so none is returned ' +
      '(numpy\'s SVD returns singular values 0 with arbitrary vectors)');
  }
  return rec;
}

/**
 * The largest |entry| of the state's sketches that are linear in A (Theta A, 1^T A, the co-range
 * sketch), so that it follows the input's magnitude (not H = A^T Y's, nor the constant columns of
 * [Y 1]); refused outside the method's range (magnitude.ts). 0 only for the zero matrix.
 */
function checkedMagnitude(state: SketchState): number {
  let big = Math.max(maxMagnitude(state.errorSketch), maxMagnitude(state.colSums));
  if (state.method !== 'rsvd') big = Math.max(big, maxMagnitude(state.coRange));
  checkStateMagnitude(state.method, state.dtype, big);
  return big;
}

/** The sketch's full low-rank approximation A ~ Q C P^T (rank up to k); not for FD. `formQ` (default true). */
export function lowRankFactors(state: SketchState, opts: { spill?: RangeSpill; formQ?: boolean } = {}): LowRankFactors {
  const mod = methodOf(state);
  if (!mod.lowRank) throw new ArgumentError('lowRankFactors: Frequent Directions keeps no range sketch; use reconstruct');
  checkedMagnitude(state);
  return mod.lowRank(state, opts);
}
