/**
 * The sketch's full low-rank approximation A ~ Q C P^T (rank up to k) [TYUC19 Alg. 4.2 (4.2)-(4.4)]:
 * Q (m x rho) orthonormal, given blockwise as Y_blk qRight + 1 qShift; C (rho x kappa); P (n x kappa)
 * orthonormal. For the two-sketch, P C^T = qr of X^T. Not available for FD (it has no range).
 */
import type { LowRankFactors, RangeSpill, SketchState } from './types.js';

export function lowRankFactors(state: SketchState, opts: { spill?: RangeSpill } = {}): LowRankFactors {
  void state; void opts;
  throw new Error('lowRankFactors: not implemented yet');
}
