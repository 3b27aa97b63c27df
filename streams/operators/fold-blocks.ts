/**
 * The fold behind `sketchRows` and `sketchColumns`: a fresh sketch per subscription, each block
 * absorbed synchronously inside `next` (so a pulling source reads its next batch only afterwards),
 * a refused block turned into an error notification naming its rows or columns (`blockError`),
 * and the state emitted once at completion. Teardown unsubscribes the upstream.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { updateRows, type SketchState } from '../../src/index.js';
import type { RowBlock } from '../types.js';
import { blockError } from './block-error.js';

export function foldBlocks(fresh: () => SketchState, orientation: 'rows' | 'columns'): OperatorFunction<RowBlock, SketchState> {
  return (source) => new Observable<SketchState>((subscriber) => {
    const state = fresh();
    return source.subscribe({
      next: (b) => {
        if (subscriber.closed) return;
        try {
          updateRows(state, { rows: b.rows, cols: b.cols, data: b.data, offset: 0, stride: b.cols }, b.rowStart);
        } catch (e) {
          subscriber.error(blockError(e, b, orientation));
        }
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => { subscriber.next(state); subscriber.complete(); },
    });
  });
}
