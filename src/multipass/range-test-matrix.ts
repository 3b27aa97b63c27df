/**
 * The starting block Omega (n x l) of the multi-pass methods [HMT11 §4.1; docs/METHODS.md §0].
 * Omega acts on the non-streamed axis of a row stream (the n axis, which every row carries
 * completely), so it is generated once and kept: row j of Omega is the vector of item j of the
 * seeded map with purpose 'multipass-omega'. The in-memory references and the streaming Gram pass
 * call this one function, which is what makes them agree for the same seed.
 */
import type { Matrix64 } from '../matrix.js';
import type { TestMatrixFamily } from '../random/test-matrix.js';
import { testMatrix } from '../random/test-matrix.js';

export const RANGE_PURPOSE = 'multipass-omega' as const;

/** Omega (n x l) for `seed` and `family`. */
export function rangeTestMatrix(family: TestMatrixFamily, seed: number, n: number, l: number): Matrix64 {
  return testMatrix(family, seed, RANGE_PURPOSE, n, l);
}
