/**
 * Issue 10, class 6, in src/linalg: subnormal inputs made `1 / scale` Infinity in every Householder
 * reflector (TypeScript and WebAssembly TSQR, QR, bidiagonalisation) and in the bidiagonal QR's
 * normalisation, so `svd` of a subnormal matrix "did not converge" and the sketch's TSQR factor was
 * NaN; sums of squares of user data overflowed near 1e300 and underflowed to 0 near 1e-300. Each
 * case failed on main.
 */
import { describe, expect, it } from 'vitest';
import { addSquares, createSumSquares, createTsqr, householderQr, isZeroSum, normOf, orthonormalize, residualNorm, safeNorm, svd, tsqrUpdate } from '../src/linalg/index.js';
import type { Matrix64 } from '../src/matrix.js';
import { hasNumpy, runNumpy } from './helpers/numpy.js';
import { testValues } from './helpers/collect-rows.js';

const m = 40, n = 6;
/** Entries k 2^-20, |k| < 2^21: exactly representable after a scaling by 2^-1050 (subnormal). */
const base = testValues(m, n, 5).map((x) => Math.round(x * 2 ** 20) / 2 ** 20);
const scaled = (k: number): Matrix64 => ({ rows: m, cols: n, data: base.map((x) => x * 2 ** (k / 2) * 2 ** (k / 2)), offset: 0, stride: n });

describe('subnormal and huge matrices in src/linalg', () => {
  const ref = svd(scaled(0));
  for (const k of [-1050, -1000, 1000]) {
    it(`svd of 2^${k} A: 2^${k} times the singular values of A, orthonormal factors`, () => {
      const got = svd(scaled(k));
      const tol = k < -1022 ? 1e-6 : 1e-13;
      got.s.forEach((s, j) => expect(Math.abs(s / 2 ** (k / 2) / 2 ** (k / 2) - ref.s[j])).toBeLessThanOrEqual(tol * ref.s[0]));
      for (const f of [got.u, got.v]) {
        for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
          let d = 0;
          for (let i = 0; i < f.rows; i++) d += f.data[i * n + a] * f.data[i * n + b];
          expect(Math.abs(d - (a === b ? 1 : 0))).toBeLessThan(k < -1022 ? 1e-5 : 1e-12);
        }
      }
    });

    it(`TSQR, Householder QR and orthonormalize of 2^${k} A stay finite and orthonormal`, () => {
      const a = scaled(k);
      const ts = createTsqr(n);
      tsqrUpdate(ts, a);
      expect(ts.r.data.every(Number.isFinite)).toBe(true);
      const r0 = createTsqr(n);
      tsqrUpdate(r0, scaled(0));
      const tol = k < -1022 ? 1e-6 : 1e-12;
      for (let t = 0; t < n * n; t++) expect(Math.abs(ts.r.data[t] / 2 ** (k / 2) / 2 ** (k / 2) - r0.r.data[t])).toBeLessThanOrEqual(tol * r0.r.data[0]);
      for (const q of [householderQr(a).q, orthonormalize(a)]) {
        expect(q.data.every(Number.isFinite)).toBe(true);
        let d = 0;
        for (let i = 0; i < m; i++) d += q.data[i * n] * q.data[i * n];
        expect(d).toBeCloseTo(1, k < -1022 ? 4 : 10);
      }
    });
  }

  it.skipIf(!hasNumpy())('svd of a subnormal rank-2 matrix matches numpy (main: did not converge)', () => {
    const out = runNumpy(
      'a = np.full((50, 8), 1e-310); a[:, 0] *= np.arange(1, 51); out = np.concatenate([a.ravel(), np.linalg.svd(a, compute_uv=False)])',
    );
    const a: Matrix64 = { rows: 50, cols: 8, data: out.slice(0, 400), offset: 0, stride: 8 };
    const s = svd(a).s;
    const want = out.slice(400);
    for (let j = 0; j < 8; j++) expect(Math.abs(s[j] - want[j])).toBeLessThanOrEqual(1e-6 * want[0]);
  });
});

describe('sums of squares of user data', () => {
  it('does not overflow near 1e300 nor underflow near 1e-300, and is exactly zero only for zeros', () => {
    for (const f of [1e300, 1e-300, 2 ** -1060, 1]) {
      const acc = createSumSquares();
      const x = base.map((v) => v * f);
      addSquares(acc, x, 0, 100);
      addSquares(acc, x, 100, x.length - 100);
      let plain = 0;
      for (const v of base) plain += v * v;
      expect(normOf(acc) / f).toBeCloseTo(Math.sqrt(plain), f < 1e-310 ? 3 : 10);
      expect(safeNorm(Float64Array.from(x), 0, 1, x.length) / f).toBeCloseTo(Math.sqrt(plain), f < 1e-310 ? 3 : 10);
      expect(isZeroSum(acc)).toBe(false);
      // The residual of a projection: ||A||^2 - s1^2 in the same scaled representation.
      if (f > 1e-310) expect(residualNorm(acc, [normOf(acc)])).toBeLessThan(1e-7 * normOf(acc));
    }
    const z = createSumSquares();
    addSquares(z, new Float64Array(10), 0, 10);
    expect(isZeroSum(z)).toBe(true);
    expect(normOf(z)).toBe(0);
  });
});
