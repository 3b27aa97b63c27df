/**
 * Absorb sparse updates A[i_t, j_t] += v_t given as COO triples [TYUC19 §2.2: the sketches are linear].
 * Each entry adds v (e_i e_j^T) to A: y_i += v Omega[:, j]^T, X[:, j] += v upsilon_i, Z += v phi_i
 * (Psi[:, j])^T, S[:, j] += v theta_i. The range contribution of row i is written to the spill
 * (once per distinct row of the call); the TSQR factor can no longer be kept, so reconstruction
 * then needs a spill that can be read back (`rangeRValid` becomes false). Not with `center`.
 */
import type { SketchState } from './types.js';

export function updateEntries(
  state: SketchState, i: ArrayLike<number>, j: ArrayLike<number>, v: ArrayLike<number>,
): void {
  void state; void i; void j; void v;
  throw new Error('updateEntries: not implemented yet');
}
