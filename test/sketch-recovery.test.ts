/**
 * Exact recovery [TYUC19 §5, Thm. 5.1 with tau_{r+1} = 0]: an input of rank <= k is reproduced to
 * rounding by every linear method and test-matrix family, from the sketch and the spill alone;
 * a negative control (rank > k) is not. Tolerance 1e-10 relative: the reconstruction is a handful
 * of backward-stable QR/SVD/solves on matrices with condition number at most ~1e3 here, so the
 * expected error is c * eps * kappa ~ 1e-13; 1e-10 leaves room without hiding a real defect (a wrong
 * formula gives O(1)).
 */
import { describe, expect, it } from 'vitest';
import { fromRows, transpose, zeros } from '../src/matrix.js';
import {
  createSketch, updateColumns, updateEntries, updateLinear, updateRows, reconstruct, lowRankFactors, estimateError,
} from '../src/internals.js';
import { svd } from '../src/linalg/svd.js';
import { field, lowRank, relativeError, relDiff, rowsOf } from './sketch-helpers.js';

const methods = ['three-sketch', 'two-sketch'] as const;
const families = ['gaussian', 'sparse-sign'] as const;

describe('exact recovery of inputs of rank <= k', () => {
  for (const method of methods) for (const testMatrix of families) for (const center of [false, true]) {
    it(`${method}, ${testMatrix}${center ? ', centered' : ''}`, () => {
      const m = 260, n = 90, k = 12;
      for (const rank of [3, k]) { // A - 1 mu^T = (L - 1 mean(L)) R^T keeps rank <= rank
        const a = lowRank(m, n, rank, 11 + rank);
        const st = createSketch({ cols: n, rank: 2, method, testMatrix, seed: 4, center, rangeDim: k, ...(method === 'three-sketch' ? { coreDim: 2 * k + 1 } : { coRangeDim: 2 * k + 1 }) });
        // Uneven blocks out of order: block size and order must not matter.
        updateRows(st, rowsOf(a, 100, 160), 100);
        updateRows(st, rowsOf(a, 0, 37), 0);
        updateRows(st, rowsOf(a, 37, 63), 37);
        const rec = reconstruct(st, { rank: k });
        expect(relativeError(a, rec)).toBeLessThan(1e-10);
        // The error estimate sees the same: tiny relative error.
        expect(estimateError(st).relative).toBeLessThan(1e-10);
        const f = lowRankFactors(st);
        expect(f.q!.cols).toBe(rank); // rank-revealing range basis
      }
    });
  }

  it('negative control: an input of rank k + 8 is not recovered (the test is not vacuous)', () => {
    const m = 200, n = 80, k = 12;
    const a = lowRank(m, n, k + 8, 5);
    for (const method of methods) {
      const st = createSketch({ cols: n, rank: 2, method, seed: 1, rangeDim: k, ...(method === 'three-sketch' ? { coreDim: 25 } : { coRangeDim: 25 }) });
      updateRows(st, a, 0);
      expect(relativeError(a, reconstruct(st, { rank: k }))).toBeGreaterThan(1e-2);
    }
  });

  it('float32 blocks give the float32-rounded input back', () => {
    const m = 150, n = 60, a = lowRank(m, n, 4, 8);
    const a32 = { rows: m, cols: n, data: Float32Array.from(a.data), offset: 0, stride: n };
    const st = createSketch({ cols: n, rank: 4, seed: 2 });
    updateRows(st, a32, 0);
    const a64 = { rows: m, cols: n, data: Float64Array.from(a32.data), offset: 0, stride: n };
    // The float32 values are exactly a rank-<=60 matrix, not rank 4: compare with its rounding error.
    expect(relativeError(a64, reconstruct(st, { rank: 4 }))).toBeLessThan(1e-6);
  });

  it('column blocks: a column stream of A is the row stream of A^T (U and V swap)', () => {
    const m = 70, n = 150, a = lowRank(m, n, 5, 3);
    const byCols = createSketch({ cols: m, rank: 5, seed: 7 });
    updateColumns(byCols, { ...a, cols: 100 }, 0);
    updateColumns(byCols, { rows: m, cols: 50, data: a.data, offset: 100, stride: n }, 100);
    const byRows = createSketch({ cols: m, rank: 5, seed: 7 });
    updateRows(byRows, transpose(a), 0);
    expect(relDiff(field(byRows, 'core'), field(byCols, 'core'))).toBeLessThan(1e-14);
    const rec = reconstruct(byCols, { rank: 5 });
    expect(relativeError(transpose(a), rec)).toBeLessThan(1e-10);
  });

  it('COO entries and general linear updates land on the same sketch as the dense rows', () => {
    const m = 120, n = 40, a = lowRank(m, n, 4, 21);
    for (const method of methods) for (const testMatrix of families) {
      const o = { cols: n, rank: 4, method, testMatrix, seed: 3 };
      const dense = createSketch(o);
      updateRows(dense, a, 0);
      const coo = createSketch(o);
      const I: number[] = [], J: number[] = [], V: number[] = [];
      for (let i = m - 1; i >= 0; i--) for (let j = 0; j < n; j++) { I.push(i); J.push(j); V.push(a.data[i * n + j]); }
      updateEntries(coo, I, J, V);
      expect(relDiff(field(dense, 'coRange'), field(coo, 'coRange'))).toBeLessThan(1e-13);
      expect(relDiff(field(dense, 'core'), field(coo, 'core'))).toBeLessThan(1e-13);
      expect(relDiff(field(dense, 'errorSketch'), field(coo, 'errorSketch'))).toBeLessThan(1e-13);
      expect(coo.rangeRValid).toBe(false); // rebuilt from the spill
      expect(relativeError(a, reconstruct(coo, { rank: 4 }))).toBeLessThan(1e-10);

      // A <- 2 A + 0.5 A = 2.5 A (dense H), then + left right^T (low-rank H) -> rank 5.
      const lin = createSketch(o);
      updateRows(lin, a, 0);
      updateLinear(lin, 2, 0.5, a);
      const left = lowRank(m, 1, 1, 9), right = lowRank(n, 1, 1, 10);
      updateLinear(lin, 1, 1, { left, right });
      const target = zeros(m, n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) target.data[i * n + j] = 2.5 * a.data[i * n + j] + left.data[i] * right.data[j];
      const direct = createSketch(o);
      updateRows(direct, target, 0);
      expect(relDiff(field(direct, 'coRange'), field(lin, 'coRange'))).toBeLessThan(1e-13);
      expect(relDiff(field(direct, 'core'), field(lin, 'core'))).toBeLessThan(1e-13);
      expect(relativeError(target, reconstruct(lin, { rank: 5 }))).toBeLessThan(1e-10);
    }
  });

  it('Frequent Directions: exact on inputs of rank < l, and within its covariance bound otherwise', () => {
    const m = 300, n = 50;
    const a = lowRank(m, n, 6, 2);
    const st = createSketch({ cols: n, rank: 6, method: 'fd', coRangeDim: 8 });
    for (let r0 = 0; r0 < m; r0 += 29) updateRows(st, rowsOf(a, r0, Math.min(29, m - r0)), r0);
    const rec = reconstruct(st, { rank: 6 });
    expect(rec.uFrom).toBe('input');
    // U by a second pass: U = A uRight.
    const u = zeros(m, 6);
    for (let i = 0; i < m; i++) for (let j = 0; j < 6; j++) { let t = 0; for (let p = 0; p < n; p++) t += a.data[i * n + p] * rec.uRight.data[p * 6 + j]; u.data[i * 6 + j] = t; }
    expect(relativeError(a, { ...rec, u })).toBeLessThan(1e-10);

    // Full-rank rotated input: ||A^T A - B^T B||_2 <= tau_{r+1}^2 / (l - r) [GLPW16].
    const b = lowRank(m, n, n, 4);
    const fd = createSketch({ cols: n, rank: 3, method: 'fd', coRangeDim: 10 });
    updateRows(fd, b, 0);
    const full = reconstruct(fd, { rank: 10 });
    const sa = svd(b, { vectors: false }).s;
    let tail = 0; for (let j = 3; j < sa.length; j++) tail += sa[j] ** 2;
    // ||A^T A - B^T B||_2 >= | sigma_1(A)^2 - sigma_1(B)^2 | (Weyl); check the largest eigenvalue gap.
    expect(sa[0] ** 2 - full.s[0] ** 2).toBeLessThanOrEqual(tail / (10 - 3) + 1e-9);
    expect(sa[0] ** 2 - full.s[0] ** 2).toBeGreaterThanOrEqual(-1e-9); // FD never overestimates
  });

  it('refuses bad blocks with errors that name the place', () => {
    const st = createSketch({ cols: 3, rank: 1, rangeDim: 2, coreDim: 5 });
    expect(() => updateRows(st, fromRows([[1, 2]]), 0)).toThrow(/has 2 columns, expected 3/);
    expect(() => updateRows(st, fromRows([[1, 2, 3], [1, NaN, 3]]), 17)).toThrow(/row 18: value at column 1 is NaN/);
    expect(() => updateRows(st, fromRows([[1, 2, 3]]), -1)).toThrow(/rowStart/);
    expect(st.rowsSeen).toBe(0);
  });
});
