/**
 * Issue "No silent wrong answers", class 2: where the a-posteriori error estimate is unreliable by
 * construction, it says so (src/sketch/estimate-reliability.ts, docs/METHODS.md §4).
 * - The law it relies on: P(0.8 <= sqrt(chi^2_nu / nu) <= 1.25) against exact values (scipy), and the
 *   effective number of directions read from Theta E against matrices whose d is known.
 * - Too few error-sketch rows for an error of one direction (q = 10: in range with probability 0.67)
 *   is flagged; the same input with the default q = 32 is not, and neither is q = 10 on an error that
 *   spreads over many directions (negative controls). q = 1 can never be trusted.
 * - An error below the rounding floor of the sketch (an exact recovery: the estimate read 2-3x the
 *   truth in float32) is flagged; the same shape with noise above the floor is not.
 */
import { describe, expect, it } from 'vitest';
import {
  createSketch, disposeSketch, estimateError, fromSpectrum, reconstruct, updateRows, type Matrix64, type SketchDType, type SketchMethod,
} from '../src/internals.js';
import { chiSquareRatioInside, effectiveDirections } from '../src/sketch/estimate-reliability.js';
import { testMatrix } from '../src/random/test-matrix.js';
import { relativeError } from './sketch-helpers.js';
import { errorPhrase, sketchErrorEstimate } from '../streams/cli/approx-result.js';

/** R signal directions of size 1, then a tail of `tail` on every other direction. */
function spectrum(n: number, R: number, tail: number): Float64Array {
  return Float64Array.from({ length: n }, (_, j) => (j < R ? 1 : tail));
}

function estimate(a: Matrix64, method: SketchMethod, rank: number, q: number | undefined, dtype: SketchDType = 'float64', seed = 1) {
  const st = createSketch({ cols: a.cols, rank, method, seed, dtype, ...(q !== undefined ? { errorSketchDim: q } : {}) });
  const block = dtype === 'float32' ? { ...a, data: Float32Array.from(a.data) } : a;
  updateRows(st, block, 0);
  const rec = reconstruct(st, { rank });
  const est = estimateError(st, rec);
  const a64 = dtype === 'float32' ? { ...a, data: Float64Array.from(Float32Array.from(a.data)) } : a;
  const truth = method === 'fd' ? projectionError(a64, rec.v) : relativeError(a64, rec);
  disposeSketch(st);
  return { est, ratio: est.relative / truth };
}

/** ||A - A V V^T||_F / ||A||_F: the error of Frequent Directions' U S V^T with U = A V S^-1 (its second pass). */
function projectionError(a: Matrix64, v: Matrix64): number {
  const { rows: m, cols: n } = a, r = v.cols;
  let e = 0, t = 0;
  const av = new Float64Array(r);
  for (let i = 0; i < m; i++) {
    av.fill(0);
    for (let j = 0; j < n; j++) for (let c = 0; c < r; c++) av[c] += a.data[i * n + j]! * v.data[j * v.stride + c]!;
    for (let j = 0; j < n; j++) {
      let x = a.data[i * n + j]!;
      t += x * x;
      for (let c = 0; c < r; c++) x -= av[c]! * v.data[j * v.stride + c]!;
      e += x * x;
    }
  }
  return Math.sqrt(e / t);
}

describe('the law the reliability is computed from', () => {
  it('P(0.8 <= sqrt(chi^2_nu / nu) <= 1.25) within 0.005 of the exact values', () => {
    // scipy.stats.chi2: cdf(1.5625 nu, nu) - cdf(0.64 nu, nu)
    const exact: [number, number][] = [[5, 0.5023], [10, 0.6697], [20, 0.8338], [29, 0.9046], [30, 0.9101], [32, 0.9201], [40, 0.9496], [100, 0.9978]];
    for (const [nu, p] of exact) expect(Math.abs(chiSquareRatioInside(nu, 0.64, 1.5625) - p), `nu = ${nu}`).toBeLessThan(0.005);
  });

  it('reads the effective number of directions of E from Theta E (q = 32)', () => {
    const q = 32, n = 60;
    for (const d of [1, 3, 10, 30]) {
      const found: number[] = [];
      for (let seed = 0; seed < 20; seed++) {
        // R = Theta E with E^T E having d unit eigenvalues (on the first d coordinates): q independent N(0, I_d) rows.
        const z = testMatrix('gaussian', 100 + seed, 'test-left', q, d);
        const r = new Float64Array(q * n);
        for (let i = 0; i < q; i++) for (let t = 0; t < d; t++) r[i * n + t] = z.data[i * d + t]!;
        found.push(effectiveDirections(r, q, n));
      }
      found.sort((x, y) => x - y);
      const median = found[10]!;
      expect(median, `d = ${d}`).toBeGreaterThan(0.7 * d);
      expect(median, `d = ${d}`).toBeLessThan(1.4 * d + 0.3);
    }
  });
});

