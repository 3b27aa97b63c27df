/**
 * `factorsOf(sketch, opts)`: the fixed-rank factors A ~ U diag(s) V^T of a row sketch (SketchState)
 * or a column sketch (TransposedSketch), in A's orientation [TYUC19 Alg. 4.2 + §5.3 via
 * src/sketch `reconstruct`]. Reads the state without changing it, so it can run mid-stream.
 *
 * The factor along the streamed axis (U for rows, V for columns) is formed from the range spill when
 * the spill can be read back (`memorySpill`) and `formStreamed` is true (default); otherwise it is
 * left undefined and `streamed.uRight` / `uShift` give it blockwise over the spill (`applyRight`).
 */
import type { Matrix64 } from '../../src/index.js';
import { reconstruct, type RangeSpill, type Reconstruction, type SketchState } from '../../src/index.js';
import type { TransposedSketch } from './sketch-columns.js';

export type AnySketch = SketchState | TransposedSketch;

export interface Factors {
  readonly orientation: 'rows' | 'columns';
  /** Singular values, descending (r). */
  readonly s: Float64Array;
  /** U of A (m x r), when known. */
  readonly u: Matrix64 | undefined;
  /** V of A (n x r), when known. */
  readonly v: Matrix64 | undefined;
  /** src's reconstruction of the STREAMED matrix (A for rows, A^T for columns). */
  readonly streamed: Reconstruction;
}

export interface FactorsOptions {
  rank?: number;
  /** A spill to read the range rows from (default: the sketch's own). */
  spill?: RangeSpill;
  /** Form the streamed-axis factor from a readable spill (default true). */
  formStreamed?: boolean;
}

/** A spill that cannot be read back: passing it to src `reconstruct` skips forming U. */
const NO_READ: RangeSpill = { write: () => undefined };

export function stateOf(sketch: AnySketch): SketchState {
  return 'orientation' in sketch ? sketch.state : sketch;
}

export function factorsOf(sketch: AnySketch, opts: FactorsOptions = {}): Factors {
  const state = stateOf(sketch);
  // Without a valid TSQR factor, src must rebuild R from a readable spill, so keep it then.
  const spill = opts.formStreamed === false && state.rangeRValid ? NO_READ : opts.spill;
  const rec = reconstruct(state, { ...(opts.rank !== undefined ? { rank: opts.rank } : {}), ...(spill ? { spill } : {}) });
  return 'orientation' in sketch
    ? { orientation: 'columns', s: rec.s, u: rec.v, v: rec.u, streamed: rec }
    : { orientation: 'rows', s: rec.s, u: rec.u, v: rec.v, streamed: rec };
}
