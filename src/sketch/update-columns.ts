/**
 * Absorb a block of COLUMNS of A (m x c, columns [colStart, colStart + c)).
 * A column stream of A is a row stream of A^T [ALGORITHMS.md §0]: the sketch must have been created
 * with `cols` = m (the length of each column), and it sketches A^T. Its reconstruction
 * (U, S, V) is that of A^T, so the consumer swaps them: A ~ V S U^T (U of A is the returned `v`,
 * V of A comes from the spill). Copies the block transposed into a float64 scratch of c x m.
 */
import type { Matrix } from '../matrix.js';
import type { SketchState } from './types.js';

export function updateColumns(state: SketchState, block: Matrix, colStart: number): void {
  void state; void block; void colStart;
  throw new Error('updateColumns: not implemented yet');
}
