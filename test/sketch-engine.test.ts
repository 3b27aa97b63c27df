/**
 * The linear sketch engine (src/sketch/engine: one engine for the three-sketch, two-sketch and
 * rsvd, in float32 and float64, maps applied densely or sparsely as the family says) against a
 * reference computed from the definitions in plain float64 loops: Y = A Omega^T, X = sum upsilon_i
 * a_i, Z = sum phi_i a_i Psi^T, S = sum theta_i a_i, L [Y 1], Theta [Y 1], H = A^T Y, 1^T A, and
 * R^T R = [Y 1]^T [Y 1]. The maps of the reference come from the same families (src/maps), one item
 * at a time, so the engine's chunking, CSR lists, panels and WebAssembly kernels are all checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setKernelThreads } from '../src/kernels/kernel-threads.js';
import { allocF64, freeArena } from '../src/kernels/wasm-arena.js';
import { kernelBackend } from '../src/kernels/wasm-runtime.js';
import { createTsqr, tsqrUpdate, type TsqrState } from '../src/linalg/tsqr.js';
import { keptTransposedInto } from '../src/maps/kept-map.js';
import { testMatrixFamily } from '../src/maps/test-matrix.js';
import {
  createSketch, disposeSketch, layoutBytes, mergeSketches, memorySpill, stateBytes, updateRows,
  type LinearState, type MemorySpill, type SketchMethod, type SketchOptions,
} from '../src/internals.js';
import { startKernelThreads, type KernelThreads } from '../streams/thread-pool.js';
import { field, relDiff } from './sketch-helpers.js';

const wasm = kernelBackend().backend === 'wasm';

function data(m: number, n: number, seed: number): Float32Array {
  const a = new Float32Array(m * n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    // A column with a large mean and a decaying profile, so that every sketch has structure.
    a[i] = (s / 2 ** 32 - 0.5) / (1 + (i % n)) + (i % n === 1 ? 3 : 0);
  }
  return a;
}

type Method = Exclude<SketchMethod, 'fd'>;

/** The sums of a linear record computed from the definitions (float64), with Y. */
function reference(st: LinearState, a: Float32Array, m: number): { sums: Record<string, Float64Array>; y: Float64Array } {
  const n = st.cols, { k, s, l, q } = st.sizes, k1 = k + 1;
  const fam = testMatrixFamily(st.testMatrix), gauss = testMatrixFamily('gaussian');
  const omegaT = new Float64Array(n * k);
  keptTransposedInto(st.omega, omegaT, k, 0);
  const psiT = new Float64Array(st.method === 'three-sketch' ? n * s : 0);
  if (st.method === 'three-sketch') keptTransposedInto(st.psi, psiT, s, 0);
  const co = st.method === 'three-sketch' ? k : st.method === 'two-sketch' ? l : 0;
  const left = st.method === 'three-sketch' ? s : co;
  const out = {
    coRange: new Float64Array(co * n), errorSketch: new Float64Array(q * n), colSums: new Float64Array(n),
    core: new Float64Array(st.method === 'three-sketch' ? s * s : 0), coreRange: new Float64Array(left * k1),
    errorRange: new Float64Array(q * k1), gram: new Float64Array(st.method === 'rsvd' ? n * k : 0),
    coRangeOnes: new Float64Array(st.method === 'three-sketch' ? k : 0),
  };
  const y = new Float64Array(m * k);
  const u = new Float64Array(co), phi = new Float64Array(s), th = new Float64Array(q), t = new Float64Array(s);
  for (let i = 0; i < m; i++) {
    const ai = (j: number) => a[i * n + j];
    for (let c = 0; c < k; c++) { let x = 0; for (let j = 0; j < n; j++) x += ai(j) * omegaT[j * k + c]; y[i * k + c] = x; }
    if (co > 0) fam.fillDense(st.seed, st.method === 'two-sketch' ? 'psi' : 'upsilon', co, i, 1, u, 0, co);
    if (q > 0) gauss.fillDense(st.seed, 'theta', q, i, 1, th, 0, q);
    for (let r = 0; r < co; r++) for (let j = 0; j < n; j++) out.coRange[r * n + j] += u[r] * ai(j);
    for (let r = 0; r < q; r++) for (let j = 0; j < n; j++) out.errorSketch[r * n + j] += th[r] * ai(j);
    for (let j = 0; j < n; j++) out.colSums[j] += ai(j);
    const yi = (c: number) => (c === k ? 1 : y[i * k + c]);
    if (st.method === 'three-sketch') {
      fam.fillDense(st.seed, 'phi', s, i, 1, phi, 0, s);
      for (let c = 0; c < s; c++) { let x = 0; for (let j = 0; j < n; j++) x += ai(j) * psiT[j * s + c]; t[c] = x; }
      for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) out.core[r * s + c] += phi[r] * t[c];
      for (let r = 0; r < s; r++) for (let c = 0; c < k1; c++) out.coreRange[r * k1 + c] += phi[r] * yi(c);
      for (let c = 0; c < k; c++) out.coRangeOnes[c] += u[c];
    } else {
      for (let r = 0; r < co; r++) for (let c = 0; c < k1; c++) out.coreRange[r * k1 + c] += u[r] * yi(c);
    }
    for (let r = 0; r < q; r++) for (let c = 0; c < k1; c++) out.errorRange[r * k1 + c] += th[r] * yi(c);
    if (st.method === 'rsvd') for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) out.gram[j * k + c] += ai(j) * y[i * k + c];
  }
  return { sums: out, y };
}

