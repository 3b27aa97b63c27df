/**
 * The resident float32 chunk path of `updateRows` (absorb-resident.ts: sparse-sign maps applied
 * sparsely in WebAssembly, Gaussian maps through the GEMM on resident operands, TSQR reflectors in
 * WebAssembly) against the float64 dense path for the same seed and the same values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setKernelThreads } from '../src/kernels/kernel-threads.js';
import { allocF64, freeArena } from '../src/kernels/wasm-arena.js';
import { kernelBackend } from '../src/kernels/wasm-runtime.js';
import { createTsqr, tsqrUpdate, type TsqrState } from '../src/linalg/tsqr.js';
import { createSketch, disposeSketch, mergeSketches, stateBytes, updateRows, type SketchOptions, type SketchState } from '../src/sketch/index.js';
import type { MemorySpill } from '../src/sketch/memory-spill.js';
import { startKernelThreads, type KernelThreads } from '../streams/thread-pool.js';

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

const FIELDS = ['coRange', 'errorSketch', 'core', 'coreRange', 'errorRange', 'rangeR', 'colSums', 'coRangeOnes'] as const;

function relDiff(a: Float64Array, b: Float64Array): number {
  let d = 0, t = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i]! - b[i]!) ** 2; t += b[i]! ** 2; }
  return t === 0 ? Math.sqrt(d) : Math.sqrt(d / t);
}

/** Rows of Y as written to the memory spill, packed (m x k). */
function spillRows(st: SketchState, m: number): Float64Array {
  const k = st.sizes.k, y = new Float64Array(m * k);
  (st.spill as MemorySpill).forEachBlock((r0, blk) => {
    for (let t = 0; t < blk.rows && r0 + t < m; t++) for (let c = 0; c < k; c++) y[(r0 + t) * k + c] = blk.data[blk.offset + t * blk.stride + c]!;
  });
  return y;
}

/** Stream A (m x n) in blocks of `bs` rows, as float32 or widened to float64. */
function run(opts: SketchOptions, a: Float32Array, m: number, bs: number, f64: boolean): SketchState {
  const n = opts.cols, st = createSketch(opts);
  const d = f64 ? Float64Array.from(a) : a;
  for (let i = 0; i < m; i += bs) updateRows(st, { rows: Math.min(bs, m - i), cols: n, data: d, offset: i * n, stride: n }, i);
  return st;
}

