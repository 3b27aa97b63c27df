/**
 * `reconstruct(opts)`: maps each sketch (from `sketchRows` or `sketchColumns`) to its fixed-rank
 * factors in A's orientation, A ~ U diag(s) V^T (`Factors`; column sketches are swapped for you).
 * `rank` defaults to the sketch's rank. The state is read, not consumed. Numerical failures
 * (NumericError, a rank above k) arrive as error notifications. Options are checked at creation.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { checkRank } from './check-rank.js';
import { factorsOf, type AnySketch, type Factors, type FactorsOptions } from './factors-of.js';

export function reconstruct(opts: FactorsOptions = {}): OperatorFunction<AnySketch, Factors> {
  checkRank(opts.rank, 'reconstruct');
  return (source) => new Observable<Factors>((subscriber) => source.subscribe({
    next: (sketch) => {
      let f: Factors;
      try { f = factorsOf(sketch, opts); } catch (e) { subscriber.error(e); return; }
      subscriber.next(f);
    },
    error: (e: unknown) => subscriber.error(e),
    complete: () => subscriber.complete(),
  }));
}
