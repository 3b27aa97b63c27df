import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { svd } from '../src/linalg/svd.js';
import { spectralNorm } from '../src/linalg/spectral-norm.js';
import { denseOperator, differenceOperator } from '../src/linalg/linear-operator.js';
import { exactTruncatedSvd } from '../src/linalg/exact-svd.js';
import { polyDecay } from '../src/synthetic/poly-decay.js';
import { expDecay } from '../src/synthetic/exp-decay.js';
import { lowRankPlusNoise } from '../src/synthetic/low-rank-plus-noise.js';
import { haarOrthogonal } from '../src/synthetic/haar-orthogonal.js';
import { fromSpectrum } from '../src/synthetic/from-spectrum.js';
import { view } from '../src/matrix.js';
import { testMatrix } from '../src/random/test-matrix.js';
import { EPS, maxAbsDiff, orthError, randomOfRank, recompose } from './helpers/linalg.js';

describe('synthetic inputs (docs/METHODS.md §8)', () => {
  it('PolyDecay and ExpDecay have the stated diagonal spectra', () => {
    const p = polyDecay(50, 5, 2);
    expect(Array.from(p.sigma!.slice(0, 7))).toEqual([1, 1, 1, 1, 1, 1 / 4, 1 / 9]);
    expect(p.sigma![49]).toBeCloseTo(Math.pow(46, -2), 15);
    expect(p.a.data[6 * 50 + 6]).toBe(1 / 9);
    const e = expDecay(50, 10, 0.5);
    expect(e.sigma![10]).toBeCloseTo(Math.pow(10, -0.5), 15);
    expect(e.sigma![11]).toBeCloseTo(0.1, 15);
    expect(e.u).toBeNull();
  });

  it('rotated inputs are U diag(sigma) V^T with Haar U, V; the SVD recovers sigma exactly', () => {
    for (const syn of [polyDecay(80, 10, 1, { rotate: true, seed: 3 }), expDecay(80, 5, 0.1, { rotate: true, seed: 4 })]) {
      expect(orthError(syn.u!)).toBeLessThan(1e-13);
      expect(orthError(syn.v!)).toBeLessThan(1e-13);
      expect(maxAbsDiff(recompose(syn.u!, syn.sigma!, syn.v!), syn.a)).toBeLessThan(1e-14);
      const { s } = svd(syn.a, { vectors: false });
      for (let i = 0; i < 80; i++) expect(Math.abs(s[i] - syn.sigma![i])).toBeLessThan(100 * EPS);
    }
  });

  it('fromSpectrum works for any shape (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1e6 }), (m, n, seed) => {
      const p = Math.min(m, n);
      const sigma = Array.from({ length: p }, (_, i) => Math.pow(0.7, i) * (i % 3 === 2 ? 0 : 1));
      const syn = fromSpectrum(m, n, sigma, seed);
      const { s } = svd(syn.a, { vectors: false });
      for (let i = 0; i < p; i++) expect(Math.abs(s[i] - syn.sigma![i])).toBeLessThan(50 * EPS);
    }), { numRuns: 40, seed: 41 });
  });

  it('LowRank + noise is R unit directions plus a small PSD perturbation; rotation keeps its spectrum', () => {
    const plain = lowRankPlusNoise(60, 5, 1e-2, 7);
    const rot = lowRankPlusNoise(60, 5, 1e-2, 7, { rotate: true });
    expect(plain.sigma).toBeNull();
    const s1 = svd(plain.a, { vectors: false }).s, s2 = svd(rot.a, { vectors: false }).s;
    for (let i = 0; i < 60; i++) expect(Math.abs(s1[i] - s2[i])).toBeLessThan(1e-13);
    expect(s1[4]).toBeGreaterThan(1);
    expect(s1[5]).toBeLessThan(0.1);
    // symmetric by construction
    for (let i = 0; i < 60; i++) for (let j = 0; j < i; j++) expect(plain.a.data[i * 60 + j]).toBe(plain.a.data[j * 60 + i]);
  });

  it('haarOrthogonal is orthogonal, seeded, and has no sign bias (mean of diagonal entries ~ 0)', () => {
    const q = haarOrthogonal(40, 1);
    expect(orthError(q)).toBeLessThan(1e-13);
    expect(haarOrthogonal(40, 1).data).toEqual(q.data);
    let mean = 0;
    for (let seed = 0; seed < 50; seed++) { const h = haarOrthogonal(20, seed); for (let i = 0; i < 20; i++) mean += h.data[i * 20 + i]; }
    // Under Haar measure each diagonal entry has mean 0 and variance 1/20: the mean of 1000 is ~N(0, 5e-5).
    expect(Math.abs(mean / 1000)).toBeLessThan(0.04);
  });
});

describe('spectralNorm (Golub–Kahan–Lanczos)', () => {
  it('equals the SVD s[0] of dense matrices (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 1e6 }), (m, n, seed) => {
      const a = randomOfRank(m, n, Math.max(1, Math.floor(Math.min(m, n) / 2)), seed);
      const s0 = svd(a, { vectors: false }).s[0];
      expect(Math.abs(spectralNorm(denseOperator(a), { seed }) - s0)).toBeLessThan(1e-9 * s0);
    }), { numRuns: 40, seed: 42 });
  });

  it('measures the spectral error of a truncation through differenceOperator: ||A - [[A]]_r||_2 = sigma_{r+1}', () => {
    const syn = polyDecay(120, 5, 1, { rotate: true, seed: 9 });
    for (const r of [0, 3, 5, 10]) {
      const t = exactTruncatedSvd(syn.a, r);
      const err = spectralNorm(differenceOperator(syn.a, t.u, t.s, t.v));
      expect(Math.abs(err - syn.sigma![r])).toBeLessThan(1e-9 * syn.sigma![r]);
    }
  });

  it('differenceOperator works on strided views; a full-rank truncation leaves a zero operator', () => {
    const a = testMatrix('gaussian', 2, 'test-a', 30, 20);
    const sub = view(a, 5, 20, 2, 10);
    const t = exactTruncatedSvd(sub, 10);
    expect(spectralNorm(differenceOperator(sub, t.u, t.s, t.v))).toBeLessThan(1e-13);
  });
});
