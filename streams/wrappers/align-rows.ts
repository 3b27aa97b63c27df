/**
 * `alignRows(source, { grid })`: re-cuts a row stream into blocks on a fixed grid of global rows,
 * [jG, (j + 1)G), the last one shorter. A sketch's float64 sums depend on where its chunks fall
 * (`updateRows` cuts each block into chunks from the block's start; products and the TSQR step are
 * per chunk), so two runs whose sources cut the rows differently (a file read in 4 MiB blocks, the
 * same rows from a producer in batches of 1000, a producer that restarts at row R) give sums that
 * differ in the last bits. With G the chunk height, the chunks are the grid's whatever the source's
 * batches, so a run resumed from a checkpoint taken at a grid line absorbs exactly what the
 * uninterrupted run absorbs (docs/METHODS.md §6 "Checkpoints").
 *
 * Zero-copy where a source block covers whole cells (the views are emitted); the rows of a cell that
 * straddles source blocks are copied into one buffer of G rows. `base` renumbers a stream that starts
 * at row `base` (a producer that resumes at the checkpoint's row sends rowStart 0 first). A source
 * whose blocks do not arrive in increasing, contiguous row order is refused naming the row.
 */
import { Observable } from 'rxjs';
import { ArgumentError, ShapeError } from '../../src/internals.js';
import type { MeasuredSource } from '../sources/source-options.js';
import type { RowBlock } from '../types.js';

export interface AlignOptions {
  /** G, the rows per cell (the sketch's chunk height). */
  readonly grid: number;
  /** Added to every incoming rowStart (default 0). */
  readonly base?: number;
}

export function alignRows<S extends MeasuredSource>(source: S, opts: AlignOptions): S {
  const g = opts.grid, base = opts.base ?? 0;
  if (!Number.isInteger(g) || g < 1) throw new ArgumentError(`alignRows: grid must be a positive integer, found ${g}`);
  const open = (): Observable<RowBlock> => new Observable<RowBlock>((sub) => {
    let buf: Float32Array | Float64Array | null = null;
    let cols = 0, fill = 0, cellStart = -1, next = -1;
    const flush = (): void => {
      if (fill === 0) return;
      const rows = fill;
      fill = 0;
      sub.next({ rowStart: cellStart, rows, cols, data: buf!.subarray(0, rows * cols) });
    };
    return source.open().subscribe({
      next: (b) => {
        if (sub.closed || b.rows === 0) return;
        const r0 = b.rowStart + base;
        if (next >= 0 && r0 !== next) {
          sub.error(new ShapeError(`row blocks out of order: a block starts at row ${r0}, expected row ${next} (checkpoints need the rows in order)`));
          return;
        }
        if (buf === null || (b.data instanceof Float32Array) !== (buf instanceof Float32Array) || cols !== b.cols) {
          if (fill > 0 && cols !== b.cols) { sub.error(new ShapeError(`row ${r0} has ${b.cols} values, expected ${cols}`)); return; }
          flush();
          cols = b.cols;
          buf = b.data instanceof Float32Array ? new Float32Array(g * cols) : new Float64Array(g * cols);
        }
        next = r0 + b.rows;
        let t = 0;
        while (t < b.rows && !sub.closed) {
          const row = r0 + t, inCell = row % g;
          if (fill === 0 && inCell === 0 && b.rows - t >= g) {
            // Whole cells of this block: views, no copy.
            const whole = Math.floor((b.rows - t) / g) * g;
            for (let u = 0; u < whole && !sub.closed; u += g) {
              sub.next({ rowStart: row + u, rows: g, cols, data: b.data.subarray((t + u) * cols, (t + u + g) * cols) });
            }
            t += whole;
            continue;
          }
          if (fill === 0) cellStart = row;
          const take = Math.min(g - inCell, b.rows - t);
          buf!.set(b.data.subarray(t * cols, (t + take) * cols), fill * cols);
          fill += take;
          t += take;
          if ((row + take) % g === 0) flush();
        }
      },
      error: (e: unknown) => sub.error(e),
      complete: () => { flush(); sub.complete(); },
    });
  });
  return new Proxy(source, { get: (t, k, r) => (k === 'open' ? open : Reflect.get(t, k, r) as unknown) });
}
