/**
 * Merge the sketches of two shards into the sketch of their sum [TYUC19 §2.2 (linearity);
 * ALGORITHMS.md §6 "Merging shards"]: with the same seed and global row indices the co-range, core
 * and error sketches and the range-side accumulators (Phi [Y 1], Theta [Y 1], Upsilon 1, column sums)
 * add; the TSQR factors merge by one QR of [Ra; Rb] when the shards' rows are disjoint (otherwise
 * the factor is dropped, `rangeRValid`). FD merges by stacking and shrinking [GLPW16 §3, mergeability].
 * Spills: two memory spills are summed into a new one; the same spill object shared by both shards
 * is kept; otherwise the merged state has no spill (the shards' spills together hold its rows, and
 * `reconstruct` returns uRight for them). Returns a new state; the inputs are not changed.
 * Throws IncompatibleMergeError naming the first difference (method, test matrix, seed, columns,
 * rank, sizes, centering, range scale).
 */
import { IncompatibleMergeError } from '../errors.js';
import { householderStackR } from './absorb-chunk.js';
import { allocateSketch } from './create-sketch.js';
import { fdInsertRows } from './frequent-directions.js';
import { isMemorySpill, memorySpill } from './memory-spill.js';
import { addInterval } from './update-rows.js';
import type { SketchState } from './types.js';

export function mergeSketches(a: SketchState, b: SketchState): SketchState {
  const diff = (what: string, x: unknown, y: unknown) => {
    if (x !== y) throw new IncompatibleMergeError(`cannot merge sketches with different ${what}: ${String(x)} vs ${String(y)}`);
  };
  diff('method', a.method, b.method);
  diff('test matrix', a.testMatrix, b.testMatrix);
  diff('seed', a.seed, b.seed);
  diff('columns', a.cols, b.cols);
  diff('rank', a.rank, b.rank);
  diff('range size k', a.sizes.k, b.sizes.k);
  diff('core size s', a.sizes.s, b.sizes.s);
  diff('co-range size l', a.sizes.l, b.sizes.l);
  diff('error sketch size q', a.sizes.q, b.sizes.q);
  diff('centering', a.center, b.center);
  diff('range scale (after updateLinear)', a.rangeScale, b.rangeScale);

  let spill: SketchState['spill'];
  if (a.spill && a.spill === b.spill) spill = a.spill;
  else if (isMemorySpill(a.spill) && isMemorySpill(b.spill)) {
    const m = memorySpill();
    m.absorb(a.spill); m.absorb(b.spill);
    spill = m;
  }
  const out = allocateSketch(a.method, a.testMatrix, a.seed, a.cols, a.rank, { ...a.sizes }, a.center,
    Math.max(a.rows, b.rows), a.method === 'fd' ? undefined : spill, a.maps);
  out.rowsSeen = a.rowsSeen + b.rowsSeen;
  out.rangeScale = a.rangeScale;

  // Row coverage: union; overlap drops the TSQR factor (and is refused with centering).
  out.covered = a.covered.slice();
  let overlap = false;
  for (let t = 0; t < b.covered.length; t += 2) {
    if (addInterval(out.covered, b.covered[t]!, b.covered[t + 1]!, false)) overlap = true;
  }
  if (overlap && a.center) throw new IncompatibleMergeError('cannot merge centered sketches whose rows overlap (the mean needs each row once)');

  const add = (x: Float64Array, y: Float64Array, z: Float64Array) => { for (let i = 0; i < z.length; i++) z[i] = x[i]! + y[i]!; };
  add(a.errorSketch, b.errorSketch, out.errorSketch);
  add(a.colSums, b.colSums, out.colSums);
  if (a.method === 'fd') {
    const n = a.cols;
    out.coRange.set(a.coRange.subarray(0, a.fdRows * n));
    out.fdRows = a.fdRows;
    fdInsertRows(out, b.coRange, 0, n, b.fdRows);
    return out;
  }
  add(a.coRange, b.coRange, out.coRange);
  add(a.core, b.core, out.core);
  add(a.coRangeOnes, b.coRangeOnes, out.coRangeOnes);
  add(a.coreRange, b.coreRange, out.coreRange);
  add(a.errorRange, b.errorRange, out.errorRange);
  out.rangeRValid = a.rangeRValid && b.rangeRValid && !overlap;
  if (out.rangeRValid) {
    const k1 = a.sizes.k + 1;
    const st = new Float64Array(2 * k1 * k1);
    for (let i = 0; i < k1; i++) for (let j = i; j < k1; j++) {
      st[i * k1 + j] = a.rangeR[i * k1 + j]!;
      st[(k1 + i) * k1 + j] = b.rangeR[i * k1 + j]!;
    }
    householderStackR(st, k1, k1);
    for (let i = 0; i < k1; i++) for (let j = i; j < k1; j++) out.rangeR[i * k1 + j] = st[i * k1 + j]!;
  }
  return out;
}
