/**
 * Invariants of the sketch life cycle (fast-check): merging shards equals one sequential pass to
 * rounding for any split; serialize -> deserialize -> serialize is bit-identical; row order does not
 * change the co-range and core sketches beyond rounding; incompatible merges and foreign bytes are
 * refused with clear errors. Tolerances: sums of the same products in another order differ by a
 * few ulps per term, so 1e-12 relative to the largest entry.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createSketch, deserializeSketch, mergeSketches, reconstruct, serializeSketch, updateRows, updateEntries,
  type SketchOptions, type SketchState,
} from '../src/internals.js';
import { field, lowRank, relDiff, rowsOf } from './sketch-helpers.js';
import type { LinearState } from '../src/internals.js';
import { testMatrix } from '../src/random/test-matrix.js';
import type { Matrix64 } from '../src/matrix.js';

const m = 90, n = 24;
const A = (() => {
  // Decaying spectrum plus noise, so the reconstruction is well defined but not exact.
  const a = lowRank(m, n, 5, 3);
  const g = testMatrix('gaussian', 8, 'test-noise', m, n);
  for (let t = 0; t < a.data.length; t++) a.data[t] += 1e-2 * g.data[t];
  return a;
})();

const variants: SketchOptions[] = [
  { cols: n, rank: 3, method: 'three-sketch', testMatrix: 'gaussian', seed: 5, rangeDim: 7, coreDim: 15 },
  { cols: n, rank: 3, method: 'three-sketch', testMatrix: 'sparse-sign', seed: 6, rangeDim: 7, coreDim: 15, center: true },
  { cols: n, rank: 3, method: 'two-sketch', testMatrix: 'gaussian', seed: 7, rangeDim: 7, coRangeDim: 15 },
  { cols: n, rank: 3, method: 'two-sketch', testMatrix: 'sparse-sign', seed: 8, rangeDim: 7, coRangeDim: 15 },
];

/** Split [0, m) into consecutive blocks at the given cut points. */
function blocks(cuts: number[]): [number, number][] {
  const c = [...new Set(cuts.map((x) => x % m))].filter((x) => x > 0).sort((x, y) => x - y);
  const out: [number, number][] = [];
  let a = 0;
  for (const b of [...c, m]) { out.push([a, b - a]); a = b; }
  return out;
}

function sequential(o: SketchOptions, a: Matrix64): SketchState {
  const st = createSketch(o);
  updateRows(st, a, 0);
  return st;
}

function expectSameSketch(x: SketchState, y: SketchState, tol: number, compareR = true): void {
  expect(relDiff(field(x, 'coRange'), field(y, 'coRange'))).toBeLessThan(tol);
  expect(relDiff(field(x, 'core'), field(y, 'core'))).toBeLessThan(tol);
  expect(relDiff(field(x, 'errorSketch'), field(y, 'errorSketch'))).toBeLessThan(tol);
  expect(relDiff(field(x, 'coreRange'), field(y, 'coreRange'))).toBeLessThan(tol);
  expect(relDiff(field(x, 'errorRange'), field(y, 'errorRange'))).toBeLessThan(tol);
  expect(relDiff(field(x, 'colSums'), field(y, 'colSums'))).toBeLessThan(tol);
  if (!compareR) return;
  // R factors agree up to the sign of each row.
  const k1 = x.sizes.k + 1;
  const absR = (r: Float64Array) => r.map(Math.abs);
  expect(relDiff(absR(field(x, 'rangeR')), absR(field(y, 'rangeR')))).toBeLessThan(1e-10 * k1);
}

