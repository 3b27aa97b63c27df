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
 * - `hooks` continue a restored state and see it after every block (checkpoints: fold-blocks.ts).
 */
import type { OperatorFunction } from 'rxjs';
import type { SketchState } from '../../src/internals.js';
import type { RowBlock } from '../types.js';
import { foldBlocks, type FoldHooks } from './fold-blocks.js';
import { sketchFactory, type StreamSketchOptions } from './sketch-factory.js';

export function sketchRows(opts: StreamSketchOptions, hooks?: FoldHooks): OperatorFunction<RowBlock, SketchState> {
  return foldBlocks(sketchFactory(opts), 'rows', hooks);
}
