/**
 * `sketchRows(opts)`: folds a stream of row blocks of A (m x n, `opts.cols` = n) into a single-pass
 * sketch (src/sketch, [TYUC19] three-sketch by default) and emits the final `SketchState` once, at
 * completion. Feed it to `reconstruct()` / `estimateError()` or to the src functions directly.
 *
 * - Options are validated when the operator is created (throws ArgumentError / BudgetError).
 * - Each block is absorbed synchronously inside `next` (`updateRows`), so a pulling source reads its
 *   next batch only after the previous one is sketched: backpressure (streams/types.ts).
 * - A block the sketch refuses (wrong width, NaN) errors the output with a message naming the row;
 *   the upstream is unsubscribed, which closes its file or socket. Unsubscribing does the same.
 * - An empty stream emits the empty sketch (rowsSeen 0).
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { updateRows, type SketchState } from '../../src/sketch/index.js';
import type { RowBlock } from '../types.js';
import { blockError } from './block-error.js';
import { sketchFactory, type StreamSketchOptions } from './sketch-factory.js';

export function sketchRows(opts: StreamSketchOptions): OperatorFunction<RowBlock, SketchState> {
  const fresh = sketchFactory(opts);
  return (source) => new Observable<SketchState>((subscriber) => {
    const state = fresh();
    return source.subscribe({
      next: (b) => {
        if (subscriber.closed) return;
        try {
          updateRows(state, { rows: b.rows, cols: b.cols, data: b.data, offset: 0, stride: b.cols }, b.rowStart);
        } catch (e) {
          subscriber.error(blockError(e, b));
        }
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => { subscriber.next(state); subscriber.complete(); },
    });
  });
}
