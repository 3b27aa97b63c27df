/**
 * PCA of a column stream [docs/METHODS.md §6]: a source opened with orientation 'columns' streams
 * the rows of A^T, one column of A each, complete on arrival. Centering A (subtracting its column
 * means mu) is then subtracting each streamed row's own mean: (A - 1 mu^T)^T = A^T - mu 1^T. This
 * wrapper does it block by block, before any method sees the rows, so every method (the sketches,
 * RSI, the exact SVD) gets the centered matrix, and records the means (mu, the column means of A).
 * The mean of each row is summed in float64; the subtraction happens in the block's own type.
 */
import { Observable } from 'rxjs';
import type { MeasuredSource } from './sources/source-options.js';
import type { RowBlock } from './types.js';

export interface CenteredSource extends MeasuredSource {
  /** The means subtracted so far, by streamed row (the column means of A), of the latest pass. */
  means(): Float64Array;
}

export function centerRows(source: MeasuredSource): CenteredSource {
  let means = new Float64Array(0), extent = 0;
  return {
    get replayable() { return source.replayable; },
    get stats() { return source.stats; },
    info: () => source.info(),
    means: () => means.subarray(0, extent),
    open: () => new Observable<RowBlock>((sub) => {
      let buf: Float32Array | Float64Array = new Float64Array(0);
      means = new Float64Array(0); extent = 0;
      return source.open().subscribe({
        next: (b) => {
          const n = b.cols, len = b.rows * n, f32 = b.data instanceof Float32Array;
          if (buf.length < len || (buf instanceof Float32Array) !== f32) buf = f32 ? new Float32Array(len) : new Float64Array(len);
          if (means.length < b.rowStart + b.rows) {
            const grown = new Float64Array(Math.max(b.rowStart + b.rows, 2 * means.length));
            grown.set(means);
            means = grown;
          }
          for (let i = 0; i < b.rows; i++) {
            const o = i * n;
            let s = 0;
            for (let j = 0; j < n; j++) s += b.data[o + j];
            const mu = s / n;
            means[b.rowStart + i] = mu;
            for (let j = 0; j < n; j++) buf[o + j] = b.data[o + j] - mu;
          }
          extent = Math.max(extent, b.rowStart + b.rows);
          sub.next({ rowStart: b.rowStart, rows: b.rows, cols: n, data: buf.subarray(0, len) });
        },
        error: (e: unknown) => sub.error(e),
        complete: () => sub.complete(),
      });
    }),
  };
}
