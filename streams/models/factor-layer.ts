/**
 * The one place where model compression calls the engine (src/ and the multi-pass driver): when
 * the engine's public API changes, only this file changes.
 *
 * `factorLayer(w, opts)` computes the rank-k factorization W ~ U diag(s) V^T of one weight matrix:
 * - in memory when the layer fits the budget (`inMemoryBytes`): W is read whole (float64) and
 *   factored by randomized subspace iteration with q = passes - 1 (`randomizedSubspaceIteration`,
 *   p = 10, Gaussian test matrix) or by the exact SVD (`method: 'exact'`); the spectral error
 *   ||W - U S V^T||_2 is measured by Golub–Kahan–Lanczos on the implicit difference
 *   (`spectralNorm(differenceOperator(...))`, never formed); the exact SVD of the layer is the
 *   baseline (its time, and sigma_{k+1} for the normalized error);
 * - streamed otherwise: the layer is a replayable BlockSource reading row blocks at file offsets,
 *   planned by `planPasses` (RSI, the same q, p = 10) within the budget and run by `runPasses` with a
 *   file spill, so neither W nor U is ever whole in memory; U comes back as row blocks. Its spectral
 *   error is not measured (each Lanczos step would be two passes over the file), its Frobenius error
 *   is exact: ||W - U S V^T||_F^2 = ||W||_F^2 - sum s_j^2 for an orthogonal projection.
 */
import { defer, Observable } from 'rxjs';
import {
  BudgetError, differenceOperator, planPasses, randomizedSubspaceIteration, spectralNorm, svd, zeros, type Matrix64,
} from '../../src/internals.js';
import { runPasses } from '../run-passes.js';
import type { BlockSource, RowBlock, SourceInfo } from '../types.js';
import type { WeightMatrix } from './model-types.js';

export const DEFAULT_OVERSAMPLES = 10;

export interface FactorOptions {
  rank: number;
  /** 'rsi' (randomized subspace iteration, q = passes - 1) or 'exact' (the truncated SVD). */
  method: 'rsi' | 'exact';
  passes: number;
  seed: number;
  /** Bytes the numeric state of one layer may use. */
  memoryBudget: number;
  /** Also run the exact SVD of the layer (in memory only) for its time and sigma_{k+1}. */
  baseline: boolean;
  /** Lanczos steps for the spectral error (default 100). */
  lanczosSteps?: number;
  tmpDir?: string;
}

export interface LayerFactorization {
  rank: number;
  mode: 'memory' | 'streamed';
  s: Float64Array;
  /** m x rank (in memory), or undefined when streamed: then `uBlocks`. */
  u?: Matrix64;
  uBlocks?: () => Observable<RowBlock>;
  /** n x rank. */
  v: Matrix64;
  seconds: number;
  /** ||W - U S V^T||_2 (in memory only). */
  spectralError: number | null;
  frobeniusError: number;
  frobeniusNorm: number;
  /** sigma_1, sigma_{k+1} of W (from the baseline SVD; sigma_1 also from the factorization). */
  sigmaNext: number | null;
  exactSeconds: number | null;
  /** The oversampling and passes actually used. */
  oversamples: number;
  passes: number;
  dispose(): void;
}

/** Bytes the in-memory path needs for an m x n layer at block width l (W, its SVD, RSI's blocks). */
export function inMemoryBytes(m: number, n: number, l: number, baseline: boolean): number {
  const p = Math.min(m, n);
  return 8 * (m * n + 4 * (m + n) * l + (baseline ? m * n + (m + n) * p + 2 * p * p : 0));
}

/** The rows of W (all of them) as a packed float64 matrix. */
function loadMatrix(w: WeightMatrix): Matrix64 {
  const a = zeros(w.rows, w.cols);
  const blockRows = Math.max(1, Math.floor((4 << 20) / (4 * w.cols)));
  const buf = new Float32Array(blockRows * w.cols);
  for (let r0 = 0; r0 < w.rows; r0 += blockRows) {
    const count = Math.min(blockRows, w.rows - r0);
    const rows = w.readRows(r0, count, buf);
    a.data.set(rows.subarray(0, count * w.cols), r0 * w.cols);
  }
  return a;
}

/** A weight matrix as a replayable BlockSource of float32 row blocks (about 4 MiB each). */
export function weightSource(w: WeightMatrix, blockBytes = 4 << 20): BlockSource {
  const blockRows = Math.max(1, Math.floor(blockBytes / (4 * w.cols)));
  const info: SourceInfo = {
    rows: w.rows, cols: w.cols, dtype: 'float32', layout: `model-${w.dtype}`, batches: Math.ceil(w.rows / blockRows),
    orientation: 'rows', where: `${w.where}: tensor '${w.name}'`,
  };
  return {
    replayable: true,
    info: () => Promise.resolve(info),
    open: () => defer(() => new Observable<RowBlock>((sub) => {
      const buf = new Float32Array(blockRows * w.cols);
      let stopped = false;
      // One block per macrotask: the consumer folds it in synchronously inside next (types.ts).
      const step = (r0: number): void => {
        if (stopped) return;
        if (r0 >= w.rows) { sub.complete(); return; }
        try {
          const count = Math.min(blockRows, w.rows - r0);
          const data = w.readRows(r0, count, buf);
          sub.next({ rowStart: r0, rows: count, cols: w.cols, data });
        } catch (e) { sub.error(e); return; }
        setImmediate(step, r0 + blockRows);
      };
      setImmediate(step, 0);
      return () => { stopped = true; };
    })),
  };
}

