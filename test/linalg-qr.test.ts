import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { householderQr, qrR } from '../src/linalg/householder-qr.js';
import { orthonormalize } from '../src/linalg/orthonormalize.js';
import { createTsqr, tsqrMerge, tsqrUpdate } from '../src/linalg/tsqr.js';
import { svd } from '../src/linalg/svd.js';
import { fromSpectrum } from '../src/synthetic/from-spectrum.js';
import { frobeniusNorm, view, zeros } from '../src/matrix.js';
import { EPS, maxAbsDiff, mul, orthError, randomOfRank } from './helpers/linalg.js';

const shapes = fc.record({
  m: fc.integer({ min: 1, max: 60 }),
  n: fc.integer({ min: 1, max: 60 }),
  rankFrac: fc.constantFrom(1, 1, 0.5, 0),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

describe('householderQr', () => {
  it('gives orthonormal Q, upper triangular R with diag >= 0, and Q R = A (property, any shape and rank)', () => {
    fc.assert(fc.property(shapes, ({ m, n, rankFrac, seed }) => {
      const r = Math.floor(rankFrac * Math.min(m, n));
      const a = randomOfRank(m, n, r, seed);
      const { q, r: rf } = householderQr(a);
      const p = Math.min(m, n);
      expect([q.rows, q.cols, rf.rows, rf.cols]).toEqual([m, p, p, n]);
      expect(orthError(q)).toBeLessThan(10 * EPS * Math.max(m, n));
      for (let i = 0; i < p; i++) {
        expect(rf.data[i * n + i]).toBeGreaterThanOrEqual(0);
        for (let j = 0; j < Math.min(i, n); j++) expect(rf.data[i * n + j]).toBe(0);
      }
      const tol = 10 * EPS * Math.max(m, n) * Math.max(frobeniusNorm(a), 1e-300);
      expect(maxAbsDiff(mul(q, rf), a)).toBeLessThanOrEqual(tol);
    }), { numRuns: 80, seed: 11 });
  });

  it('handles the blocked path (n > panel width) and strided views', () => {
    const big = randomOfRank(300, 140, 140, 4);
    const a = view(big, 10, 200, 5, 100);
    const { q, r } = householderQr(a);
    expect(orthError(q)).toBeLessThan(50 * EPS * 200);
    expect(maxAbsDiff(mul(q, r), a)).toBeLessThan(10 * EPS * 200 * frobeniusNorm(a));
    expect(maxAbsDiff(qrR(a), r)).toBe(0);
  });

  it('qrR equals the R of householderQr', () => {
    const a = randomOfRank(50, 20, 20, 1);
    expect(maxAbsDiff(qrR(a), householderQr(a).r)).toBe(0);
  });
});

describe('orthonormalize', () => {
  it('orthonormal basis containing range(A), for well-conditioned, ill-conditioned and rank-deficient A', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.constantFrom(1, 1e4, 1e6, 3e7, 1e9, 1e14, Infinity), fc.integer({ min: 0, max: 1e6 }),
      (n, extra, kappa, seed) => {
        const m = n + extra;
        const sigma = Array.from({ length: n }, (_, i) => (kappa === Infinity ? (i < n / 2 ? 1 : 0) : Math.pow(kappa, -i / Math.max(n - 1, 1))));
        const a = fromSpectrum(m, n, sigma, seed).a;
        const q = orthonormalize(a);
        expect([q.rows, q.cols]).toEqual([m, n]);
        expect(orthError(q)).toBeLessThan(20 * EPS * m);
        // range(A) inside range(Q): A - Q Q^T A is at rounding level.
        const res = mul(q, mul(q, a, true, false));
        expect(maxAbsDiff(res, a)).toBeLessThan(50 * EPS * m * frobeniusNorm(a) + 1e-300);
      }), { numRuns: 60, seed: 12 });
  });

  it('takes the CholeskyQR2 path on well-conditioned tall input and matches Householder up to column signs', () => {
    const a = randomOfRank(2000, 30, 30, 3);
    const q = orthonormalize(a);
    const h = householderQr(a).q;
    // Same columns up to sign: |Q^T H| = I.
    const c = mul(q, h, true, false);
    for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) {
      expect(Math.abs(Math.abs(c.data[i * 30 + j]) - (i === j ? 1 : 0))).toBeLessThan(1e-12);
    }
  });

  it('refuses wide input', () => {
    expect(() => orthonormalize(zeros(3, 4))).toThrow(/rows >= columns/);
  });
});