describe('the estimate says when it cannot be trusted', () => {
  const m = 400, n = 40, R = 6;
  // Rank R - 1 leaves one residual direction (sigma = 1) over a small tail (1e-3 on 34 directions: 3% of the error energy).
  const one = fromSpectrum(m, n, spectrum(n, R, 1e-3 / Math.sqrt(n - R) * 0.5), 11).a;
  // Rank R leaves the flat tail: many directions.
  const many = fromSpectrum(m, n, spectrum(n, R, 0.05), 12).a;

  it('q = 10 and an error of one direction: flagged, with the reason (every method with an estimate)', () => {
    for (const method of ['three-sketch', 'two-sketch', 'rsvd'] as const) {
      for (let seed = 1; seed <= 5; seed++) {
        const { est } = estimate(one, method, R - 1, 10, 'float64', seed);
        expect(est.directions, `${method} seed ${seed}`).toBeLessThan(1.6);
        expect(est.reliable, `${method} seed ${seed}`).toBe(false);
        expect(est.inRangeProbability).toBeLessThan(0.9);
        expect(est.unreliable).toMatch(/10 rows .* probability 0\.\d\d/);
      }
    }
  });

  it('negative controls: the default q = 32 on the same input, and q = 10 on an error of many directions, are reliable', () => {
    for (const method of ['three-sketch', 'two-sketch', 'fd'] as const) {
      for (let seed = 1; seed <= 5; seed++) {
        const a = estimate(one, method, R - 1, undefined, 'float64', seed).est;
        expect(a.q).toBe(32);
        expect(a.reliable, `${method} seed ${seed}: ${a.unreliable}`).toBe(true);
        expect(a.unreliable).toBeUndefined();
        expect(a.inRangeProbability).toBeGreaterThanOrEqual(0.9);
        if (method !== 'fd') {
          const b = estimate(many, method, R, 10, 'float64', seed).est;
          expect(b.directions, `${method} seed ${seed}`).toBeGreaterThan(3);
          expect(b.reliable, `${method} seed ${seed}: ${b.unreliable}`).toBe(true);
        }
      }
    }
  });

  it('q = 1 is never reliable, whatever the error', () => {
    for (const a of [one, many]) {
      const { est } = estimate(a, 'three-sketch', R, 1);
      expect(est.reliable).toBe(false);
      expect(est.inRangeProbability).toBeLessThan(0.5);
    }
  });

  it('an error below the rounding floor (exact recovery) is flagged in float32 and float64; noise above it is not', () => {
    const exact = fromSpectrum(m, n, spectrum(n, R, 0), 13).a;
    const noisy = fromSpectrum(m, n, spectrum(n, R, 1e-3), 13).a;
    for (const dtype of ['float32', 'float64'] as const) for (const method of ['three-sketch', 'two-sketch'] as const) {
      const x = estimate(exact, method, R, undefined, dtype);
      expect(x.est.reliable, `${dtype} ${method}`).toBe(false);
      expect(x.est.relative).toBeLessThan(x.est.precisionFloor);
      expect(x.est.unreliable).toMatch(/precision floor/);
      const y = estimate(noisy, method, R, undefined, dtype);
      expect(y.est.reliable, `${dtype} ${method}: ${y.est.unreliable}`).toBe(true);
      expect(y.ratio).toBeGreaterThan(0.8);
      expect(y.ratio).toBeLessThan(1.25);
    }
    // What the floor guards against: in float32 the number itself is off by more than 1.25x.
    expect(estimate(exact, 'three-sketch', R, undefined, 'float32').ratio).toBeGreaterThan(1.25);
  });
});

describe('the command line says so instead of a number', () => {
  const m = 400, n = 40, R = 6;
  it('JSON fields null with the reason, and the summary phrase; a reliable estimate keeps its number (negative control)', () => {
    const one = fromSpectrum(m, n, spectrum(n, R, 1e-3 / Math.sqrt(n - R) * 0.5), 11).a;
    const flagged = estimate(one, 'three-sketch', R - 1, 10).est;
    const j = sketchErrorEstimate(flagged, 1, 1, (x) => x);
    expect(j).toMatchObject({ frobenius: null, relative: null, kind: 'sketch', reliable: false, q: 10 });
    expect(j.unreliable).toMatch(/probability/);
    expect(j.atMostRelative).toBeUndefined();
    expect(errorPhrase(j)).toMatch(/^not estimated \(no reliable estimate: the error sketch has 10 rows/);
    const exact = fromSpectrum(m, n, spectrum(n, R, 0), 13).a;
    const floor = sketchErrorEstimate(estimate(exact, 'three-sketch', R, undefined).est, 1, 1, (x) => x);
    expect(floor.frobenius).toBeNull();
    expect(floor.atMostRelative!).toBeLessThan(1e-12);
    expect(errorPhrase(floor)).toMatch(/^below about \d\.\de-\d+ of \|\|A\|\|_F/);
    const good = estimate(one, 'three-sketch', R - 1, undefined).est;
    const g = sketchErrorEstimate(good, 1, 1, (x) => x);
    expect(g.reliable).toBe(true);
    expect(g.frobenius).toBe(good.frobenius);
    expect(errorPhrase(g)).toMatch(/^~ .* q = 32: within \[0\.8, 1\.25\] of the truth with probability 0\.9\d\)$/);
  });
});
