/**
 * `sketchColumns(opts)`: folds a stream of COLUMN blocks of A (m x n) into a sketch. A column-block
 * stream is a row stream of A^T [ALGORITHMS.md §0]: each incoming RowBlock holds columns
 * [rowStart, rowStart + rows) of A as rows of length m (what a source opened with
 * `orientation: 'columns'` emits). So the sketch is of A^T, with `cols` = m.
 *
 * Options describe A, not A^T: `rows` is m (required: the length of each column) and `cols` is n if
 * known. Emits a `TransposedSketch` at completion; `reconstruct()` swaps U and V for you, so its
 * `u` is U of A (m x r) and `v` is V of A (n x r, formed from the spill).
 * Validation, errors and teardown as `sketchRows`; errors name the columns of A.
 */
import { map, type OperatorFunction } from 'rxjs';
import type { SketchState } from '../../src/index.js';
import type { RowBlock } from '../types.js';
import { foldBlocks } from './fold-blocks.js';
import { sketchFactory, type StreamSketchOptions } from './sketch-factory.js';

export interface SketchColumnsOptions extends Omit<StreamSketchOptions, 'cols' | 'rows'> {
  /** m: rows of A (the length of each streamed column). */
  rows: number;
  /** n: columns of A, if known (only used by a memory budget without a spill). */
  cols?: number;
}

/** A sketch of A^T built from a column stream of A. */
export interface TransposedSketch {
  readonly orientation: 'columns';
  readonly state: SketchState;
}

export function sketchColumns(opts: SketchColumnsOptions): OperatorFunction<RowBlock, TransposedSketch> {
  const { rows, cols, ...rest } = opts;
  const fresh = sketchFactory({ ...rest, cols: rows, ...(cols !== undefined ? { rows: cols } : {}) });
  return (source) => source.pipe(
    foldBlocks(fresh, 'columns'),
    map((state): TransposedSketch => ({ orientation: 'columns', state })),
  );
}
