import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { svd } from '../src/linalg/svd.js';
import { exactTruncatedSvd, numericalRank } from '../src/linalg/exact-svd.js';
import { fixSigns } from '../src/linalg/sign-fix.js';
import { spectralNorm } from '../src/linalg/spectral-norm.js';
import { denseOperator } from '../src/linalg/linear-operator.js';
import { orthonormalize } from '../src/linalg/orthonormalize.js';
import { NonFiniteError } from '../src/errors.js';
import type { Matrix64 } from '../src/matrix.js';
import { clone, frobeniusNorm, fromRows, transpose, zeros } from '../src/matrix.js';
import { fromSpectrum } from '../src/synthetic/from-spectrum.js';
import { EPS, maxAbsDiff, orthError, randomOfRank, recompose } from './helpers/linalg.js';

function checkSvd(a: Matrix64, tolFactor = 20): ReturnType<typeof svd> {
  const m = a.rows, n = a.cols, p = Math.min(m, n);
  const out = svd(a);
  const { u, s, v } = out;
  expect([u.rows, u.cols, v.rows, v.cols, s.length]).toEqual([m, p, n, p, p]);
  for (let i = 1; i < p; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
  for (let i = 0; i < p; i++) expect(s[i]).toBeGreaterThanOrEqual(0);
  const norm = Math.max(frobeniusNorm(a), 1e-300);
  expect(orthError(u)).toBeLessThan(tolFactor * EPS * Math.max(m, n) * 4);
  expect(orthError(v)).toBeLessThan(tolFactor * EPS * Math.max(m, n) * 4);
  expect(maxAbsDiff(recompose(u, s, v), a)).toBeLessThan(tolFactor * EPS * Math.max(m, n) * norm);
  // Deterministic signs: the largest-magnitude entry of each right vector is positive (the first on ties).
  for (let j = 0; j < p; j++) {
    let best = 0, val = 0;
    for (let i = 0; i < n; i++) { const x = v.data[i * p + j]; if (Math.abs(x) > best) { best = Math.abs(x); val = x; } }
    expect(val).toBeGreaterThanOrEqual(0);
  }
  return out;
}

describe('svd', () => {
  it('reconstructs A with orthonormal factors, sorted values, fixed signs (property: shapes 1 x n, n x 1, tall, wide, rank-deficient)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }), fc.constantFrom(1, 1, 0.5, 0.1, 0), fc.integer({ min: 0, max: 1e6 }),
      (m, n, frac, seed) => {
        checkSvd(randomOfRank(m, n, Math.floor(frac * Math.min(m, n)), seed));
      }), { numRuns: 100, seed: 31 });
  });

  it('blocked bidiagonalisation (n > 64): square, nearly square, rank-deficient, zero columns', () => {
    for (const [m, n, r] of [[150, 120, 120], [120, 150, 120], [130, 130, 40], [100, 159, 3], [97, 97, 97]] as const) {
      checkSvd(randomOfRank(m, n, r, m + n), 40);
    }
    const z = randomOfRank(140, 100, 100, 1);
    for (let i = 0; i < 140; i++) for (const j of [0, 33, 34, 99]) z.data[i * 100 + j] = 0;
    const { s } = checkSvd(z, 40);
    expect(s[95]).toBeGreaterThan(1);
    for (let i = 96; i < 100; i++) expect(s[i]).toBeLessThan(1e-13 * s[0]);
  });

  it('recovers prescribed spectra (clustered, repeated, zero, graded over 1e-15) to eps * sigma_1', () => {
    const spectra: number[][] = [
      [1, 1, 1, 1, 0.5, 0.5, 0, 0, 0],
      Array.from({ length: 30 }, (_, i) => Math.pow(10, -i / 2)),
      Array.from({ length: 20 }, (_, i) => 1 + 1e-12 * i),
      [3, 0, 0, 0, 0],
    ];
    for (const [idx, sigma] of spectra.entries()) {
      for (const [m, n] of [[sigma.length + 7, sigma.length], [sigma.length, sigma.length * 3], [sigma.length, sigma.length]]) {
        const syn = fromSpectrum(m!, n!, sigma, idx);
        const { s } = checkSvd(syn.a);
        for (let i = 0; i < sigma.length; i++) expect(Math.abs(s[i] - syn.sigma![i])).toBeLessThan(50 * EPS * syn.sigma![0]);
      }
    }
  });

  it('values-only equals the values of the full decomposition; wide is the transpose of tall', () => {
    const a = randomOfRank(70, 30, 30, 5);
    const full = svd(a), vals = svd(a, { vectors: false });
    expect(vals.u.cols).toBe(0);
    for (let i = 0; i < 30; i++) expect(Math.abs(full.s[i] - vals.s[i])).toBeLessThan(10 * EPS * full.s[0]);
    const t = svd(transpose(a));
    for (let i = 0; i < 30; i++) expect(Math.abs(full.s[i] - t.s[i])).toBeLessThan(10 * EPS * full.s[0]);
  });

  it('handles the zero matrix, empty shapes and refuses NaN', () => {
    const z = svd(zeros(4, 3));
    expect(Array.from(z.s)).toEqual([0, 0, 0]);
    expect(orthError(z.u)).toBeLessThan(1e-15);
    expect(svd(zeros(0, 3)).s.length).toBe(0);
    const bad = fromRows([[1, 2], [3, NaN]]);
    expect(() => svd(bad)).toThrow(NonFiniteError);
    expect(() => svd(bad)).toThrow(/row 1: value at column 1 is NaN/);
  });

  it('accepts float32 input (computed in float64) and entries near the overflow and underflow limits', () => {
    const a = randomOfRank(60, 25, 25, 12);
    const a32 = { ...a, data: Float32Array.from(a.data) };
    const ref = svd({ ...a, data: Float64Array.from(a32.data) }).s;
    const s32 = svd(a32).s;
    for (let i = 0; i < 25; i++) expect(s32[i]).toBe(ref[i]);
    for (const scale of [1e-300, 1e300]) {
      const scaled = { ...a, data: a.data.map((x) => x * scale) };
      const s = svd(scaled).s, base = svd(a).s;
      for (let i = 0; i < 25; i++) expect(Math.abs(s[i] / scale - base[i])).toBeLessThan(1e-13 * base[0]);
      expect(Math.abs(spectralNorm(denseOperator(scaled)) / scale - base[0])).toBeLessThan(1e-10 * base[0]);
      expect(orthError(orthonormalize(scaled))).toBeLessThan(1e-13);
    }
  });

  it('is deterministic: the same input gives bitwise the same factors', () => {
    const a = randomOfRank(40, 25, 25, 8);
    const x = svd(a), y = svd(clone(a));
    expect(x.u.data).toEqual(y.u.data);
    expect(x.v.data).toEqual(y.v.data);
  });
});

