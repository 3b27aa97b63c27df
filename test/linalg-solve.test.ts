import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { solveTriangular } from '../src/linalg/triangular-solve.js';
import { invertUpperTriangular } from '../src/linalg/triangular-inverse.js';
import { pinvSolve } from '../src/linalg/pinv-solve.js';
import { rangeBasisFromR } from '../src/linalg/range-basis-from-r.js';
import { lstsq } from '../src/linalg/lstsq.js';
import { qrR } from '../src/linalg/householder-qr.js';
import { choleskyUpper } from '../src/linalg/cholesky.js';
import { svd } from '../src/linalg/svd.js';
import { numericalRank } from '../src/linalg/exact-svd.js';
import { NumericError } from '../src/errors.js';
import { clone, fromRows, frobeniusNorm, identity, zeros } from '../src/matrix.js';
import { testMatrix } from '../src/random/test-matrix.js';
import { EPS, maxAbsDiff, mul, orthError, randomOfRank } from './helpers/linalg.js';

/** A well-conditioned triangular matrix (unit-ish diagonal dominance). */
function triangle(n: number, upper: boolean, seed: number) {
  const t = testMatrix('gaussian', seed, 'test-a', n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (upper ? j < i : j > i) t.data[i * n + j] = 0;
    else t.data[i * n + j] *= 0.3;
  }
  for (let i = 0; i < n; i++) t.data[i * n + i] = 2 + Math.abs(t.data[i * n + i]);
  return t;
}

describe('solveTriangular', () => {
  it('solves all eight (side, upper, trans) combinations in place', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 20 }), fc.boolean(), fc.boolean(), fc.constantFrom<'left' | 'right'>('left', 'right'),
      fc.integer({ min: 0, max: 1e6 }),
      (n, r, upper, trans, side, seed) => {
        const t = triangle(n, upper, seed);
        const opT = trans ? mul(t, identity(n), true, false) : t;
        const x = testMatrix('gaussian', seed, 'test-x', side === 'left' ? n : r, side === 'left' ? r : n);
        const b = side === 'left' ? mul(opT, x) : mul(x, opT);
        solveTriangular(t, b, { upper, side, trans });
        expect(maxAbsDiff(b, x)).toBeLessThan(1e3 * EPS * n * frobeniusNorm(x));
      }), { numRuns: 120, seed: 21 });
  });

  it('reads only its triangle and throws NumericError naming the zero pivot', () => {
    const t = fromRows([[2, 1, 1], [99, 0, 1], [99, 99, 4]]);
    const b = fromRows([[1], [2], [3]]);
    let err: unknown;
    try { solveTriangular(t, b, { upper: true, side: 'left' }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(NumericError);
    expect((err as NumericError).code).toBe('NUMERIC');
    expect((err as Error).message).toMatch(/T\[1, 1\] = 0/);
    const u = fromRows([[2, 1], [99, 4]]);
    const c = fromRows([[3], [4]]);
    solveTriangular(u, c, { upper: true, side: 'left' });
    expect(Array.from(c.data)).toEqual([1, 1]);
  });

  it('explicit triangular inverse matches the solve', () => {
    const t = triangle(25, true, 3);
    const inv = invertUpperTriangular(t);
    expect(maxAbsDiff(mul(t, inv), identity(25))).toBeLessThan(1e-13);
  });

  it('Cholesky reproduces an SPD matrix and refuses an indefinite one', () => {
    const a = testMatrix('gaussian', 4, 'test-a', 40, 12);
    const g = mul(a, a, true, false);
    const r = clone(g);
    expect(choleskyUpper(r)).toBe(true);
    expect(maxAbsDiff(mul(r, r, true, false), g)).toBeLessThan(1e-12 * frobeniusNorm(g));
    expect(choleskyUpper(fromRows([[1, 2], [2, 1]]))).toBe(false);
  });
});

