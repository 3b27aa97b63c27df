/**
 * Absorb a block of COLUMNS of A: `block` is (m x c), the columns [colStart, colStart + c) of A.
 * A column stream of A is a row stream of A^T [ALGORITHMS.md §0]: the sketch must have been created
 * with `cols` = m (the length of each column) and it sketches A^T. Its reconstruction (U, S, V) is
 * that of A^T, so the consumer swaps them: A ~ V diag(S) U^T (the `v` returned is U of A; V of A
 * comes from the spill, which holds rows of A^T Omega^T). The block is transposed chunk by chunk
 * into the sketch's float64 workspace, so nothing is allocated.
 */
import { ArgumentError, NonFiniteError, ShapeError } from '../errors.js';
import type { Matrix } from '../matrix.js';
import { updateRows } from './update-rows.js';
import type { SketchState } from './types.js';

export function updateColumns(state: SketchState, block: Matrix, colStart: number): void {
  const m = state.cols, c = block.cols;
  if (block.rows !== m) throw new ShapeError(`column block at column ${colStart} has ${block.rows} rows, expected ${m}`);
  if (!Number.isSafeInteger(colStart) || colStart < 0) throw new ArgumentError(`colStart must be a non-negative integer, found ${colStart}`);
  for (let i = 0; i < m; i++) {
    const o = block.offset + i * block.stride;
    for (let j = 0; j < c; j++) {
      const x = block.data[o + j]!;
      if (!Number.isFinite(x)) throw new NonFiniteError(`column ${colStart + j}: value at row ${i} is ${x}`);
    }
  }
  const ch = state.sizes.chunk, w = state.work.a64;
  for (let j0 = 0; j0 < c; j0 += ch) {
    const cb = Math.min(ch, c - j0);
    for (let i = 0; i < m; i++) {
      const o = block.offset + i * block.stride + j0;
      for (let t = 0; t < cb; t++) w[t * m + i] = block.data[o + t]!;
    }
    updateRows(state, { rows: cb, cols: m, data: w, offset: 0, stride: m }, colStart + j0);
  }
}
