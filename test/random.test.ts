import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { fillItems, fillSparseSignItems, sparseSignZeta, testMatrix, TEST_MATRIX_FAMILIES } from '../src/random/test-matrix.js';

describe('seeded test matrices', () => {
  it('gaussian items are exactly seedrandom xor128 Box-Muller (the inlined generator changes no value)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 140 }), fc.integer({ min: 0, max: 10 ** 7 }), fc.integer({ min: 1, max: 150 }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom('upsilon', 'phi', 'theta', 'omega', 'psi'),
      (dim, i0, count, seed, purpose) => {
        const got = new Float64Array(count * dim);
        fillItems('gaussian', seed, purpose, dim, i0, count, got);
        const draws = 2 * Math.ceil(dim / 2);
        for (let t = 0; t < count; t++) {
          const i = i0 + t, g = Math.floor(i / 64);
          const rng = seedrandom.xor128(`${seed}:${purpose}:${g}`);
          for (let d = 0; d < (i - 64 * g) * draws; d++) rng.int32();
          const u = () => ((rng.int32() >>> 0) + 1) / 4294967296;
          for (let j = 0; j < dim; j += 2) {
            const r = Math.sqrt(-2 * Math.log(u())), th = 2 * Math.PI * u();
            expect(got[t * dim + j]).toBe(r * Math.cos(th));
            if (j + 1 < dim) expect(got[t * dim + j + 1]).toBe(r * Math.sin(th));
          }
        }
      }), { numRuns: 40 });
  });

  it('item vectors depend on (seed, purpose, i) alone, not on the block they were generated in', () => {
    fc.assert(fc.property(
      fc.constantFrom(...TEST_MATRIX_FAMILIES), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 1, max: 150 }), fc.integer({ min: 0, max: 2 ** 31 }),
      (family, dim, i0, count, seed) => {
        const whole = testMatrix(family, seed, 'psi', i0 + count, dim);
        const part = new Float64Array(count * dim);
        fillItems(family, seed, 'psi', dim, i0, count, part);
        for (let t = 0; t < count * dim; t++) expect(part[t]).toBe(whole.data[i0 * dim + t]);
      }), { numRuns: 60 });
  });

  it('different purposes and seeds give different vectors', () => {
    const a = testMatrix('gaussian', 1, 'psi', 10, 5).data;
    const b = testMatrix('gaussian', 1, 'phi', 10, 5).data;
    const c = testMatrix('gaussian', 2, 'psi', 10, 5).data;
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('gaussian entries have mean 0 and variance 1; sparse-sign has zeta distinct nonzeros of unit variance', () => {
    const g = testMatrix('gaussian', 3, 'x', 4000, 25).data;
    let s = 0, s2 = 0;
    for (const v of g) { s += v; s2 += v * v; }
    expect(Math.abs(s / g.length)).toBeLessThan(0.02);
    expect(Math.abs(s2 / g.length - 1)).toBeLessThan(0.03);
    const dim = 30, zeta = sparseSignZeta(dim), n = 2000;
    const idx = new Int32Array(n * zeta), val = new Float64Array(n * zeta);
    fillSparseSignItems(5, 'y', dim, 0, n, idx, val);
    const dense = testMatrix('sparse-sign', 5, 'y', n, dim).data;
    let e2 = 0;
    for (let t = 0; t < n; t++) {
      expect(new Set(idx.subarray(t * zeta, (t + 1) * zeta)).size).toBe(zeta);
      for (let p = 0; p < zeta; p++) expect(dense[t * dim + idx[t * zeta + p]!]).toBe(val[t * zeta + p]);
      for (let j = 0; j < dim; j++) e2 += dense[t * dim + j]! ** 2;
    }
    expect(e2 / (n * dim)).toBeCloseTo(1, 10);
  });
});
