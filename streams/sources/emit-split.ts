/**
 * Emits one decoded batch through the validator, split into zero-copy sub-views of at most
 * `blockRows` rows when asked (formats with natural batches are not split by default).
 */
import type { RowBlock } from '../types.js';
import type { BlockValidator } from '../validate-block.js';

export function emitSplit(
  validate: BlockValidator, row: number, rows: number, cols: number,
  data: Float32Array | Float64Array, blockRows: number | undefined, emit: (b: RowBlock) => void, signal: AbortSignal,
): void {
  const step = blockRows !== undefined && blockRows > 0 ? blockRows : Math.max(1, rows);
  for (let r = 0; r < rows && !signal.aborted; r += step) {
    const k = Math.min(step, rows - r);
    const block = validate(row + r, k, step >= rows ? data : data.subarray(r * cols, (r + k) * cols));
    if (block !== null) emit(block);
  }
}
