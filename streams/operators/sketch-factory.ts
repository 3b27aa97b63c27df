/**
 * Options of the sketching operators, and the one place where they are validated: `sketchFactory`
 * runs `createSketch` when the operator is created, so bad options throw synchronously there
 * (ArgumentError / BudgetError, like RxJS `elementAt`), not at subscription. Each subscription gets a
 * fresh state (operators are cold); the state built for validation serves the first one.
 *
 * `spill` may be a function returning a new spill per subscription; a spill object is shared by
 * every subscription, so subscribe once (or pass a function) when the operator is reused.
 */
import { createSketch, type RangeSpill, type SketchOptions, type SketchState } from '../../src/index.js';

export interface StreamSketchOptions extends Omit<SketchOptions, 'spill'> {
  spill?: RangeSpill | (() => RangeSpill);
}

export function sketchFactory(opts: StreamSketchOptions): () => SketchState {
  const make = (): SketchState => {
    const { spill, ...rest } = opts;
    return createSketch(spill === undefined ? rest : { ...rest, spill: typeof spill === 'function' ? spill() : spill });
  };
  let first: SketchState | undefined = make();
  return () => {
    const s = first ?? make();
    first = undefined;
    return s;
  };
}
