/**
 * Issue "No silent wrong answers", the library classes: every one of these returned a wrong answer
 * with no word before the redesign (commit 0c62cb5); each test also shows it can fail.
 * - class 3: sparse-sign maps on narrow matrices lost the range (exact recovery must hold for every
 *   family, shape and seed);
 * - class 4: a one-pass result further from A than the zero matrix, with inflated singular values;
 * - class 5: a deserialized sketch given a fresh spill returned U rows of zero for the rows it had
 *   absorbed before;
 * - class 7: one sign convention for every method.
 */
import { describe, expect, it } from 'vitest';
import {
  createSketch, deserializeSketch, exactTruncatedSvd, fromSpectrum, lowRankFactors, memorySpill, randomizedSubspaceIteration,
  reconstruct, serializeSketch, svd, updateRows, zeros, type Matrix64, type SketchMethod,
} from '../../src/internals.js';
import { fillSparseSignItems } from '../../src/random/test-matrix.js';
import { choleskyUpper } from '../../src/linalg/cholesky.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
}

function lowRankMatrix(m: number, n: number, r: number, seed: number): Matrix64 {
  const rnd = lcg(seed), L = Array.from({ length: m * r }, rnd), R = Array.from({ length: r * n }, rnd), a = zeros(m, n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) { let x = 0; for (let t = 0; t < r; t++) x += L[i * r + t] * R[t * n + j]; a.data[i * n + j] = x; }
  return a;
}

/** ||A - U diag(s) V^T||_F for a reconstruction with U formed. */
function trueError(a: Matrix64, u: Matrix64, s: Float64Array, v: Matrix64): number {
  const { rows: m, cols: n } = a, r = s.length;
  let e2 = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let x = a.data[i * n + j];
    for (let t = 0; t < r; t++) x -= u.data[i * r + t] * s[t] * v.data[j * r + t];
    e2 += x * x;
  }
  return Math.sqrt(e2);
}

const LINEAR: SketchMethod[] = ['three-sketch', 'two-sketch', 'rsvd'];

