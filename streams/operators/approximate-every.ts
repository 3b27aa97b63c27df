/**
 * `approximateEvery(everyRows, opts)`: sketches a row stream like `sketchRows` and, each time the
 * rows seen cross a multiple of `everyRows`, emits the current approximation `{rowsSeen, s, v,
 * errorEstimate}`; at completion it emits once more if rows arrived since the last emission (so a
 * stream of m rows in blocks that align with `everyRows` emits ceil(m / everyRows) times; the last
 * emission is the final answer). Snapshots only read the state (s and V from the small sketches; U
 * is not formed), so they do not disturb the running sketch. Validation, errors and teardown as
 * `sketchRows`. `rank` (the snapshot rank) defaults to `opts.rank`.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { ArgumentError } from '../../src/errors.js';
import type { Matrix64 } from '../../src/index.js';
import { estimateError, updateRows, type ErrorEstimate, type SketchState } from '../../src/index.js';
import type { RowBlock } from '../types.js';
import { blockError } from './block-error.js';
import { factorsOf } from './factors-of.js';
import { sketchFactory, type StreamSketchOptions } from './sketch-factory.js';

export interface Approximation {
  readonly rowsSeen: number;
  readonly s: Float64Array;
  /** V (n x r). */
  readonly v: Matrix64;
  /** Of the rank-r approximation; undefined when the sketch has no error sketch. */
  readonly errorEstimate: ErrorEstimate | undefined;
}

export function approximateEvery(everyRows: number, opts: StreamSketchOptions): OperatorFunction<RowBlock, Approximation> {
  if (!Number.isSafeInteger(everyRows) || everyRows < 1) throw new ArgumentError(`approximateEvery: everyRows must be a positive integer, found ${everyRows}`);
  const fresh = sketchFactory(opts);
  const snapshot = (state: SketchState): Approximation => {
    const f = factorsOf(state, { formStreamed: false });
    const errorEstimate = state.sizes.q > 0 ? estimateError(state, f.streamed) : undefined;
    return { rowsSeen: state.rowsSeen, s: f.s, v: f.streamed.v, errorEstimate };
  };
  return (source) => new Observable<Approximation>((subscriber) => {
    const state = fresh();
    let emittedAt = 0;
    const emit = (): void => { emittedAt = state.rowsSeen; subscriber.next(snapshot(state)); };
    return source.subscribe({
      next: (b) => {
        if (subscriber.closed) return;
        try {
          updateRows(state, { rows: b.rows, cols: b.cols, data: b.data, offset: 0, stride: b.cols }, b.rowStart);
          if (Math.floor(state.rowsSeen / everyRows) > Math.floor(emittedAt / everyRows)) emit();
        } catch (e) {
          subscriber.error(blockError(e, b));
        }
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => {
        try { if (state.rowsSeen > emittedAt) emit(); } catch (e) { subscriber.error(e); return; }
        subscriber.complete();
      },
    });
  });
}
