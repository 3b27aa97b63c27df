import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { philox4x32 } from '../src/random/philox.js';
import { purposeKey, type Purpose } from '../src/random/purposes.js';
import { fillItems, fillSparseSignItems, sparseSignZeta, testMatrix, TEST_MATRIX_FAMILIES } from '../src/random/test-matrix.js';
import { cosSinTurn, logUniform } from '../src/random/box-muller.js';

describe('seeded test matrices', () => {
  /** Word `w` of item i of the stream (seed, purpose): lane w mod 4 of Philox block floor(w / 4) (test-matrix.ts header). */
  function itemWord(seed: number, purpose: Purpose, i: number, w: number): number {
    const out = new Int32Array(4);
    philox4x32(i % 2 ** 32, Math.floor(i / 2 ** 32), Math.floor(w / 4), 0, seed, purposeKey(purpose), out);
    return out[w % 4];
  }

  it('gaussian entries (2p, 2p + 1) of item i are Box-Muller of Philox words (2p, 2p + 1) of (seed, purpose, i)', () => {
    const cs = new Float64Array(2);
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 140 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom<Purpose>('upsilon', 'phi', 'theta', 'omega', 'psi', 'synthetic:noise'),
      fc.boolean(),
      (dim, i0, count, seed, purpose, f32) => {
        const got = f32 ? new Float32Array(count * dim) : new Float64Array(count * dim);
        fillItems('gaussian', seed, purpose, dim, i0, count, got);
        for (let t = 0; t < count; t++) {
          for (let j = 0; j < dim; j += 2) {
            const r = Math.sqrt(-2 * logUniform(itemWord(seed, purpose, i0 + t, j)));
            cosSinTurn(itemWord(seed, purpose, i0 + t, j + 1), cs);
            expect(got[t * dim + j]).toBe(f32 ? Math.fround(r * cs[0]) : r * cs[0]);
            if (j + 1 < dim) expect(got[t * dim + j + 1]).toBe(f32 ? Math.fround(r * cs[1]) : r * cs[1]);
          }
        }
      }), { numRuns: 40 });
  });

  it('rademacher entry j of item i is bit j mod 32 of Philox word floor(j / 32)', () => {
    const dim = 150, i0 = 2 ** 32 - 2, count = 5, got = new Float64Array(count * dim);
    fillItems('rademacher', 9, 'psi', dim, i0, count, got);
    for (let t = 0; t < count; t++) {
      for (let j = 0; j < dim; j++) expect(got[t * dim + j]).toBe((itemWord(9, 'psi', i0 + t, j >> 5) >>> (j & 31)) & 1 ? 1 : -1);
    }
  });

  it('an unknown purpose is an error, not a silently new stream', () => {
    expect(() => fillItems('gaussian', 0, 'no-such-purpose' as Purpose, 3, 0, 1, new Float64Array(3))).toThrow(/unknown random-stream purpose/);
    expect(() => fillSparseSignItems(0, 'Theta' as Purpose, 3, 0, 1, new Int32Array(3), new Float64Array(3))).toThrow(/unknown random-stream purpose/);
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
    const g = testMatrix('gaussian', 3, 'test-x', 4000, 25).data;
    let s = 0, s2 = 0;
    for (const v of g) { s += v; s2 += v * v; }
    expect(Math.abs(s / g.length)).toBeLessThan(0.02);
    expect(Math.abs(s2 / g.length - 1)).toBeLessThan(0.03);
    const dim = 30, zeta = sparseSignZeta(dim), n = 2000;
    const idx = new Int32Array(n * zeta), val = new Float64Array(n * zeta);
    fillSparseSignItems(5, 'test-b', dim, 0, n, idx, val);
    const dense = testMatrix('sparse-sign', 5, 'test-b', n, dim).data;
    let e2 = 0;
    for (let t = 0; t < n; t++) {
      expect(new Set(idx.subarray(t * zeta, (t + 1) * zeta)).size).toBe(zeta);
      for (let p = 0; p < zeta; p++) expect(dense[t * dim + idx[t * zeta + p]]).toBe(val[t * zeta + p]);
      for (let j = 0; j < dim; j++) e2 += dense[t * dim + j] ** 2;
    }
    expect(e2 / (n * dim)).toBeCloseTo(1, 10);
  });

  // Edge integers of the two reductions: u = 2^-32, 1 - 2^-32, 1; the mantissa threshold sqrt(2); the table
  // grid steps of the angle (2^23 turns/2^32) and of the mantissa; quarter and eighth turns.
  const EDGES = [0, 1, 2, 3, -1, -2, -3, 0x7fffffff, -0x80000000, 0x3fffffff, 0x40000000, 0x1fffffff, 0x20000000,
    0xbfffffff | 0, 0xc0000000 | 0, 0xb504f333 | 0, 0xb504f334 | 0, 0x3fffff, 0x400000, 0x7fffff, 0x800000,
    -0x400001, -0x400000, -0x3fffff, 0xff7fffff | 0, 0xffbfffff | 0];

  /** cos and sin of 2 pi ((w >>> 0) + 1) 2^-32 by Math, with an exact reduction to the nearest quarter turn. */
  function mathCosSin(w: number): [number, number] {
    const c = (w >>> 0) + 1, q = Math.round(c / 2 ** 30);
    const a = (c - q * 2 ** 30) * (2 * Math.PI / 2 ** 32); // exact integer times a constant: |a| <= pi/4
    const ca = Math.cos(a), sa = Math.sin(a);
    switch (q & 3) {
      case 0: return [ca, sa];
      case 1: return [-sa, ca];
      case 2: return [-ca, -sa];
      default: return [sa, -ca];
    }
  }

  function relErr(got: number, want: number): number {
    return want === 0 ? (got === 0 ? 0 : Infinity) : Math.abs(got - want) / Math.abs(want);
  }

  it('logUniform and cosSinTurn agree with Math.log and Math.cos/sin to a few ulp, edges included (4 * 10^6 integers)', () => {
    const rng = seedrandom.xor128('transcendentals');
    const cs = new Float64Array(2);
    let eLog = 0, eCos = 0, eSin = 0;
    for (let t = 0; t < 4e6; t++) {
      // Half the draws shifted right by 0..31 bits, so small integers (u near 2^-32, angles near 0) are covered.
      const w = t < EDGES.length ? EDGES[t] : t % 2 ? rng.int32() : rng.int32() >> (t % 32);
      const u = ((w >>> 0) + 1) / 2 ** 32, lnU = Math.log(u);
      const l = logUniform(w);
      eLog = Math.max(eLog, lnU === 0 ? (l === 0 ? 0 : Infinity) : Math.abs(l - lnU) / -lnU);
      cosSinTurn(w, cs);
      const [c, s] = mathCosSin(w);
      eCos = Math.max(eCos, relErr(cs[0], c));
      eSin = Math.max(eSin, relErr(cs[1], s));
    }
    // Measured 3.1e-16 (log), 4.4e-16 (cos, sin; the Math reference contributes up to 2 ulp itself).
    expect(eLog).toBeLessThan(4 * 2 ** -52);
    expect(eCos).toBeLessThan(4 * 2 ** -52);
    expect(eSin).toBeLessThan(4 * 2 ** -52);
    expect(logUniform(-1)).toBe(0); // u = 1
    cosSinTurn(2 ** 30 - 1, cs); // a quarter turn: exact zero, not Math.cos(pi/2) = 6e-17
    expect([Math.abs(cs[0]), cs[1]]).toEqual([0, 1]);
  });

  it('each normal is within 1e-12 relative of Math-based Box-Muller on the same draws (10^6 normals)', () => {
    const dim = 100, items = 10000, seed = 11;
    const got = new Float64Array(items * dim);
    fillItems('gaussian', seed, 'test-c', dim, 0, items, got);
    let eExact = 0, eNaive = 0;
    const w = new Int32Array(4), key = purposeKey('test-c');
    for (let t = 0; t < items; t++) {
      for (let j = 0; j < dim; j += 2) {
        if (j % 4 === 0) philox4x32(t, 0, j / 4, 0, seed, key, w);
        const w1 = w[j % 4], w2 = w[(j % 4) + 1];
        const r = Math.sqrt(-2 * Math.log(((w1 >>> 0) + 1) / 2 ** 32));
        const [c, s] = mathCosSin(w2);
        eExact = Math.max(eExact, relErr(got[t * dim + j], r * c), relErr(got[t * dim + j + 1], r * s));
        // Textbook form: 2 pi u is rounded before Math.cos/sin, an absolute error up to r 2 pi 2^-53 < 5e-15
        // that is not small relative to the value near a zero of cos or sin; allow it as an absolute floor.
        const th = 2 * Math.PI * (((w2 >>> 0) + 1) / 2 ** 32);
        const naive = (z: number, want: number) => Math.abs(z - want) / (Math.abs(want) + 5e-15 / 1e-12);
        eNaive = Math.max(eNaive, naive(got[t * dim + j], r * Math.cos(th)), naive(got[t * dim + j + 1], r * Math.sin(th)));
      }
    }
    expect(eExact).toBeLessThan(1e-12); // measured below 1e-15
    expect(eNaive).toBeLessThan(1e-12);
  });

  /** Which of the normality checks fail for n = values.length draws (each at well below a 1e-4 false-alarm rate, KS at 1%). */
  function normalityFailures(values: Float64Array): string[] {
    const n = values.length;
    let s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    for (const v of values) { const v2 = v * v; s1 += v; s2 += v2; s3 += v2 * v; s4 += v2 * v2; }
    const failures: string[] = [];
    // Standard errors of the sample moments of N(0, 1): sqrt(1/n), sqrt(2/n), sqrt(6/n), sqrt(96/n) for the 4th moment.
    if (Math.abs(s1 / n) > 4.5 * Math.sqrt(1 / n)) failures.push('mean');
    if (Math.abs(s2 / n - 1) > 4.5 * Math.sqrt(2 / n)) failures.push('variance');
    if (Math.abs(s3 / n) > 4.5 * Math.sqrt(15 / n)) failures.push('skewness');
    if (Math.abs(s4 / n - 3) > 4.5 * Math.sqrt(96 / n)) failures.push('kurtosis');
    const sorted = Float64Array.from(values).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = normalCdf(sorted[i]);
      d = Math.max(d, (i + 1) / n - f, f - i / n);
    }
    if (d > 1.6276 / Math.sqrt(n)) failures.push('ks'); // Kolmogorov's asymptotic 1% critical value
    return failures;
  }

  /** Phi(x) = erfc(-x / sqrt 2) / 2 with Numerical Recipes' erfc (fractional error below 1.2e-7). */
  function normalCdf(x: number): number {
    const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.5 * z);
    const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
      + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? 1 - erfc / 2 : erfc / 2;
  }

  it('10^6 gaussian entries pass mean, variance, skewness, kurtosis and Kolmogorov-Smirnov checks; wrong transforms fail them', () => {
    const n = 10 ** 6;
    const g = testMatrix('gaussian', 2024, 'test-a', n / 250, 250).data;
    expect(normalityFailures(g)).toEqual([]);
    // Negative controls on the same draws' scale: unit-variance uniforms (right mean and variance, wrong shape),
    // and Box-Muller with -1.9 ln u in place of -2 ln u (variance 0.95: a slightly wrong radius).
    const rng = seedrandom.xor128('controls');
    const uniform = new Float64Array(n), shrunk = new Float64Array(n);
    const cs = new Float64Array(2);
    for (let i = 0; i < n; i++) uniform[i] = (rng.double() - 0.5) * Math.sqrt(12);
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-1.9 * logUniform(rng.int32()));
      cosSinTurn(rng.int32(), cs);
      shrunk[i] = r * cs[0]; shrunk[i + 1] = r * cs[1];
    }
    expect(normalityFailures(uniform)).toEqual(expect.arrayContaining(['kurtosis', 'ks']));
    expect(normalityFailures(shrunk)).toEqual(expect.arrayContaining(['variance', 'ks']));
  });
});
