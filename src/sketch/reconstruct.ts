/**
 * Fixed-rank reconstruction A ~ U diag(s) V^T from the sketch alone, never from the input
 * [TYUC19 Alg. 4.2 + §5.3 (three-sketch); TYUC17 Alg. 4.1 / 5.1 (two-sketch); GLPW16 (FD: V, S only)].
 * Three-sketch: Q = [Y 1] E M with E = [I; -c^T] (centering) or [I; 0], M = V_R S_R^{-1} from the
 * SVD of R E (range basis without the rows, rank-revealing so inputs of rank < k are exact);
 * P = qr(X^T); C = (Phi Q)^+ Z ((Psi P)^+)^T; SVD of C; U = Q U_C, V = P V_C.
 * Two-sketch: X = (Psi Q)^+ W, SVD of X.
 * Shapes: s (r), v (n x r), uRight (k x r) with U_blk = Y_blk uRight + 1 uShift (see `applyRight`);
 * u (m x r) when the spill can be read back. rank defaults to the sketch's `rank`; at most k.
 * Deterministic signs: each column of V has its largest-magnitude entry positive (U may be on disk,
 * so the sign is fixed on V; ties go to the first index).
 */
import type { Reconstruction, RangeSpill, SketchState } from './types.js';

export interface ReconstructOptions {
  rank?: number;
  /** A spill to read the range rows from (defaults to the state's own, if it can be read). */
  spill?: RangeSpill;
}

export function reconstruct(state: SketchState, opts: ReconstructOptions = {}): Reconstruction {
  void state; void opts;
  throw new Error('reconstruct: not implemented yet');
}
