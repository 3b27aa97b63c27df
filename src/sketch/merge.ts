/**
 * Merge the sketches of two shards into the sketch of their sum [TYUC19 §2.2 (linearity);
 * docs/METHODS.md §6 "Merging shards"]: with the same seed and global row indices the additive sums
 * (co-range, core, error sketches, range accumulators, column sums) add; the method merges the rest
 * (TSQR factors by one more QR when the shards' rows are disjoint, else dropped; FD by stacking and
 * shrinking [GLPW16 §3]). Spills: two memory spills are summed into a new one; the same spill
 * object shared by both is kept; otherwise the merged record has no spill (the shards' spills
 * together hold its rows: apply `uRight` to each). Returns a new record; the inputs are unchanged.
 * Throws IncompatibleMergeError naming the first difference.
 */
import { IncompatibleMergeError } from '../errors.js';
import { allocateSketch } from './create.js';
import { addInterval } from './intervals.js';
import { isMemorySpill, memorySpill } from './memory-spill.js';
import { methodOf } from './registry.js';
import type { RangeSpill, SketchState } from './types.js';

export function mergeSketches<S extends SketchState>(a: S, b: S): S {
  const diff = (what: string, x: unknown, y: unknown) => {
    if (x !== y) throw new IncompatibleMergeError(`cannot merge sketches with different ${what}: ${String(x)} vs ${String(y)}`);
  };
  diff('method', a.method, b.method);
  diff('test matrix', a.testMatrix, b.testMatrix);
  diff('dtype', a.dtype, b.dtype);
  diff('seed', a.seed, b.seed);
  diff('columns', a.cols, b.cols);
  diff('rank', a.rank, b.rank);
  diff('range size k', a.sizes.k, b.sizes.k);
  diff('core size s', a.sizes.s, b.sizes.s);
  diff('co-range size l', a.sizes.l, b.sizes.l);
  diff('error sketch size q', a.sizes.q, b.sizes.q);
  diff('centering', a.center, b.center);
  if (a.method !== 'fd' && b.method !== 'fd') diff('range scale (after updateLinear)', a.rangeScale, b.rangeScale);

  let spill: RangeSpill | undefined;
  let spillCovered: number[] = [];
  if (a.method !== 'fd' && b.method !== 'fd') {
    if (a.spill && a.spill === b.spill) {
      spill = a.spill;
      spillCovered = a.spillCovered.slice();
      for (let t = 0; t < b.spillCovered.length; t += 2) addInterval(spillCovered, b.spillCovered[t], b.spillCovered[t + 1], false);
    } else if (isMemorySpill(a.spill) && isMemorySpill(b.spill)) {
      const m = memorySpill();
      m.absorb(a.spill); m.absorb(b.spill);
      spill = m;
      spillCovered = a.spillCovered.slice();
      for (let t = 0; t < b.spillCovered.length; t += 2) addInterval(spillCovered, b.spillCovered[t], b.spillCovered[t + 1], false);
    }
  }
  const { method, testMatrix, dtype, seed, cols, rank, sizes, center } = a;
  const out = allocateSketch({ method, testMatrix, dtype, seed, cols, rank, sizes: { ...sizes }, center }, spill) as S;
  if (out.method !== 'fd') { out.spill = spill; out.spillCovered = spillCovered; }
  out.rows = Math.max(a.rows, b.rows);
  out.rowsSeen = a.rowsSeen + b.rowsSeen;
  out.covered = a.covered.slice();
  let overlap = false;
  for (let t = 0; t < b.covered.length; t += 2) {
    if (addInterval(out.covered, b.covered[t], b.covered[t + 1], false)) overlap = true;
  }
  if (overlap && a.center) throw new IncompatibleMergeError('cannot merge centered sketches whose rows overlap (the mean needs each row once)');
  for (let i = 0; i < out.sums.length; i++) out.sums[i] = a.sums[i] + b.sums[i];
  methodOf(out).mergeInto(out, a, b, overlap);
  return out;
}