describe('sketch properties', () => {
  it('merge(shards) equals one sequential pass, for any split into shards', () => {
    fc.assert(fc.property(
      fc.constantFrom(...variants), fc.array(fc.integer({ min: 1, max: m - 1 }), { maxLength: 6 }), fc.integer({ min: 1, max: 4 }),
      (o, cuts, nShards) => {
        const seq = sequential(o, A);
        const shards = Array.from({ length: nShards }, () => createSketch(o));
        blocks(cuts).forEach(([r0, b], t) => updateRows(shards[t % nShards], rowsOf(A, r0, b), r0));
        const merged = shards.reduce((x, y) => mergeSketches(x, y));
        expectSameSketch(seq, merged, 1e-12);
        expect((merged as LinearState).rangeRValid).toBe(true);
        expect(merged.rowsSeen).toBe(m);
        const r1 = reconstruct(seq), r2 = reconstruct(merged);
        expect(relDiff(r1.s, r2.s)).toBeLessThan(1e-10);
        expect(relDiff(r1.v.data, r2.v.data)).toBeLessThan(1e-8); // sign-fixed, so comparable entrywise
        expect(relDiff(r1.u!.data, r2.u!.data)).toBeLessThan(1e-8);
      }), { numRuns: 25 });
  });

  it('serialize -> deserialize -> serialize is bit-identical, and the state works after the trip', () => {
    fc.assert(fc.property(
      fc.constantFrom(...variants, { cols: n, rank: 3, method: 'fd' as const, seed: 1 }), fc.integer({ min: 0, max: m }),
      (o, rows) => {
        const st = createSketch(o);
        if (rows > 0) updateRows(st, rowsOf(A, 0, rows), 0);
        const bytes = serializeSketch(st);
        const back = deserializeSketch(bytes, st.method === 'fd' ? undefined : st.spill);
        const again = serializeSketch(back);
        expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
        // Continue both the same way: still identical.
        if (rows < m) { updateRows(st, rowsOf(A, rows, m - rows), rows); updateRows(back, rowsOf(A, rows, m - rows), rows); }
        expect(Buffer.from(serializeSketch(back)).equals(Buffer.from(serializeSketch(st)))).toBe(true);
      }), { numRuns: 25 });
  });

  it('row order does not change the co-range and core sketches beyond rounding', () => {
    fc.assert(fc.property(
      fc.constantFrom(...variants), fc.array(fc.integer({ min: 1, max: m - 1 }), { maxLength: 8 }), fc.integer(),
      (o, cuts, salt) => {
        const seq = sequential(o, A);
        const bl = blocks(cuts);
        // Deterministic shuffle of the blocks from the salt.
        const order = bl.map((b, i) => ({ b, key: Math.imul(i + 1, 2654435761) ^ salt })).sort((x, y) => x.key - y.key).map((x) => x.b);
        const st = createSketch(o);
        for (const [r0, b] of order) updateRows(st, rowsOf(A, r0, b), r0);
        expectSameSketch(seq, st, 1e-12);
      }), { numRuns: 25 });
  });

  it('merge refuses incompatible sketches, naming the difference', () => {
    const base = variants[0];
    const a = createSketch(base);
    expect(() => mergeSketches(a, createSketch({ ...base, seed: 99 }))).toThrow(/different seed: 5 vs 99/);
    expect(() => mergeSketches(a, createSketch({ ...base, cols: n + 1 }))).toThrow(/different columns/);
    expect(() => mergeSketches(a, createSketch({ ...base, testMatrix: 'sparse-sign' }))).toThrow(/different test matrix/);
    expect(() => mergeSketches(a, createSketch({ ...base, coreDim: 17 }))).toThrow(/different core size s: 15 vs 17/);
    expect(() => mergeSketches(a, createSketch({ ...variants[2], seed: 5 }))).toThrow(/different method/);
    try { mergeSketches(a, createSketch({ ...base, seed: 1 })); } catch (e) { expect((e as { code: string }).code).toBe('INCOMPATIBLE_MERGE'); }
  });

  it('overlapping shards still merge to the sum, and the TSQR factor is then rebuilt from the spill', () => {
    const o = variants[0];
    const x = createSketch(o), y = createSketch(o);
    updateRows(x, A, 0);
    updateRows(y, rowsOf(A, 30, 20), 30);
    const merged = mergeSketches(x, y);
    expect((merged as LinearState).rangeRValid).toBe(false);
    const twice = createSketch(o);
    updateRows(twice, A, 0);
    updateEntries(twice, [], [], []); // no-op
    updateRows(twice, rowsOf(A, 30, 20), 30);
    expectSameSketch(twice, merged, 1e-12, false);
    expect(() => reconstruct(merged)).not.toThrow();
  });

  it('deserialize refuses other versions, other families and truncated bytes', () => {
    const bytes = serializeSketch(sequential(variants[0], A));
    const v2 = bytes.slice(); v2[4] = 4;
    expect(() => deserializeSketch(v2)).toThrow(/unsupported sketch format version 4: this build reads version 3 \(written by a newer rangefinder\)/);
    const v1 = bytes.slice(); v1[4] = 2;
    expect(() => deserializeSketch(v1)).toThrow(/unsupported sketch format version 2: this build reads version 3$/);
    const other = bytes.slice(); other[0] = 0x58;
    expect(() => deserializeSketch(other)).toThrow(/family tag 'XFSK', expected 'RFSK'/);
    expect(() => deserializeSketch(bytes.slice(0, bytes.length - 8))).toThrow(/expected/);
    expect(() => deserializeSketch(bytes.slice(0, 10))).toThrow(/truncated/);
    try { deserializeSketch(v2); } catch (e) { expect((e as { code: string }).code).toBe('FORMAT'); }
  });
});
