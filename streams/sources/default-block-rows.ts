/**
 * Default rows per block for formats without natural batches: about 4 MiB of values per block, at
 * least one row. Per-block overhead (a read call, an Observable emission, a GEMM call) is then
 * negligible, and a block of the sketch update stays cache-sized for rows of a few thousand values.
 */
export const DEFAULT_BLOCK_BYTES = 4 * 1024 * 1024;

export function defaultBlockRows(cols: number, itemSize: number): number {
  return Math.max(1, Math.floor(DEFAULT_BLOCK_BYTES / Math.max(1, cols * itemSize)));
}