describe('rank-deficient policy: pinvSolve and rangeBasisFromR', () => {
  it('pinvSolve equals the triangular solve for full-rank R, both sides', () => {
    const r = triangle(12, true, 5);
    const b = testMatrix('gaussian', 5, 'test-b', 7, 12);
    const x = clone(b);
    solveTriangular(r, x, { upper: true, side: 'right' });
    const p = pinvSolve(r, b, { side: 'right' });
    expect(p.rank).toBe(12);
    expect(maxAbsDiff(p.x, x)).toBeLessThan(1e-12 * frobeniusNorm(x));
    const bl = testMatrix('gaussian', 5, 'test-c', 12, 3);
    const xl = clone(bl);
    solveTriangular(r, xl, { upper: true, side: 'left' });
    expect(maxAbsDiff(pinvSolve(r, bl, { side: 'left' }).x, xl)).toBeLessThan(1e-12 * frobeniusNorm(xl));
  });

  it('Y M is an orthonormal basis of range(Y) when Y (hence its streamed R) has rank < k', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 20 }), fc.integer({ min: 0, max: 1e6 }), (k, seed) => {
      const rank = 1 + (seed % (k - 1));
      const y = randomOfRank(200, k, rank, seed);
      const { m, rank: found } = rangeBasisFromR(qrR(y));
      expect(found).toBe(rank);
      const q = mul(y, m);
      expect(orthError(q)).toBeLessThan(1e-10);
      expect(maxAbsDiff(mul(q, mul(q, y, true, false)), y)).toBeLessThan(1e-12 * frobeniusNorm(y));
    }), { numRuns: 40, seed: 22 });
  });
});

describe('lstsq', () => {
  it('agrees with the normal equations on well-conditioned tall input', () => {
    const a = testMatrix('gaussian', 6, 'test-a', 80, 10), b = testMatrix('gaussian', 6, 'test-b', 80, 3);
    const x = lstsq(a, b);
    // Normal equations (A^T A) x = A^T b solved by Cholesky.
    const g = mul(a, a, true, false), rhs = mul(a, b, true, false);
    choleskyUpper(g);
    solveTriangular(g, rhs, { upper: true, side: 'left', trans: true });
    solveTriangular(g, rhs, { upper: true, side: 'left' });
    expect(maxAbsDiff(x, rhs)).toBeLessThan(1e-12 * frobeniusNorm(rhs));
  });

  it('gives the minimum-norm solution for rank-deficient and wide A', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 25 }), fc.integer({ min: 0, max: 1e6 }),
      (m, n, seed) => {
        const r = 1 + (seed % Math.min(m, n));
        const a = randomOfRank(m, n, r, seed);
        const b = testMatrix('gaussian', seed, 'test-b', m, 2);
        const x = lstsq(a, b);
        // Optimality: A^T (A x - b) = 0. Minimum norm: x lies in the row space of A, i.e.
        // x = V_r V_r^T x with V_r the leading right singular vectors.
        const res = mul(a, x);
        for (let i = 0; i < res.data.length; i++) res.data[i] -= b.data[i];
        const scale = frobeniusNorm(a) * (frobeniusNorm(a) * frobeniusNorm(x) + frobeniusNorm(b));
        expect(frobeniusNorm(mul(a, res, true, false))).toBeLessThan(1e-10 * scale);
        const { s: sv, v } = svd(a);
        const rank = numericalRank(sv, m, n);
        expect(rank).toBe(r);
        const vr = zeros(n, rank);
        for (let i = 0; i < n; i++) for (let j = 0; j < rank; j++) vr.data[i * rank + j] = v.data[i * v.cols + j];
        const px = mul(vr, mul(vr, x, true, false));
        expect(maxAbsDiff(px, x)).toBeLessThan(1e-9 * (frobeniusNorm(x) + 1e-300));
      }), { numRuns: 60, seed: 23 });
  });

  it('rejects mismatched right-hand sides', () => {
    expect(() => lstsq(zeros(4, 2), zeros(3, 1))).toThrow(/3 rows, expected 4/);
  });
});