/** Rows of Y as written to the memory spill, packed (m x k). */
function spilled(st: LinearState, m: number): Float64Array {
  const k = st.sizes.k, y = new Float64Array(m * k);
  (st.spill as MemorySpill).forEachBlock((r0, blk) => {
    for (let t = 0; t < blk.rows && r0 + t < m; t++) for (let c = 0; c < k; c++) y[(r0 + t) * k + c] = blk.data[blk.offset + t * blk.stride + c];
  });
  return y;
}

/** R^T R against [Y 1]^T [Y 1]. */
function gramOfR(st: LinearState): Float64Array {
  const k1 = st.sizes.k + 1, r = st.rangeR, g = new Float64Array(k1 * k1);
  for (let a = 0; a < k1; a++) for (let b = 0; b < k1; b++) { let x = 0; for (let i = 0; i < k1; i++) x += r[i * k1 + a] * r[i * k1 + b]; g[a * k1 + b] = x; }
  return g;
}
function gramOfY1(y: Float64Array, m: number, k: number): Float64Array {
  const k1 = k + 1, g = new Float64Array(k1 * k1);
  for (let i = 0; i < m; i++) for (let a = 0; a < k1; a++) for (let b = 0; b < k1; b++) {
    g[a * k1 + b] += (a === k ? 1 : y[i * k + a]) * (b === k ? 1 : y[i * k + b]);
  }
  return g;
}

/** Stream A (m x n) in blocks of `bs` rows, as float32 or widened to float64. */
function run(opts: SketchOptions, a: Float32Array, m: number, bs: number, f64: boolean): LinearState {
  const n = opts.cols, st = createSketch(opts) as LinearState;
  const d = f64 ? Float64Array.from(a) : a;
  for (let i = 0; i < m; i += bs) updateRows(st, { rows: Math.min(bs, m - i), cols: n, data: d, offset: i * n, stride: n }, i);
  return st;
}

const NAMES = ['coRange', 'errorSketch', 'colSums', 'core', 'coreRange', 'errorRange', 'gram', 'coRangeOnes'] as const;

