/**
 * Options of the sketching operators, and the one place where they are validated: `sketchFactory`
 * runs `createSketch` when the operator is created, so bad options throw synchronously there
 * (ArgumentError / BudgetError, like RxJS `elementAt`), not at subscription. Each subscription gets a
 * fresh state (operators are cold); the state built for validation serves the first one.
 *
 * `spill` may be a function returning a new spill per subscription; a spill object is shared by
 * every subscription, so subscribe once (or pass a function) when the operator is reused.
 */
import { createSketch, disposeSketch, type RangeSpill, type SketchDType, type SketchOptions, type SketchState } from '../../src/internals.js';

export interface StreamSketchOptions extends Omit<SketchOptions, 'spill'> {
  spill?: RangeSpill | (() => RangeSpill);
}

/**
 * A factory of fresh states. `dtype` (the element type of the stream's first block) applies when
 * the options leave it open: float32 rows are then multiplied in float32 (docs/KERNELS.md
 * "Precision"), as the engine's fast path, and float64 rows in float64.
 */
export interface SketchFactory {
  (dtype?: SketchDType): SketchState;
  /** Whether the options left the element type to the stream. */
  readonly dtypeOpen: boolean;
}

export function sketchFactory(opts: StreamSketchOptions): SketchFactory {
  const make = (dtype: SketchDType | undefined): SketchState => {
    const { spill, ...rest } = opts;
    const o = { ...rest, ...(rest.dtype === undefined && dtype !== undefined ? { dtype } : {}) };
    return createSketch(spill === undefined ? o : { ...o, spill: typeof spill === 'function' ? spill() : spill });
  };
  let first: SketchState | undefined = make(undefined);
  const factory = (dtype?: SketchDType): SketchState => {
    const want = opts.dtype ?? dtype ?? first?.dtype ?? 'float64';
    if (first && first.dtype !== want) { disposeSketch(first); first = undefined; }
    const s = first ?? make(want);
    first = undefined;
    return s;
  };
  return Object.assign(factory, { dtypeOpen: opts.dtype === undefined });
}
