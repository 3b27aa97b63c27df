/**
 * A-posteriori error estimate [TYUC19 §6]: over 100 seeds with an error sketch of q = 10 rows, the
 * estimate of ||A - A_hat_r||_F lies within [0.8, 1.25] of the true error in at least 90% of them.
 * Input: 150 x 60 with Haar singular vectors and sigma_j = j^-1 (PolyDecay-like, p = 1, R = 1), rank 5
 * target; the true error comes from U formed from the in-memory spill. Also checks ||A||_F, the
 * scree bounds bracketing the truth, and the automatic rank choice.
 */
import { describe, expect, it } from 'vitest';
import { fromSpectrum } from '../src/synthetic/index.js';
import { frobeniusNorm } from '../src/matrix.js';
import { chooseRank, createSketch, estimateError, reconstruct, screeBounds, updateRows } from '../src/internals.js';
import { relativeError } from './sketch-helpers.js';

const m = 150, n = 60, r = 5;
const sigma = Float64Array.from({ length: n }, (_, j) => 1 / (j + 1));
const { a } = fromSpectrum(m, n, sigma, 17);
const normA = frobeniusNorm(a);

describe('a-posteriori error estimate', () => {
  it('lies within [0.8, 1.25] of the true Frobenius error in >= 90% of 100 seeds (q = 10)', () => {
    let inside = 0;
    const normRatios: number[] = [];
    const ratios: number[] = [];
    for (let seed = 0; seed < 100; seed++) {
      for (const testMatrix of ['gaussian'] as const) {
        const st = createSketch({ cols: n, rank: r, seed, testMatrix, errorSketchDim: 10 });
        updateRows(st, a, 0);
        const rec = reconstruct(st);
        const truth = relativeError(a, rec) * normA;
        const est = estimateError(st, rec);
        const ratio = est.frobenius / truth;
        ratios.push(ratio);
        if (ratio >= 0.8 && ratio <= 1.25) inside++;
        normRatios.push(est.normA / normA);
      }
    }
    ratios.sort((x, y) => x - y);
    // Report the spread (visible with --reporter verbose).
    console.info(`error-estimate ratio: 5% ${ratios[5].toFixed(3)}, median ${ratios[50].toFixed(3)}, 95% ${ratios[94].toFixed(3)}; inside [0.8, 1.25]: ${inside}/100`);
    expect(inside).toBeGreaterThanOrEqual(90);
    // ||A||_F is dominated by sigma_1 here (energy in few directions), so its estimate is a
    // chi^2 with few effective degrees of freedom: unbiased in the square, but wider. Check the median.
    normRatios.sort((x, y) => x - y);
    expect(normRatios[50]).toBeGreaterThan(0.85);
    expect(normRatios[50]).toBeLessThan(1.15);
  });

  it('scree bounds bracket the unexplained energy, and chooseRank meets its tolerance', () => {
    const st = createSketch({ cols: n, rank: r, seed: 3, rangeDim: 25, coreDim: 51 });
    updateRows(st, a, 0);
    const { lower, upper, normA: boundNorm, normMeasured } = screeBounds(st);
    // The bounds are fractions of ||A||_F^2 as the record measured it in its pass (every row whole
    // and once here), not of the error sketch's estimate of it.
    expect(normMeasured).toBe(true);
    expect(Math.abs(boundNorm / normA - 1)).toBeLessThan(1e-12);
    expect(Math.abs(estimateError(st).normA / normA - 1)).toBeGreaterThan(1e-6); // the estimate is another number
    const energy = (rr: number) => relativeError(a, reconstruct(st, { rank: rr })) ** 2;
    for (let rr = 1; rr <= 10; rr++) {
      expect(lower[rr]).toBeLessThanOrEqual(upper[rr]);
      expect(energy(rr)).toBeGreaterThanOrEqual(lower[rr] * 0.95);
      expect(energy(rr)).toBeLessThanOrEqual(upper[rr]);
    }
    const choice = chooseRank(st, 0.6);
    expect(choice.met).toBe(true);
    expect(Math.sqrt(energy(choice.rank))).toBeLessThanOrEqual(0.6);
    // Minimality against the bound: one rank fewer does not meet the upper bound.
    if (choice.rank > 1) expect(upper[choice.rank - 1]).toBeGreaterThan(0.36);
    expect(chooseRank(st, 0.01).met).toBe(false);
    expect(() => chooseRank(st, 0)).toThrow(/tolerance/);
  });
});