describe('TSQR', () => {
  it('R after random block splits equals the R of the whole (diag >= 0), rows counted', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 700 }), fc.integer({ min: 0, max: 1e6 }),
      fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 20 }), fc.constantFrom(1, 0.5),
      (k, m, seed, cuts, rankFrac) => {
        const y = randomOfRank(m, k, Math.max(1, Math.floor(rankFrac * k)), seed);
        const st = createTsqr(k);
        let r0 = 0;
        for (const c of cuts) {
          const h = Math.min(c, m - r0);
          tsqrUpdate(st, view(y, r0, h));
          r0 += h;
        }
        tsqrUpdate(st, view(y, r0, m - r0));
        expect(st.rows).toBe(m);
        // R^T R = Y^T Y always (also for rank-deficient Y, where R itself is not unique).
        const g = mul(y, y, true, false), gr = mul(st.r, st.r, true, false);
        const scale = Math.max(frobeniusNorm(y) ** 2, 1e-300);
        expect(maxAbsDiff(g, gr)).toBeLessThan(20 * EPS * Math.max(m, k) * scale);
        if (rankFrac === 1 && m >= k) {
          const whole = qrR(y);
          expect(maxAbsDiff(st.r, whole)).toBeLessThan(1e-10 * Math.max(frobeniusNorm(y), 1));
        }
      }), { numRuns: 60, seed: 13 });
  });

  it('merge of shards equals one pass; blocks shorter than k are fine; the 256-row chunking is invisible', () => {
    const y = randomOfRank(1000, 16, 16, 7);
    const a = createTsqr(16), b = createTsqr(16), whole = createTsqr(16);
    tsqrUpdate(a, view(y, 0, 3));
    tsqrUpdate(a, view(y, 3, 600));
    tsqrUpdate(b, view(y, 603, 397));
    tsqrUpdate(whole, y);
    const merged = tsqrMerge(a, b);
    expect(merged.rows).toBe(1000);
    expect(maxAbsDiff(merged.r, whole.r)).toBeLessThan(1e-12 * frobeniusNorm(y));
    expect(maxAbsDiff(whole.r, qrR(y))).toBeLessThan(1e-12 * frobeniusNorm(y));
  });

  it('the blocked (GEMM) path for wide k and tall chunks agrees with the whole R, also for rank < k', () => {
    for (const [k, rank] of [[40, 40], [70, 70], [48, 20]] as const) {
      const y = randomOfRank(3000, k, rank, k);
      const st = createTsqr(k);
      let r0 = 0;
      for (const h of [1, 63, 64, 1500, 7, 300]) { tsqrUpdate(st, view(y, r0, h)); r0 += h; }
      tsqrUpdate(st, view(y, r0, 3000 - r0));
      const g = mul(y, y, true, false), gr = mul(st.r, st.r, true, false);
      expect(maxAbsDiff(g, gr)).toBeLessThan(1e-12 * frobeniusNorm(y) ** 2);
      if (rank === k) expect(maxAbsDiff(st.r, qrR(y))).toBeLessThan(1e-11 * frobeniusNorm(y));
    }
  });

  it('R has the singular values of Y', () => {
    const y = randomOfRank(500, 10, 10, 9);
    const st = createTsqr(10);
    tsqrUpdate(st, y);
    const s1 = svd(y, { vectors: false }).s, s2 = svd(st.r, { vectors: false }).s;
    for (let i = 0; i < 10; i++) expect(Math.abs(s1[i] - s2[i])).toBeLessThan(1e-13 * s1[0]);
  });

  it('rejects blocks with the wrong width and a bad k', () => {
    expect(() => tsqrUpdate(createTsqr(3), zeros(2, 4))).toThrow(/4 columns, expected 3/);
    expect(() => createTsqr(0)).toThrow(/positive integer/);
  });
});
