/**
 * Merge the sketches of two shards (disjoint or not) into the sketch of their sum
 * [TYUC19 §2.2; ALGORITHMS.md §6 "Merging shards"]: with the same seed and global row indices,
 * co-range, core, error sketches and the range-side accumulators add; the TSQR factors merge by
 * one QR of [Ra; Rb] when the row sets are disjoint. FD merges by stacking and shrinking [GLPW16 §3].
 * The spills: two memory spills are summed into a new one; otherwise the merged state has no spill
 * (the shards' spills together hold its range rows). Returns a new state; inputs are not changed.
 * Throws IncompatibleMergeError naming the difference (seed, cols, method, test matrix, sizes,
 * centering, rangeScale).
 */
import type { SketchState } from './types.js';

export function mergeSketches(a: SketchState, b: SketchState): SketchState {
  void a; void b;
  throw new Error('mergeSketches: not implemented yet');
}
