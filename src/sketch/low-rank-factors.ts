/**
 * The sketch's full low-rank approximation A ~ Q C P^T (rank up to k) [TYUC19 Alg. 4.2 (4.2)-(4.4)]:
 * Q (m x rho) orthonormal, given blockwise as Y_blk qRight + 1 qShift (Y_blk as spilled); C (rho x
 * kappa); P (n x kappa) orthonormal. For the two-sketch, P C^T = qr of X^T [TYUC17 (4.3)].
 * Not available for FD (it keeps no range; use `reconstruct`).
 */
import { ArgumentError } from '../errors.js';
import { zeros } from '../matrix.js';
import { coreFactors } from './core-factors.js';
import { formFromSpill } from './reconstruct.js';
import type { LowRankFactors, RangeSpill, SketchState } from './types.js';

/** `formQ` (default true): also form Q (m x rho) when the spill can be read back. */
export function lowRankFactors(state: SketchState, opts: { spill?: RangeSpill; formQ?: boolean } = {}): LowRankFactors {
  if (state.method === 'fd') throw new ArgumentError('lowRankFactors: Frequent Directions keeps no range sketch; use reconstruct');
  const f = coreFactors(state, opts.spill);
  const k = state.sizes.k, rho = f.g.cols;
  const qRight = zeros(k, rho);
  for (let i = 0; i < k; i++) for (let j = 0; j < rho; j++) qRight.data[i * rho + j] = state.rangeScale * f.g.data[i * rho + j]!;
  const qShift = f.g.data.slice(k * rho, k * rho + rho);
  const out: LowRankFactors = { qRight, qShift, c: f.c, p: f.p, thetaQ: f.thetaQ, mean: f.mean };
  const sp = opts.spill ?? state.spill;
  if (sp?.forEachBlock && opts.formQ !== false) out.q = formFromSpill(sp, state.rows, qRight, qShift);
  return out;
}
