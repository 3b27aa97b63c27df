/**
 * Emits one decoded batch (rows numbered from input row `row`) as blocks, split into zero-copy
 * sub-views of at most `blockRows` rows when asked (formats with natural batches are not split by
 * default).
 */
import type { RowBlock, RowLabels } from '../types.js';

export function emitSplit(
  row: number, rows: number, cols: number,
  data: Float32Array | Float64Array, blockRows: number | undefined, emit: (b: RowBlock) => void, signal: AbortSignal, ids?: RowLabels,
): void {
  const step = blockRows !== undefined && blockRows > 0 ? blockRows : Math.max(1, rows);
  for (let r = 0; r < rows && !signal.aborted; r += step) {
    const k = Math.min(step, rows - r);
    const whole = step >= rows;
    emit({
      rowStart: row + r, rows: k, cols, data: whole ? data.subarray(0, rows * cols) : data.subarray(r * cols, (r + k) * cols),
      ...(ids !== undefined ? { ids: whole ? ids : sliceIds(ids, r, k) } : {}),
    });
  }
}

/** Ids `from` to `from + rows` (a view for int64). */
export function sliceIds(ids: RowLabels, from: number, rows: number): RowLabels {
  return ids instanceof BigInt64Array ? ids.subarray(from, from + rows) : ids.slice(from, from + rows);
}