describe('fixSigns', () => {
  it('makes the largest |entry| of each u column positive and flips v with it', () => {
    const u = fromRows([[0.1, 0.6], [-0.9, -0.8]]), v = fromRows([[1, 2], [3, 4]]);
    fixSigns(u, v);
    expect(Array.from(u.data)).toEqual([-0.1, -0.6, 0.9, 0.8]);
    expect(Array.from(v.data)).toEqual([-1, -2, -3, -4]);
  });
});

describe('exactTruncatedSvd and numericalRank', () => {
  it('truncates to the leading triplets and gives the Eckart–Young error', () => {
    const sigma = [5, 4, 3, 2, 1, 0.5];
    const syn = fromSpectrum(30, 20, sigma, 2);
    const t = exactTruncatedSvd(syn.a, 3);
    expect([t.u.cols, t.v.cols, t.s.length]).toEqual([3, 3, 3]);
    const diff = clone(syn.a);
    const r = recompose(t.u, t.s, t.v);
    for (let i = 0; i < diff.data.length; i++) diff.data[i] -= r.data[i];
    expect(Math.abs(frobeniusNorm(diff) - Math.hypot(2, 1, 0.5))).toBeLessThan(1e-13);
    expect(() => exactTruncatedSvd(syn.a, 21)).toThrow(/rank must be an integer in \[0, 20\]/);
  });

  it('numericalRank uses max(m, n) * eps * s[0] (numpy matrix_rank) and an optional eps', () => {
    const s = [1, 1e-3, 1e-12, 1e-14];
    expect(numericalRank(s, 100, 10)).toBe(3); // tol = 100 * 2.2e-16
    expect(numericalRank(s, 100, 10, { eps: 2 ** -23 })).toBe(2);
    expect(numericalRank([0, 0], 2, 2)).toBe(0);
    expect(numericalRank(svd(randomOfRank(60, 40, 17, 3), { vectors: false }).s, 60, 40)).toBe(17);
  });
});
