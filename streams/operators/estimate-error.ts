/**
 * `estimateError(opts)`: maps each sketch to the a-posteriori estimate of ||A - A_hat||_F from its
 * error sketch [TYUC19 §6.1] (src/sketch `estimateError`): of the rank-`rank` reconstruction when
 * `rank` is given, else of the full low-rank approximation Q C P^T. The Frobenius error is the same
 * for A and A^T, so row and column sketches are treated alike. No pass over the data or the spill.
 * A sketch without an error sketch (`errorSketchDim: 0`) errors; options are checked at creation.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { estimateError as estimate, type ErrorEstimate } from '../../src/index.js';
import { checkRank } from './check-rank.js';
import { factorsOf, stateOf, type AnySketch } from './factors-of.js';

export function estimateError(opts: { rank?: number } = {}): OperatorFunction<AnySketch, ErrorEstimate> {
  checkRank(opts.rank, 'estimateError');
  const { rank } = opts;
  return (source) => new Observable<ErrorEstimate>((subscriber) => source.subscribe({
    next: (sketch) => {
      let e: ErrorEstimate;
      try {
        const state = stateOf(sketch);
        e = rank === undefined ? estimate(state) : estimate(state, factorsOf(sketch, { rank, formStreamed: false }).streamed);
      } catch (err) { subscriber.error(err); return; }
      subscriber.next(e);
    },
    error: (e: unknown) => subscriber.error(e),
    complete: () => subscriber.complete(),
  }));
}