function frobenius2(a: Matrix64): number {
  let t = 0;
  for (let i = 0; i < a.rows * a.cols; i++) t += a.data[i] * a.data[i];
  return t;
}

function residual(norm2: number, s: ArrayLike<number>): number {
  let k2 = 0;
  for (let j = 0; j < s.length; j++) k2 += s[j] * s[j];
  return Math.sqrt(Math.max(0, norm2 - k2));
}

function truncate(x: Matrix64, r: number): Matrix64 {
  if (x.cols === r) return x;
  const out = zeros(x.rows, r);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < r; j++) out.data[i * r + j] = x.data[x.offset + i * x.stride + j];
  return out;
}

export async function factorLayer(w: WeightMatrix, opts: FactorOptions): Promise<LayerFactorization> {
  const { rank } = opts;
  const l = Math.min(rank + DEFAULT_OVERSAMPLES, w.rows, w.cols);
  const need = inMemoryBytes(w.rows, w.cols, l, opts.baseline || opts.method === 'exact');
  if (need <= opts.memoryBudget) return factorInMemory(w, opts);
  if (opts.method === 'exact') {
    throw new BudgetError(`${w.where}: tensor '${w.name}' (${w.rows} x ${w.cols}) needs about ${need} bytes for the exact SVD in memory, more than the memory budget ${opts.memoryBudget}: raise --memory-budget or use RSI (--passes), which streams it`);
  }
  return factorStreamed(w, opts);
}

function factorInMemory(w: WeightMatrix, opts: FactorOptions): LayerFactorization {
  const { rank } = opts;
  const a = loadMatrix(w);
  const norm2 = frobenius2(a);
  let exactSeconds: number | null = null;
  let sigmaNext: number | null = null;
  let full: ReturnType<typeof svd> | undefined;
  if (opts.baseline || opts.method === 'exact') {
    const t = performance.now();
    full = svd(a);
    exactSeconds = (performance.now() - t) / 1000;
    sigmaNext = rank < full.s.length ? full.s[rank] : 0;
  }
  let u: Matrix64, s: Float64Array, v: Matrix64, seconds: number;
  const t0 = performance.now();
  if (opts.method === 'exact') {
    u = truncate(full!.u, rank); s = full!.s.slice(0, rank); v = truncate(full!.v, rank);
    seconds = exactSeconds!;
  } else {
    const r = randomizedSubspaceIteration(a, {
      rank, oversamples: DEFAULT_OVERSAMPLES, powerIterations: opts.passes - 1, seed: opts.seed, testMatrix: 'gaussian',
    });
    u = r.u; s = r.s; v = r.v;
    seconds = (performance.now() - t0) / 1000;
  }
  const spectralError = spectralNorm(differenceOperator(a, u, s, v), { maxIter: opts.lanczosSteps ?? 100, seed: opts.seed });
  return {
    rank, mode: 'memory', s, u, v, seconds, spectralError, frobeniusError: residual(norm2, s), frobeniusNorm: Math.sqrt(norm2),
    sigmaNext, exactSeconds, oversamples: Math.min(rank + DEFAULT_OVERSAMPLES, w.rows, w.cols) - rank,
    passes: opts.method === 'exact' ? 1 : opts.passes, dispose: () => undefined,
  };
}

async function factorStreamed(w: WeightMatrix, opts: FactorOptions): Promise<LayerFactorization> {
  const plan = planPasses({
    passes: opts.passes, memoryBudget: opts.memoryBudget, rank: opts.rank, rows: w.rows, cols: w.cols,
    method: 'rsi', oversamples: DEFAULT_OVERSAMPLES,
  });
  const t0 = performance.now();
  const result = await runPasses(weightSource(w), plan, {
    seed: opts.seed, testMatrix: 'gaussian', spill: 'file', ...(opts.tmpDir ? { tmpDir: opts.tmpDir } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  const norm2 = result.frobeniusNorm ** 2;
  return {
    rank: opts.rank, mode: 'streamed', s: result.s, uBlocks: () => result.readTallFactor(), v: result.v!, seconds,
    spectralError: null, frobeniusError: residual(norm2, result.s), frobeniusNorm: result.frobeniusNorm,
    sigmaNext: null, exactSeconds: null, oversamples: plan.oversamples, passes: plan.passes,
    dispose: () => result.dispose(),
  };
}

/**
 * ||W - A B||_2 of stored factors (W m x n, A m x k, B k x n, row-major float32) by Lanczos on the
 * implicit difference: the error of what was written, rounding of the factors included.
 */
export function spectralErrorOfFactors(w: Float32Array, m: number, n: number, a: Float32Array, b: Float32Array, k: number, maxIter = 100): number {
  const wm = zeros(m, n);
  for (let i = 0; i < m * n; i++) wm.data[i] = w[i];
  const am = zeros(m, k);
  for (let i = 0; i < m * k; i++) am.data[i] = a[i];
  const bt = zeros(n, k);
  for (let j = 0; j < k; j++) for (let c = 0; c < n; c++) bt.data[c * k + j] = b[j * n + c];
  return spectralNorm(differenceOperator(wm, am, new Float64Array(k).fill(1), bt), { maxIter });
}
