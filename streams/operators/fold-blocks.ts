/**
 * The fold behind `sketchRows` and `sketchColumns`: a fresh sketch per subscription, each block
 * absorbed synchronously inside `next` (so a pulling source reads its next batch only afterwards),
 * a refused block turned into an error notification naming its rows or columns (`blockError`),
 * and the state emitted once at completion. Teardown unsubscribes the upstream.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { disposeSketch, updateRows, type SketchState } from '../../src/internals.js';
import type { RowBlock } from '../types.js';
import { blockError } from './block-error.js';
import type { SketchFactory } from './sketch-factory.js';

export function foldBlocks(fresh: SketchFactory, orientation: 'rows' | 'columns'): OperatorFunction<RowBlock, SketchState> {
  return (source) => new Observable<SketchState>((subscriber) => {
    let state = fresh(), started = false;
    return source.subscribe({
      next: (b) => {
        if (subscriber.closed) return;
        try {
          // The first block fixes the engine's element type when the options left it open.
          if (!started) {
            started = true;
            const dtype = b.data instanceof Float32Array ? 'float32' : 'float64';
            if (fresh.dtypeOpen && dtype !== state.dtype) { disposeSketch(state); state = fresh(dtype); }
          }
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
