/** Size checks and the serialized extras the linear methods share. */
import { ArgumentError } from '../../errors.js';
import type { LinearState } from '../types.js';

/** Explicit range size: an integer in [rank, cols]. */
export function checkRangeSizes(rank: number, cols: number, k: number): void {
  if (!Number.isInteger(k) || k < rank) throw new ArgumentError(`rangeDim k must be an integer >= rank ${rank}, found ${k}`);
  if (k > cols) throw new ArgumentError(`rangeDim k = ${k} exceeds the ${cols} columns`);
}

/** The range side's non-additive state: R (merged by TSQR), the range scale and R's validity. */
export const linearExtras = {
  extraArrays: (st: LinearState): Float64Array[] => [st.rangeR],
  extraScalars: (st: LinearState): number[] => [st.rangeScale, st.rangeRValid ? 1 : 0],
  setExtraScalars(st: LinearState, x: readonly number[]): void {
    st.rangeScale = x[0];
    st.rangeRValid = x[1] === 1;
  },
};
