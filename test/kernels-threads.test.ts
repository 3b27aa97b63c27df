import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Float } from '../src/matrix.js';
import { gemm } from '../src/kernels/gemm.js';
import { gemmTs } from '../src/kernels/gemm-ts.js';
import { kernelThreadCount, setKernelThreads, workerChunkCount } from '../src/kernels/kernel-threads.js';
import { freePanel, gemmPacked, packPanel } from '../src/kernels/packed-panel.js';
import { allocF64, freeArena } from '../src/kernels/wasm-arena.js';
import { kernelBackend } from '../src/kernels/wasm-runtime.js';
import { startKernelThreads, type KernelThreads } from '../streams/thread-pool.js';

function lcg(seed: number): () => number {
  let s = (seed >>> 0) || 1;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 31 - 1; };
}
function filled<T extends Float>(x: T, seed: number): T {
  const r = lcg(seed);
  for (let i = 0; i < x.length; i++) x[i] = r();
  return x;
}

/** Run `f` once without and once with the pool installed; return both outputs. */
function both(pool: KernelThreads, f: (c: Float) => void, make: () => Float): [Float, Float] {
  setKernelThreads(null);
  const c1 = make(); f(c1);
  setKernelThreads(pool);
  const c2 = make(); f(c2);
  return [c1, c2];
}

describe('kernel thread pool', () => {
  let pool: KernelThreads;
  beforeAll(async () => { pool = (await startKernelThreads(2))!; });
  afterAll(async () => { await pool.stop(); });

  it('starts one worker for two threads, with relaxed SIMD on', () => {
    expect(pool.workers).toBe(1);
    expect(kernelThreadCount()).toBe(2);
    expect(kernelBackend().variant).toBe('relaxed-simd');
  });

  it('the worker really computes chunks of a large product', () => {
    const [m, n, k] = [4096, 64, 2048];
    const a = filled(new Float64Array(m * k), 1), b = filled(new Float64Array(k * n), 2);
    const before = workerChunkCount();
    gemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, new Float64Array(m * n), 0, n);
    expect(workerChunkCount()).toBeGreaterThan(before);
  });

  // Shapes above the parallel threshold, split by rows (m >= n) and by column panels (m < n),
  // with sizes that are not multiples of the tile; the split must not change a single bit.
  const shapes: [number, number, number][] = [[1031, 37, 301], [37, 1030, 303], [8, 4097, 300], [4100, 3, 400]];
  for (const T of [Float64Array, Float32Array]) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`${T.name} transA=${ta} transB=${tb}: threaded results equal single-thread results bit for bit`, () => {
        for (const [m, n, k] of shapes) {
          const a = filled(new T(m * k), m + k), b = filled(new T(k * n), n + 1);
          const c0 = filled(new T(m * n), 5);
          const [c1, c2] = both(pool, (c) => gemm(ta, tb, m, n, k, 1.25, a, 0, ta ? m : k, b, 0, tb ? k : n, 0.5, c, 0, n), () => T.from(c0));
          expect(c2).toEqual(c1);
          // And both are the product (against the TypeScript reference, within rounding).
          const ref = T.from(c0);
          gemmTs(ta, tb, m, n, k, 1.25, a, 0, ta ? m : k, b, 0, tb ? k : n, 0.5, ref, 0, n);
          let err = 0;
          for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i] - c2[i]));
          expect(err).toBeLessThan(T === Float32Array ? 1e-3 : 1e-11);
        }
      });
    }
  }

  it('packed panel products (Omega reused over row blocks) split across threads identically', () => {
    const [b, n, k] = [2000, 300, 64];
    const omega = filled(new Float32Array(n * k), 3);
    const panel = packPanel(false, n, k, omega, 0, k);
    const blk = filled(new Float32Array(b * n), 4);
    const make = () => new Float64Array(b * k).fill(1);
    const [y1, y2] = both(pool, (y) => gemmPacked(false, b, 1, blk, 0, n, panel, 1, y, 0, k), make);
    expect(y2).toEqual(y1);
    const ref = make();
    gemmTs(false, false, b, k, n, 1, blk, 0, n, omega, 0, k, 1, ref, 0, k);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(ref[i] - y2[i])).toBeLessThan(1e-3);
    freePanel(panel);
    expect(() => gemmPacked(false, b, 1, blk, 0, n, panel, 1, y1, 0, k)).toThrow(/freed/);
  });

  it('arena operands are shared with the workers without copies', () => {
    const [m, n, k] = [40, 2048, 512];
    const g = filled(allocF64(k * m), 8), a = filled(allocF64(k * n), 9);
    // Co-range shape X (m x n) += G^T (m x k) A (k x n), split by column panels.
    const [x1, x2] = both(pool, (c) => gemm(true, false, m, n, k, 1, g, 0, m, a, 0, n, 0, c, 0, n), () => allocF64(m * n));
    expect(x1).not.toBe(x2);
    expect(x2).toEqual(x1);
    expect(x1.some((v) => v !== 0)).toBe(true);
    for (const v of [g, a, x1, x2]) freeArena(v as Float64Array);
  });
});

describe('kernel thread pool life cycle', () => {
  it('stop() uninstalls the pool and ends the workers; products still work single-threaded', async () => {
    const p = (await startKernelThreads(2))!;
    expect(kernelThreadCount()).toBe(2);
    await p.stop();
    expect(kernelThreadCount()).toBe(1);
    const c = new Float64Array(64 * 64);
    gemm(false, false, 64, 64, 512, 1, new Float64Array(64 * 512).fill(1), 0, 512, new Float64Array(512 * 64).fill(1), 0, 64, 0, c, 0, 64);
    expect(c.every((v) => v === 512)).toBe(true);
    expect(await startKernelThreads(1)).toBeNull();
    await expect(startKernelThreads(0)).rejects.toThrow(/1 to 64/);
  });
});

describe('kernel thread pool in a separate process', () => {
  it('idle workers do not keep the process alive, also when eval code runs as a module', () => {
    const script = [
      "import { startKernelThreads } from './streams/thread-pool.ts';",
      "import { gemm } from './src/kernels/gemm.ts';",
      "import { workerChunkCount } from './src/kernels/kernel-threads.ts';",
      'const pool = await startKernelThreads(2);',
      'const n = 1024, c = new Float64Array(n * n);',
      'gemm(false, false, n, n, n, 1, new Float64Array(n * n).fill(1), 0, n, new Float64Array(n * n).fill(3), 0, n, 0, c, 0, n);',
      "console.log(JSON.stringify({ workers: pool.workers, c: c[7], chunks: workerChunkCount() }));",
    ].join('\n');
    // --input-type=module is inherited by the workers: their eval'd source must still run.
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { workers: number; c: number; chunks: number };
    expect(out).toEqual({ workers: 1, c: 3072, chunks: out.chunks });
    expect(out.chunks).toBeGreaterThan(0);
  });
});