describe.runIf(wasm)('resident float32 chunk path (sparse kernels)', () => {
  // [m, n, rank, block rows, chunk rows, explicit k]: n not a multiple of 4 or 16, blocks not a
  // multiple of the chunk, k + 1 odd (k = 10), rank 1, a chunk of one row.
  const shapes: [number, number, number, number, number | undefined, number | undefined][] = [
    [700, 37, 3, 100, undefined, undefined],
    [300, 19, 1, 7, 16, undefined],
    [523, 50, 2, 97, 64, 10],
    [1000, 256, 10, 8192, undefined, undefined],
    [40, 21, 1, 3, 1, undefined],
  ];
  for (const testMatrix of ['sparse-sign', 'gaussian'] as const) {
    for (const [m, n, rank, bs, chunkRows, rangeDim] of shapes) {
      it(`${testMatrix} ${m} x ${n}, rank ${rank}, blocks of ${bs}, chunk ${chunkRows ?? 'default'}${rangeDim ? `, k = ${rangeDim}` : ''}: same sketch as the float64 path`, () => {
        const opts: SketchOptions = { cols: n, rank, seed: 11, testMatrix, chunkRows, rangeDim };
        const a = data(m, n, 3 + m);
        const fast = run(opts, a, m, bs, false), ref = run(opts, a, m, bs, true);
        expect(fast.work.resident).not.toBeNull();
        expect(ref.work.resident).toBeNull();
        if (rangeDim) expect((rangeDim + 1) % 2).toBe(1);
        for (const f of FIELDS) expect(relDiff(fast[f], ref[f]), f).toBeLessThan(1e-5);
        expect(relDiff(spillRows(fast, m), spillRows(ref, m))).toBeLessThan(1e-5);
        expect(fast.rowsSeen).toBe(m);
        disposeSketch(fast); disposeSketch(ref);
      });
    }
  }

  it('negative controls: another seed, or a perturbed kept list, give a clearly different sketch', () => {
    const m = 500, n = 40, a = data(m, n, 9);
    const opts: SketchOptions = { cols: n, rank: 3, seed: 4, testMatrix: 'sparse-sign' };
    const ref = run(opts, a, m, 128, true);
    const other = run({ ...opts, seed: 5 }, a, m, 128, false);
    for (const f of ['coRange', 'core', 'coreRange'] as const) expect(relDiff(other[f], ref[f])).toBeGreaterThan(0.1);
    const st = createSketch(opts);
    updateRows(st, { rows: 1, cols: n, data: a, offset: 0, stride: n }, 0);
    const rc = st.work.resident!;
    rc.omega.valV[0] = -rc.omega.valV[0]!; // one sign of Omega flipped
    rc.psi.idxV[0] = (rc.psi.idxV[0]! + 1) % n; // one entry of Psi moved to another column
    updateRows(st, { rows: m - 1, cols: n, data: a, offset: n, stride: n }, 1);
    expect(relDiff(spillRows(st, m), spillRows(ref, m))).toBeGreaterThan(1e-3);
    expect(relDiff(st.core, ref.core)).toBeGreaterThan(1e-3);
    expect(relDiff(st.coRange, ref.coRange)).toBeLessThan(1e-5); // X does not involve Omega or Psi
  });

  it('is bit-identical across runs, and after dispose falls back to the dense path', () => {
    const m = 600, n = 33, a = data(m, n, 2);
    for (const testMatrix of ['sparse-sign', 'gaussian'] as const) {
      const opts: SketchOptions = { cols: n, rank: 2, seed: 7, testMatrix };
      const s1 = run(opts, a, m, 150, false), s2 = run(opts, a, m, 150, false);
      for (const f of FIELDS) expect(s2[f]).toEqual(s1[f]);
      const s3 = createSketch(opts);
      updateRows(s3, { rows: 300, cols: n, data: a, offset: 0, stride: n }, 0);
      disposeSketch(s3);
      expect(s3.work.resident).toBeNull();
      updateRows(s3, { rows: 300, cols: n, data: a, offset: 300 * n, stride: n }, 300);
      expect(s3.work.resident).toBeNull();
      for (const f of FIELDS) expect(relDiff(s3[f], s1[f]), f).toBeLessThan(1e-5);
    }
  });

  it('merge(shards) equals one pass, and a merged state survives the disposal of the shard it shares maps with', () => {
    const m = 900, n = 45, a = data(m, n, 8);
    for (const testMatrix of ['sparse-sign', 'gaussian'] as const) {
      const opts: SketchOptions = { cols: n, rank: 3, seed: 2, testMatrix };
      const one = run(opts, a, m, 200, false);
      const s1 = createSketch(opts), s2 = createSketch(opts);
      updateRows(s1, { rows: 400, cols: n, data: a, offset: 0, stride: n }, 0);
      updateRows(s2, { rows: 300, cols: n, data: a, offset: 400 * n, stride: n }, 400);
      const merged = mergeSketches(s1, s2);
      updateRows(merged, { rows: 100, cols: n, data: a, offset: 700 * n, stride: n }, 700);
      expect(merged.work.resident).not.toBeNull();
      disposeSketch(s1); // frees the packed panels of the maps the merged state shares
      updateRows(merged, { rows: 100, cols: n, data: a, offset: 800 * n, stride: n }, 800);
      for (const f of ['coRange', 'errorSketch', 'core', 'coreRange', 'errorRange', 'colSums', 'coRangeOnes'] as const) {
        expect(relDiff(merged[f], one[f]), f).toBeLessThan(1e-5);
      }
    }
  });

  it('refuses NaN or infinity anywhere in a block, naming the place, before changing anything', () => {
    const m = 700, n = 30, a = data(m, n, 4);
    const st = createSketch({ cols: n, rank: 2, seed: 1, testMatrix: 'sparse-sign' });
    updateRows(st, { rows: 10, cols: n, data: a, offset: 0, stride: n }, 0);
    const before = Float64Array.from(st.coRangeAndError), seen = st.rowsSeen;
    for (const [row, bad] of [[612, NaN], [13, -Infinity]] as const) {
      const b = Float32Array.from(a);
      b[row * n + 7] = bad;
      expect(() => updateRows(st, { rows: m - 10, cols: n, data: b, offset: 10 * n, stride: n }, 10))
        .toThrow(`row ${row}: value at column 7 is ${bad}`);
      expect(st.rowsSeen).toBe(seen);
      expect(st.coRangeAndError).toEqual(before);
    }
    // a strided view (stride > n) takes the same path
    const ok = createSketch({ cols: n - 5, rank: 2, seed: 1, testMatrix: 'sparse-sign' });
    updateRows(ok, { rows: m, cols: n - 5, data: a, offset: 0, stride: n }, 0);
    expect(ok.work.resident).not.toBeNull();
    const ref = createSketch({ cols: n - 5, rank: 2, seed: 1, testMatrix: 'sparse-sign' });
    updateRows(ref, { rows: m, cols: n - 5, data: Float64Array.from(a), offset: 0, stride: n }, 0);
    for (const f of FIELDS) expect(relDiff(ok[f], ref[f]), f).toBeLessThan(1e-5);
  });

  it('under a memory budget, is used only when it fits beside the sketch, and the state stays within the budget', () => {
    const m = 800, n = 64, a = data(m, n, 1);
    for (const testMatrix of ['sparse-sign', 'gaussian'] as const) for (const [budget, used] of [[300_000, false], [3_000_000, true]] as const) {
      const st = createSketch({ cols: n, rank: 3, testMatrix, memoryBudget: budget, spill: { write() {} } });
      for (let i = 0; i < m; i += 300) updateRows(st, { rows: Math.min(300, m - i), cols: n, data: a, offset: i * n, stride: n }, i);
      expect(st.work.resident !== null).toBe(used);
      expect(stateBytes(st)).toBeLessThanOrEqual(budget);
      disposeSketch(st);
    }
  });

  it('TSQR in WebAssembly: R^T R = Y^T Y, upper triangular with diag >= 0, the same bits wherever the state lives', () => {
    // [k, h]: panels of 4 plus a remainder, h odd, k = 130; chunks under 8 rows and k = 260 take
    // the TypeScript loops (blocked at k = 260).
    for (const [k, h] of [[14, 256], [42, 255], [11, 7], [130, 200], [5, 3], [260, 70]] as const) {
      const heap = createTsqr(k);
      const ws: TsqrState = { k, r: { rows: k, cols: k, data: allocF64(k * k), offset: 0, stride: k }, rows: 0, work: allocF64(heap.work.length), panel: allocF64(heap.panel.length) };
      const y = Float64Array.from(data(2 * h, k, k + h), (x) => x * 1.5);
      for (const st of [heap, ws]) for (let r0 = 0; r0 < 2 * h; r0 += h) tsqrUpdate(st, { rows: h, cols: k, data: y, offset: r0 * k, stride: k });
      expect(ws.r.data).toEqual(heap.r.data);
      const r = heap.r.data, g = new Float64Array(k * k), rtr = new Float64Array(k * k);
      for (let i = 0; i < 2 * h; i++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) g[a * k + b] += y[i * k + a]! * y[i * k + b]!;
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) { let x = 0; for (let i = 0; i < k; i++) x += r[i * k + a]! * r[i * k + b]!; rtr[a * k + b] = x; }
      expect(relDiff(rtr, g)).toBeLessThan(1e-13);
      for (let i = 0; i < k; i++) {
        expect(r[i * k + i]).toBeGreaterThanOrEqual(0);
        for (let j = 0; j < i; j++) expect(r[i * k + j]).toBe(0);
      }
      for (const v of [ws.r.data, ws.work, ws.panel]) freeArena(v);
    }
  });

  describe('with kernel threads', () => {
    let pool: KernelThreads;
    beforeAll(async () => { pool = (await startKernelThreads(2))!; });
    afterAll(async () => { setKernelThreads(null); await pool.stop(); });

    it('gives the same bits on one thread and on two', () => {
      const m = 2000, n = 256, a = data(m, n, 5);
      for (const testMatrix of ['sparse-sign', 'gaussian'] as const) {
        const opts: SketchOptions = { cols: n, rank: 10, seed: 3, testMatrix };
        setKernelThreads(null);
        const one = run(opts, a, m, 1024, false);
        setKernelThreads(pool);
        const two = run(opts, a, m, 1024, false);
        setKernelThreads(null);
        for (const f of FIELDS) expect(two[f]).toEqual(one[f]);
      }
    });
  });
});