describe('the linear sketch engine against the definitions', () => {
  // [m, n, rank, block rows, chunk rows, explicit k]: n not a multiple of 4 or 16, blocks not a
  // multiple of the chunk, k + 1 odd (k = 10), rank 1, a chunk of one row.
  const shapes: [number, number, number, number, number | undefined, number | undefined][] = [
    [700, 37, 3, 100, undefined, undefined],
    [300, 19, 1, 7, 16, undefined],
    [523, 50, 2, 97, 64, 10],
    [1000, 256, 10, 8192, undefined, undefined],
    [40, 21, 1, 3, 1, undefined],
  ];
  for (const method of ['three-sketch', 'two-sketch', 'rsvd'] as Method[]) {
    for (const testMatrix of ['sparse-sign', 'gaussian'] as const) {
      for (const dtype of ['float64', 'float32'] as const) {
        it(`${method}, ${testMatrix}, ${dtype}: every sum, Y and R as defined, over ${shapes.length} awkward shapes`, () => {
          const tol = dtype === 'float64' ? 1e-12 : 1e-5;
          for (const [m, n, rank, bs, chunkRows, rangeDim] of shapes) {
            const opts: SketchOptions = { cols: n, rank, seed: 11, method, testMatrix, dtype, chunkRows, rangeDim, spill: memorySpill() };
            const a = data(m, n, 3 + m);
            const st = run(opts, a, m, bs, m % 2 === 0);
            const ref = reference(st, a, m);
            const where = `${m} x ${n}, rank ${rank}, blocks ${bs}`;
            for (const f of NAMES) expect(relDiff(field(st, f), ref.sums[f]), `${f} (${where})`).toBeLessThan(tol);
            expect(relDiff(spilled(st, m), ref.y), `Y (${where})`).toBeLessThan(tol);
            expect(relDiff(gramOfR(st), gramOfY1(ref.y, m, st.sizes.k)), `R (${where})`).toBeLessThan(dtype === 'float64' ? 1e-11 : 1e-5);
            expect(st.rowsSeen).toBe(m);
            expect(stateBytes(st)).toBe(layoutBytes(st, 0) + (st.spill as MemorySpill).bytes());
            disposeSketch(st);
          }
        });
      }
    }
  }

  it('negative control: the reference sees another seed as a different sketch', () => {
    const m = 500, n = 40, a = data(m, n, 9);
    const st = run({ cols: n, rank: 3, seed: 4, spill: memorySpill() }, a, m, 128, true);
    const other = run({ cols: n, rank: 3, seed: 5, spill: memorySpill() }, a, m, 128, true);
    const ref = reference(other, a, m);
    for (const f of ['coRange', 'core', 'coreRange'] as const) expect(relDiff(field(st, f), ref.sums[f])).toBeGreaterThan(0.1);
  });

  it('is bit-identical across runs and block sizes, and a disposed record refuses updates', () => {
    const m = 600, n = 33, a = data(m, n, 2);
    for (const testMatrix of ['sparse-sign', 'gaussian'] as const) for (const dtype of ['float32', 'float64'] as const) {
      const opts: SketchOptions = { cols: n, rank: 2, seed: 7, testMatrix, dtype };
      const s1 = run(opts, a, m, 150, false), s2 = run(opts, a, m, 150, false);
      expect(s2.sums).toEqual(s1.sums);
      expect(s2.rangeR).toEqual(s1.rangeR);
      disposeSketch(s2);
      expect(() => updateRows(s2, { rows: 1, cols: n, data: a, offset: 0, stride: n }, m)).toThrow(/disposed/);
    }
  });

  it('merge(shards) equals one pass (float32 engine), and shards merge after one of them is disposed', () => {
    const m = 900, n = 45, a = data(m, n, 8);
    for (const method of ['three-sketch', 'two-sketch', 'rsvd'] as Method[]) for (const testMatrix of ['sparse-sign', 'gaussian'] as const) {
      const opts: SketchOptions = { cols: n, rank: 3, seed: 2, testMatrix, method, dtype: 'float32' };
      const one = run(opts, a, m, 200, false);
      const s1 = createSketch(opts), s2 = createSketch(opts);
      updateRows(s1, { rows: 400, cols: n, data: a, offset: 0, stride: n }, 0);
      updateRows(s2, { rows: 300, cols: n, data: a, offset: 400 * n, stride: n }, 400);
      disposeSketch(s1);
      const merged = mergeSketches(s1, s2);
      updateRows(merged, { rows: 200, cols: n, data: a, offset: 700 * n, stride: n }, 700);
      expect(relDiff(merged.sums, one.sums), `${method} ${testMatrix}`).toBeLessThan(1e-5);
    }
  });

  it('refuses NaN or infinity anywhere in a block, naming the place, before changing anything', () => {
    const m = 700, n = 30, a = data(m, n, 4);
    for (const dtype of ['float32', 'float64'] as const) {
      const st = createSketch({ cols: n, rank: 2, seed: 1, testMatrix: 'sparse-sign', dtype });
      updateRows(st, { rows: 10, cols: n, data: a, offset: 0, stride: n }, 0);
      const before = Float64Array.from(st.sums), seen = st.rowsSeen;
      for (const [row, bad] of [[612, NaN], [13, -Infinity]] as const) {
        const b = Float32Array.from(a);
        b[row * n + 7] = bad;
        expect(() => updateRows(st, { rows: m - 10, cols: n, data: b, offset: 10 * n, stride: n }, 10))
          .toThrow(`row ${row}: value at column 7 is ${bad}`);
        expect(st.rowsSeen).toBe(seen);
        expect(st.sums).toEqual(before);
      }
    }
    // float64 values beyond float32's range, into a float32 engine: refused, naming the value.
    const f32 = createSketch({ cols: 3, rank: 1, dtype: 'float32' });
    expect(() => updateRows(f32, { rows: 1, cols: 3, data: new Float64Array([1, 1e39, 2]), offset: 0, stride: 3 }, 0))
      .toThrow(/row 0: value at column 1 is 1e\+39, outside the float32 range/);
  });

  it('a strided view gives the same sketch as a packed copy', () => {
    const m = 300, n = 30, a = data(m, n, 6);
    const opts: SketchOptions = { cols: n - 5, rank: 2, seed: 1, dtype: 'float32' };
    const strided = createSketch(opts), packed = createSketch(opts);
    updateRows(strided, { rows: m, cols: n - 5, data: a, offset: 0, stride: n }, 0);
    const p = new Float32Array(m * (n - 5));
    for (let i = 0; i < m; i++) for (let j = 0; j < n - 5; j++) p[i * (n - 5) + j] = a[i * n + j];
    updateRows(packed, { rows: m, cols: n - 5, data: p, offset: 0, stride: n - 5 }, 0);
    expect(strided.sums).toEqual(packed.sums);
  });

  it.runIf(wasm)('TSQR in WebAssembly: R^T R = Y^T Y, upper triangular with diag >= 0, the same bits wherever the state lives', () => {
    for (const [k, h] of [[14, 256], [42, 255], [11, 7], [130, 200], [5, 3], [260, 70]] as const) {
      const heap = createTsqr(k);
      const ws: TsqrState = { k, r: { rows: k, cols: k, data: allocF64(k * k), offset: 0, stride: k }, rows: 0, work: allocF64(heap.work.length),
        panel: allocF64(heap.panel.length) };
      const y = Float64Array.from(data(2 * h, k, k + h), (x) => x * 1.5);
      for (const st of [heap, ws]) for (let r0 = 0; r0 < 2 * h; r0 += h) tsqrUpdate(st, { rows: h, cols: k, data: y, offset: r0 * k, stride: k });
      expect(ws.r.data).toEqual(heap.r.data);
      const r = heap.r.data, g = new Float64Array(k * k), rtr = new Float64Array(k * k);
      for (let i = 0; i < 2 * h; i++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) g[a * k + b] += y[i * k + a] * y[i * k + b];
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) { let x = 0; for (let i = 0; i < k; i++) x += r[i * k + a] * r[i * k + b]; rtr[a * k + b] = x; }
      expect(relDiff(rtr, g)).toBeLessThan(1e-13);
      for (let i = 0; i < k; i++) {
        expect(r[i * k + i]).toBeGreaterThanOrEqual(0);
        for (let j = 0; j < i; j++) expect(r[i * k + j]).toBe(0);
      }
      for (const v of [ws.r.data, ws.work, ws.panel]) freeArena(v);
    }
  });

  describe.runIf(wasm)('with kernel threads', () => {
    let pool: KernelThreads;
    beforeAll(async () => { pool = (await startKernelThreads(2))!; });
    afterAll(async () => { setKernelThreads(null); await pool.stop(); });

    it('gives the same bits on one thread and on two', () => {
      const m = 2000, n = 256, a = data(m, n, 5);
      for (const method of ['three-sketch', 'rsvd'] as Method[]) for (const testMatrix of ['sparse-sign', 'gaussian'] as const) {
        const opts: SketchOptions = { cols: n, rank: 10, seed: 3, testMatrix, method, dtype: 'float32' };
        setKernelThreads(null);
        const one = run(opts, a, m, 1024, false);
        setKernelThreads(pool);
        const two = run(opts, a, m, 1024, false);
        setKernelThreads(null);
        expect(two.sums).toEqual(one.sums);
        expect(two.rangeR).toEqual(one.rangeR);
      }
    });
  });
});
