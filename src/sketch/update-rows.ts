/**
 * Absorb a block of rows of A [TYUC19 Alg. 4.1 / §4.1 per-row updates; TYUC17 Alg. 4.1; GLPW16 Alg. 1].
 * Notation: see types.ts. For rows i in [rowStart, rowStart + b) with a_i (1 x n):
 * - range: y_i = a_i Omega^T (1 x k) goes to the spill; Phi [y_i 1], Theta [y_i 1] are accumulated
 *   and the TSQR factor becomes the R factor of [R; [y_i 1]] [ALGORITHMS.md §6];
 * - three-sketch: X += upsilon_i a_i, Z += phi_i (a_i Psi^T), S += theta_i a_i;
 * - two-sketch: W += psi_i a_i, S += theta_i a_i;
 * - FD: rows are inserted in the buffer, shrunk when it is full.
 * The block is b x n, float32 or float64, any stride; it is processed in chunks of `sizes.chunk`
 * rows so the workspace (part of the budget) is fixed. Synchronous and allocation-free apart from
 * the spill's own storage (and FD's shrink, which allocates its SVD).
 * Throws ShapeError (wrong width), NonFiniteError (NaN/Inf, naming row and column), ArgumentError
 * (bad rowStart).
 */
import type { Matrix } from '../matrix.js';
import type { SketchState } from './types.js';

export function updateRows(state: SketchState, block: Matrix, rowStart: number): void {
  void state; void block; void rowStart;
  throw new Error('updateRows: not implemented yet');
}
