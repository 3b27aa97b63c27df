/**
 * The fold behind `sketchRows` and `sketchColumns`: a fresh sketch per subscription, each block
 * absorbed synchronously inside `next` (so a pulling source reads its next batch only afterwards),
 * a refused block turned into an error notification naming its rows or columns (`blockError`),
 * and the state emitted once at completion. Teardown unsubscribes the upstream.
 *
 * `hooks` (checkpoints, streams/cli/checkpoint.ts): `initial` gives the state to continue (a
 * restored record) instead of a fresh one; `absorbed` runs after each block is absorbed and
 * `completed` before the state is emitted, both synchronously inside the fold, so what they save is
 * exactly the state after that block. An exception from a hook errors the output.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { disposeSketch, updateRows, type SketchState } from '../../src/internals.js';
import type { RowBlock } from '../types.js';
import { blockError } from './block-error.js';
import type { SketchFactory } from './sketch-factory.js';

export interface FoldHooks {
  initial?: () => SketchState;
  absorbed?: (state: SketchState, block: RowBlock) => void;
  completed?: (state: SketchState) => void;
}

export function foldBlocks(fresh: SketchFactory, orientation: 'rows' | 'columns', hooks: FoldHooks = {}): OperatorFunction<RowBlock, SketchState> {
  return (source) => new Observable<SketchState>((subscriber) => {
    let state: SketchState, started = false;
    try {
      state = hooks.initial?.() ?? fresh();
    } catch (e) {
      subscriber.error(e);
      return undefined;
    }
    // A restored record keeps its element type.
    if (hooks.initial !== undefined) started = true;
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
          return;
        }
        try { hooks.absorbed?.(state, b); } catch (e) { subscriber.error(e); }
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => {
        try { hooks.completed?.(state); } catch (e) { subscriber.error(e); return; }
        subscriber.next(state);
        subscriber.complete();
      },
    });
  });
}
