import { describe, expect, it } from 'vitest';
import { fromSpectrum } from '../src/synthetic/from-spectrum.js';
import { transpose } from '../src/matrix.js';
import { svd } from '../src/linalg/svd.js';
import { randomizedSubspaceIteration } from '../src/multipass/randomized-subspace-iteration.js';
import { rsvd } from '../src/multipass/rsvd.js';
import { anyViews } from '../src/multipass/any-views.js';
import { blockKrylov } from '../src/multipass/block-krylov.js';
import { ArgumentError } from '../src/errors.js';
import { maxAbsDiff, normalizedSpectralError } from './helpers/normalized-error.js';

/** 200 x 90 with sigma_j = j^-1 (slow decay, controlled spectrum). */
function slow() {
  const sigma = Float64Array.from({ length: 90 }, (_, j) => 1 / (j + 1));
  return fromSpectrum(200, 90, sigma, 7);
}

describe('in-memory multi-pass references', () => {
  it('recover an exactly rank-r input to rounding (q = 0, 1; block Krylov; any views)', () => {
    const sigma = Float64Array.from({ length: 8 }, (_, j) => 2 ** -j);
    const { a } = fromSpectrum(120, 60, sigma, 3);
    for (const f of [
      rsvd(a, { rank: 8, oversamples: 4 }),
      randomizedSubspaceIteration(a, { rank: 8, powerIterations: 1 }),
      blockKrylov(a, { rank: 8, oversamples: 2, krylovDepth: 2 }),
      anyViews(a, { rank: 8, views: 1 }), anyViews(a, { rank: 8, views: 3 }),
    ]) {
      for (let j = 0; j < 8; j++) expect(Math.abs(f.s[j] - sigma[j])).toBeLessThan(1e-12);
      // the tolerance is c * eps * ||A|| with c ~ 100 (products and QRs of 120 x 12 blocks)
      expect(normalizedSpectralError(a, f, 1)).toBeLessThan(1e-12);
    }
  });

  it('RSI equals the any-views scheme with v = 2q + 2 views', () => {
    const { a } = slow();
    for (const q of [0, 1, 2]) {
      const x = randomizedSubspaceIteration(a, { rank: 10, oversamples: 5, powerIterations: q, seed: 11 });
      const y = anyViews(a, { rank: 10, oversamples: 5, views: 2 * q + 2, seed: 11 });
      expect(maxAbsDiff(x.v, y.v)).toBeLessThan(1e-10);
      expect(maxAbsDiff(x.u, y.u)).toBeLessThan(1e-10);
    }
  });

  it('more views, odd ones included, lower the error on a slow spectrum (mean of 4 seeds)', () => {
    const { a, sigma } = slow();
    const r = 10;
    const err = [1, 2, 3, 4, 5, 6].map((views) => {
      let e = 0;
      for (let seed = 0; seed < 4; seed++) e += normalizedSpectralError(a, anyViews(a, { rank: r, oversamples: 5, views, seed }), sigma![r]);
      return e / 4;
    });
    for (let v = 2; v < err.length; v++) expect(err[v]).toBeLessThan(err[v - 1] * 1.02);
    expect(err[5]).toBeLessThan(1.1);
    expect(err[1]).toBeGreaterThan(1.3);
  });

  it('block Krylov at depth q beats RSI with q iterations at the same block width (slow spectrum)', () => {
    const { a, sigma } = slow();
    const r = 10;
    let ek = 0, er = 0;
    for (let seed = 0; seed < 4; seed++) {
      ek += normalizedSpectralError(a, blockKrylov(a, { rank: r, oversamples: 0, krylovDepth: 2, seed }), sigma![r]);
      er += normalizedSpectralError(a, randomizedSubspaceIteration(a, { rank: r, oversamples: 0, powerIterations: 2, seed }), sigma![r]);
    }
    expect(ek).toBeLessThan(er);
  });

  it('is deterministic for a seed, with signs fixed on V', () => {
    const { a } = slow();
    const x = randomizedSubspaceIteration(a, { rank: 5, seed: 3 });
    const y = randomizedSubspaceIteration(a, { rank: 5, seed: 3 });
    expect(maxAbsDiff(x.u, y.u)).toBe(0);
    for (let j = 0; j < 5; j++) {
      let best = 0;
      for (let i = 0; i < x.v.rows; i++) if (Math.abs(x.v.data[i * 5 + j]) > Math.abs(best)) best = x.v.data[i * 5 + j];
      expect(best).toBeGreaterThan(0);
    }
  });

  it('column orientation: RSI of A^T is RSI of A with the roles of U and V swapped (same span rule)', () => {
    const { a } = slow();
    const x = randomizedSubspaceIteration(transpose(a), { rank: 6, powerIterations: 3, seed: 1 });
    const exact = svd(a);
    for (let j = 0; j < 6; j++) expect(Math.abs(x.s[j] - exact.s[j]) / exact.s[j]).toBeLessThan(1e-3);
  });

  it('refuses bad options with the option named', () => {
    const { a } = slow();
    expect(() => randomizedSubspaceIteration(a, { rank: 0 })).toThrow(ArgumentError);
    expect(() => randomizedSubspaceIteration(a, { rank: 91 })).toThrow(/rank 91 exceeds min\(rows, cols\) = 90/);
    expect(() => randomizedSubspaceIteration(a, { rank: 5, powerIterations: -1 })).toThrow(/powerIterations/);
    expect(() => anyViews(a, { rank: 5, views: 0 })).toThrow(/views/);
    expect(() => blockKrylov(a, { rank: 20, oversamples: 10, krylovDepth: 3 })).toThrow(/krylovDepth <= 2/);
  });
});