describe('class 3: exact recovery of rank <= k inputs for every family, shape and seed', () => {
  it('narrow, short and square shapes, 20 seeds, both families, every linear method', () => {
    const shapes: [number, number, number][] = [[200, 4, 2], [200, 4, 4], [40, 3, 1], [40, 3, 3], [10, 10, 5], [3, 40, 2], [12, 9, 9], [50, 16, 8], [9, 30, 4], [2, 2, 2]];
    let worst = 0;
    for (const [m, n, r] of shapes) {
      const a = lowRankMatrix(m, n, Math.min(r, m, n), 7 + m * 31 + n);
      const exact = svd(a, { vectors: false }).s;
      for (const testMatrix of ['sparse-sign', 'gaussian'] as const) for (const method of LINEAR) for (let seed = 0; seed < 20; seed++) {
        const st = createSketch({ cols: n, rank: r, seed, testMatrix, method });
        updateRows(st, a, 0);
        const rec = reconstruct(st);
        expect(rec.s.length, `${m} x ${n} rank ${r} ${testMatrix} ${method} seed ${seed}`).toBe(Math.min(r, m, n));
        for (let j = 0; j < rec.s.length; j++) worst = Math.max(worst, Math.abs(rec.s[j] - exact[j]) / exact[0]);
        expect(trueError(a, rec.u!, rec.s, rec.v) / exact[0]).toBeLessThan(1e-9);
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('negative control: the raw sparse-sign generator does give singular 3 x 3 maps for some seeds', () => {
    let singular = 0;
    for (let seed = 0; seed < 20; seed++) {
      const idx = new Int32Array(9), val = new Float64Array(9);
      fillSparseSignItems(seed, 'omega', 3, 0, 3, idx, val); // 3 columns of dimension 3, zeta = 3: dense signs
      const g = new Float64Array(9), col = new Float64Array(9);
      for (let j = 0; j < 3; j++) for (let p = 0; p < 3; p++) col[j * 3 + idx[j * 3 + p]] = val[j * 3 + p];
      for (let i = 0; i < 3; i++) for (let l = 0; l < 3; l++) { let t = 0; for (let c = 0; c < 3; c++) t += col[i * 3 + c] * col[l * 3 + c]; g[i * 3 + l] = t; }
      const ok = choleskyUpper({ rows: 3, cols: 3, data: g, offset: 0, stride: 3 }) && [0, 4, 8].every((d) => g[d] ** 2 > 1e-10 * 3);
      if (!ok) singular++;
    }
    expect(singular).toBeGreaterThan(3);
  });
});

describe('class 4: no result further from A than the zero matrix', () => {
  const m = 20000, n = 200, rank = 10;
  const rnd = lcg(42), a = zeros(m, n);
  for (let i = 0; i < a.data.length; i++) a.data[i] = rnd();
  let norm2 = 0;
  for (const x of a.data) norm2 += x * x;
  const normA = Math.sqrt(norm2);

  it('Gaussian noise at rank 10: every one-pass method returns factors no worse than zero, or a lower rank with a note', () => {
    for (const method of LINEAR) for (const testMatrix of ['sparse-sign', 'gaussian'] as const) {
      const st = createSketch({ cols: n, rank, seed: 3, method, testMatrix });
      updateRows(st, a, 0);
      const rec = reconstruct(st);
      const rel = trueError(a, rec.u!, rec.s, rec.v) / normA;
      expect(rel, `${method} ${testMatrix}`).toBeLessThanOrEqual(1);
      if (rec.s.length < rank) expect(rec.notes.join(' ')).toMatch(/rank 10 could not be resolved/);
      // No inflated values: every returned sigma is at most the true sigma_1 (about sqrt(m/12) + sqrt(n/12) here).
      const sigma1 = svd(a, { vectors: false }).s[0];
      for (const x of rec.s) expect(x).toBeLessThanOrEqual(1.05 * sigma1);
    }
  });

  it('negative control: the raw rank-10 truncation of the three-sketch core is worse than zero here', () => {
    const st = createSketch({ cols: n, rank, seed: 3, method: 'three-sketch' });
    updateRows(st, a, 0);
    const f = lowRankFactors(st);
    const c = svd(f.c);
    const r = rank, u = zeros(m, r), v = zeros(n, r);
    // U = Q U_C, V = P V_C, truncated to r.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < r; j++) { let x = 0; for (let t = 0; t < f.c.rows; t++) x += f.q!.data[i * f.c.rows + t] * c.u.data[t * c.u.stride + j]; u.data[i * r + j] = x; }
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < r; j++) { let x = 0; for (let t = 0; t < f.c.cols; t++) x += f.p.data[i * f.p.stride + t] * c.v.data[t * c.v.stride + j]; v.data[i * r + j] = x; }
    }
    expect(trueError(a, u, c.s.slice(0, r), v) / normA).toBeGreaterThan(1);
  });
});

describe('class 5: a record that cannot produce U says so', () => {
  it('deserialized with a fresh spill: U is refused naming the rows it misses; S and V unaffected', () => {
    const m = 600, n = 30, a = lowRankMatrix(m, n, 4, 5);
    for (const method of LINEAR) {
      const first = createSketch({ cols: n, rank: 4, seed: 1, method, spill: memorySpill() });
      updateRows(first, { ...a, rows: 400 }, 0);
      const resumed = deserializeSketch(serializeSketch(first), memorySpill());
      updateRows(resumed, { ...a, rows: 200, offset: 400 * n }, 400);
      const rec = reconstruct(resumed);
      expect(rec.u, method).toBeUndefined();
      expect(rec.uMissing).toMatch(/rows \[0, 400\)/);
      const whole = createSketch({ cols: n, rank: 4, seed: 1, method });
      updateRows(whole, a, 0);
      const ref = reconstruct(whole);
      for (let j = 0; j < 4; j++) expect(Math.abs(rec.s[j] - ref.s[j]) / ref.s[0]).toBeLessThan(1e-10);
    }
  });

  it('negative control: with the spill that holds every row, U is formed and right', () => {
    const m = 600, n = 30, a = lowRankMatrix(m, n, 4, 5);
    const spill = memorySpill();
    const first = createSketch({ cols: n, rank: 4, seed: 1, spill });
    updateRows(first, { ...a, rows: 400 }, 0);
    const resumed = deserializeSketch(serializeSketch(first), spill);
    updateRows(resumed, { ...a, rows: 200, offset: 400 * n }, 400);
    const rec = reconstruct(resumed);
    expect(rec.uMissing).toBeUndefined();
    expect(trueError(a, rec.u!, rec.s, rec.v) / svd(a, { vectors: false }).s[0]).toBeLessThan(1e-9);
  });
});

describe('class 7: one sign convention for every method', () => {
  // Well separated singular values, a Haar-rotated 300 x 40 matrix.
  const sigma = Float64Array.from({ length: 40 }, (_, j) => 10 * 0.6 ** j);
  const a = fromSpectrum(300, 40, sigma, 9).a;
  const rank = 4;

  it('the largest-magnitude entry of each column of V is positive, and every method returns the same V (20 seeds)', () => {
    const exact = exactTruncatedSvd(a, rank);
    const check = (v: Matrix64, who: string) => {
      for (let j = 0; j < rank; j++) {
        let best = 0, val = 0;
        for (let i = 0; i < v.rows; i++) { const x = v.data[i * v.stride + j]; if (Math.abs(x) > best) { best = Math.abs(x); val = x; } }
        expect(val, `${who} column ${j}`).toBeGreaterThan(0);
        let d = 0;
        for (let i = 0; i < v.rows; i++) d = Math.max(d, Math.abs(v.data[i * v.stride + j] - exact.v.data[i * rank + j]));
        expect(d, `${who} column ${j} agrees with the exact SVD`).toBeLessThan(0.05);
      }
    };
    check(exact.v, 'exact');
    for (let seed = 0; seed < 20; seed++) {
      for (const method of ['three-sketch', 'two-sketch', 'rsvd', 'fd'] as SketchMethod[]) {
        const st = createSketch({ cols: 40, rank, seed, method, ...(method === 'fd' ? {} : { rangeDim: 16 }) });
        updateRows(st, a, 0);
        check(reconstruct(st).v, `${method} seed ${seed}`);
      }
      check(randomizedSubspaceIteration(a, { rank, seed, powerIterations: 2 }).v, `rsi seed ${seed}`);
    }
  });

  it('negative control: the check sees a flipped column', () => {
    const v = exactTruncatedSvd(a, rank).v;
    for (let i = 0; i < v.rows; i++) v.data[i * rank + 1] = -v.data[i * rank + 1];
    let best = 0, val = 0;
    for (let i = 0; i < v.rows; i++) { const x = v.data[i * rank + 1]; if (Math.abs(x) > best) { best = Math.abs(x); val = x; } }
    expect(val).toBeLessThan(0);
  });
});

/**
 * Class 6 in the library: values at the ends of the float64 range. Before this, the rsvd sketch of
 * a matrix scaled by 2^-700 returned singular values 0 and FD's 0.25 of the true ones, with no word;
 * others NaN or a TypeError. Each cell is now right (against numpy-free exact SVD of the unscaled
 * matrix, scaled back) or refused with a NumericError that says what to do.
 */
describe('class 6: extreme magnitudes are computed right or refused', () => {
  const m = 300, n = 40;
  const base = lowRankMatrix(m, n, 3, 11);
  const rnd = lcg(12);
  for (let t = 0; t < m * n; t++) base.data[t] += 0.001 * rnd();
  const exact = svd(base, { vectors: false }).s;
  const methods: SketchMethod[] = ['three-sketch', 'two-sketch', 'fd', 'rsvd'];
  const answer = (method: SketchMethod, e: number): Float64Array | Error => {
    const a = zeros(m, n);
    for (let t = 0; t < m * n; t++) a.data[t] = base.data[t] * 2 ** e;
    try {
      const st = createSketch({ method, cols: n, rank: 3, seed: 1 });
      updateRows(st, a, 0);
      return reconstruct(st, { rank: 3 }).s.map((x) => x / 2 ** e);
    } catch (err) { return err as Error; }
  };
  it('2^e for e in -1070..1018: every method within 2% of the exact singular values, or a NumericError with advice', () => {
    const right: string[] = [];
    for (const e of [-1070, -1040, -1000, -900, -700, -500, -300, 0, 300, 500, 700, 900, 1000, 1018]) {
      for (const method of methods) {
        const got = answer(method, e);
        if (got instanceof Error) {
          expect(got.name, `${method} 2^${e}: ${got.message}`).toBe('NumericError');
          expect(got.message).toMatch(/power of two/);
          continue;
        }
        expect(got.length, `${method} 2^${e}`).toBe(3);
        for (let j = 0; j < 3; j++) expect(Math.abs(got[j] / exact[j] - 1), `${method} 2^${e} sigma_${j + 1}`).toBeLessThan(0.02);
        right.push(`${method}@${e}`);
      }
    }
    // The window is not empty where it matters: every method computes across 2^-300..2^300 and the
    // linear ones and FD across 2^-900..2^900.
    for (const e of [-300, 0, 300]) for (const method of methods) expect(right).toContain(`${method}@${e}`);
    for (const e of [-900, 900]) for (const method of ['three-sketch', 'two-sketch', 'fd']) expect(right).toContain(`${method}@${e}`);
  });
  it('negative control: the 2% check sees singular values off by the 0.25 FD returned at 2^-700 before', () => {
    const wrong = exact.map((x) => 0.25 * x);
    expect(Math.abs(wrong[0] / exact[0] - 1)).toBeGreaterThan(0.02);
  });
  it('the zero matrix: no triplet, and a note that says it is the zero matrix', () => {
    for (const method of methods) {
      const st = createSketch({ method, cols: n, rank: 3, seed: 1 });
      updateRows(st, zeros(m, n), 0);
      const rec = reconstruct(st, { rank: 3 });
      expect(rec.s.length, method).toBe(0);
      expect(rec.notes.join(' '), method).toMatch(/zero matrix/);
    }
  });
});
