/**
 * Create an empty single-pass sketch of a row stream of A (m x n) [TYUC19 Alg. 4.1 (three-sketch),
 * TYUC17 Alg. 4.1 (two-sketch), Lib13 / GLPW16 Alg. 1 (Frequent Directions)].
 *
 * Notation: see types.ts. Sizes come from, in order: explicit `rangeDim`/`coreDim`/`coRangeDim`;
 * else `memoryBudget` (bytes) by `sizeRule` (sketch-sizes.ts); else the papers' defaults:
 * three-sketch k = 4r + 1, s = 2k + 1 [TYUC19 §5.4.3]; two-sketch k = 2r + 1, l = 2k + 1 [TYUC17 §4.5];
 * FD l = 4r + 1 (covariance error <= tau_{r+1}^2 / (l - r) [GLPW16 Thm. 1.1]). k is capped at n.
 * Default size rule under a budget: 'flat', because its regret in the error users see is bounded.
 * Evidence (bench/out/accuracy-single-view.md, 108 family x map x storage cells, three-sketch),
 * measured on the total error ||A - [[A_hat]]_r||_F / tau_{r+1} = 1 + excess: 'natural' is up to
 * 1.286x worse than 'flat' (LowRank + noise xi = 0.1 at T/(m+n) = 33: 1.636 vs 1.272, the flat
 * spectra of ALGORITHMS.md §2), while 'flat' is never more than 1.011x worse than 'natural' (its
 * larger *relative excess* on fast decay, up to 17.6x, is between excesses of 1e-13 and 1e-8).
 * 'flat' wins 78/108 cells. On the real slow-decay matrix of bench/out/pass-budget.md it gives 1.289x
 * the optimum against 1.435x for 'natural'. Choose 'natural' for a spectrum known to decay fast.
 * All options are validated here, synchronously (ArgumentError / BudgetError).
 */
import { ArgumentError } from '../errors.js';
import { freePanel, packPanel, type PackedPanel } from '../kernels/packed-panel.js';
import { fillItems, fillSparseSignItems, sparseSignZeta } from '../random/test-matrix.js';
import { memorySpill } from './memory-spill.js';
import { freeResidentChunk } from './resident-chunk.js';
import { residentLayout } from './resident-layout.js';
import {
  DEFAULT_CHUNK_ROWS, DEFAULT_ERROR_SKETCH_DIM, DEFAULT_TEST_MATRIX, checkSizes, sizesForBudget, sketchBytes, tsqrWorkspaceSizes, type SizeQuery,
} from './sketch-sizes.js';
import type { SketchMaps, SketchOptions, SketchSizes, SketchState, SketchWorkspace } from './types.js';

const EMPTY = new Float64Array(0);
const EMPTY_I = new Int32Array(0);
const EMPTY32 = new Float32Array(0);

export function createSketch(opts: SketchOptions): SketchState {
  const method = opts.method ?? 'three-sketch';
  const family = opts.testMatrix ?? DEFAULT_TEST_MATRIX;
  const seed = opts.seed ?? 0;
  const { cols: n, rank: r } = opts;
  const q = opts.errorSketchDim ?? DEFAULT_ERROR_SKETCH_DIM;
  const chunk = opts.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const isPosInt = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x > 0;
  if (method !== 'three-sketch' && method !== 'two-sketch' && method !== 'fd') {
    throw new ArgumentError(`method must be 'three-sketch', 'two-sketch' or 'fd', found ${String(method)}`);
  }
  if (family !== 'gaussian' && family !== 'sparse-sign') {
    throw new ArgumentError(`testMatrix must be 'gaussian' or 'sparse-sign', found ${String(family)}`);
  }
  if (!isPosInt(n)) throw new ArgumentError(`cols must be a positive integer, found ${n}`);
  if (!isPosInt(r)) throw new ArgumentError(`rank must be a positive integer, found ${r}`);
  if (r > n) throw new ArgumentError(`rank ${r} exceeds the ${n} columns`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ArgumentError(`seed must be an integer in [0, 2^32), found ${seed}`);
  if (!Number.isInteger(q) || q < 0) throw new ArgumentError(`errorSketchDim must be a non-negative integer, found ${q}`);
  if (!isPosInt(chunk)) throw new ArgumentError(`chunkRows must be a positive integer, found ${chunk}`);
  if (opts.rows !== undefined && !(Number.isInteger(opts.rows) && opts.rows >= 0)) {
    throw new ArgumentError(`rows must be a non-negative integer, found ${opts.rows}`);
  }
  if (opts.sizeRule !== undefined && opts.sizeRule !== 'natural' && opts.sizeRule !== 'flat') {
    throw new ArgumentError(`sizeRule must be 'natural' or 'flat', found ${String(opts.sizeRule)}`);
  }
  if (opts.memoryBudget !== undefined && !(Number.isFinite(opts.memoryBudget) && opts.memoryBudget > 0)) {
    throw new ArgumentError(`memoryBudget must be a positive number of bytes, found ${opts.memoryBudget}`);
  }
  if (opts.center && method === 'fd') throw new ArgumentError('center is not supported by Frequent Directions (it is not linear)');
  const explicit = opts.rangeDim !== undefined || opts.coreDim !== undefined || opts.coRangeDim !== undefined;

  let sizes: SketchSizes;
  if (explicit) {
    if (method === 'fd') {
      const l = opts.coRangeDim ?? 4 * r + 1;
      checkSizes(method, r, n, 0, l);
      sizes = { k: 0, s: 0, l, q, rule: 'explicit', chunk };
    } else {
      const k = opts.rangeDim ?? Math.min(n, method === 'three-sketch' ? 4 * r + 1 : 2 * r + 1);
      const x = method === 'three-sketch' ? (opts.coreDim ?? 2 * k + 1) : (opts.coRangeDim ?? 2 * k + 1);
      checkSizes(method, r, n, k, x);
      sizes = method === 'three-sketch' ? { k, s: x, l: 0, q, rule: 'explicit', chunk } : { k, s: 0, l: x, q, rule: 'explicit', chunk };
    }
  } else if (opts.memoryBudget !== undefined) {
    if (!opts.spill && opts.rows === undefined && method !== 'fd') {
      throw new ArgumentError('a memory budget needs a spill for the range rows, or `rows` (m) so that keeping them in memory can be counted');
    }
    const query: SizeQuery = {
      method, testMatrix: family, cols: n, rank: r, q, chunk,
      rowsInMemory: opts.spill || method === 'fd' ? 0 : opts.rows!,
    };
    sizes = sizesForBudget(query, opts.memoryBudget, opts.sizeRule ?? 'flat', opts.chunkRows !== undefined);
  } else if (method === 'fd') {
    sizes = { k: 0, s: 0, l: 4 * r + 1, q, rule: 'default', chunk };
  } else {
    const k = Math.min(n, method === 'three-sketch' ? 4 * r + 1 : 2 * r + 1);
    sizes = method === 'three-sketch'
      ? { k, s: 2 * k + 1, l: 0, q, rule: 'default', chunk }
      : { k, s: 0, l: 2 * k + 1, q, rule: 'default', chunk };
  }
  const state = allocateSketch(method, family, seed, n, r, sizes, !!opts.center, opts.rows ?? 0,
    method === 'fd' ? undefined : (opts.spill ?? memorySpill()));
  if (opts.memoryBudget !== undefined && method === 'three-sketch' && !explicit) {
    // Under a budget the resident workspace of float32 rows (resident-chunk.ts) is used only if it
    // fits in what the sketch leaves: the sizes are chosen without it, so accuracy never pays for speed.
    const query: SizeQuery = {
      method, testMatrix: family, cols: n, rank: r, q, chunk: sizes.chunk,
      rowsInMemory: opts.spill ? 0 : opts.rows!,
    };
    const resident = residentLayout(family === 'sparse-sign', n, sizes.k, sizes.s, q, sizes.chunk, tsqrWorkspaceSizes(sizes.k + 1, sizes.chunk)).bytes;
    state.work.residentAllowed = sketchBytes(query, sizes.k, sizes.s) + resident <= opts.memoryBudget;
  }
  return state;
}

/** Allocate the arrays of a sketch with given sizes (shared by create, merge and deserialize). */
export function allocateSketch(
  method: SketchState['method'], family: SketchState['testMatrix'], seed: number, n: number, r: number,
  sizes: SketchSizes, center: boolean, rows: number, spill: SketchState['spill'], keptMaps?: SketchMaps,
): SketchState {
  const { k, s, l, q, chunk: c } = sizes;
  const k1 = k + 1;
  const sparse = family === 'sparse-sign';
  // The kept maps are immutable once generated, so merged states may share them.
  const maps: SketchMaps = keptMaps ?? { omegaT: EMPTY, omegaIdx: EMPTY_I, omegaVal: EMPTY, psi: EMPTY, psiIdx: EMPTY_I, psiVal: EMPTY, panel: null, panel32: null };
  if (method !== 'fd' && !keptMaps) {
    if (sparse) {
      const z = sparseSignZeta(k);
      maps.omegaIdx = new Int32Array(n * z); maps.omegaVal = new Float64Array(n * z);
      fillSparseSignItems(seed, 'omega', k, 0, n, maps.omegaIdx, maps.omegaVal);
    } else {
      maps.omegaT = new Float64Array(n * k);
      fillItems('gaussian', seed, 'omega', k, 0, n, maps.omegaT);
    }
    if (method === 'three-sketch') {
      if (sparse) {
        const z = sparseSignZeta(s);
        maps.psiIdx = new Int32Array(n * z); maps.psiVal = new Float64Array(n * z);
        fillSparseSignItems(seed, 'psi', s, 0, n, maps.psiIdx, maps.psiVal);
      } else {
        // Psi (s x n) is generated per column j (item j of the n axis), stored transposed to s x n.
        const psiT = new Float64Array(n * s);
        fillItems('gaussian', seed, 'psi', s, 0, n, psiT);
        maps.psi = new Float64Array(s * n);
        for (let j = 0; j < n; j++) for (let i = 0; i < s; i++) maps.psi[i * n + j] = psiT[j * s + i]!;
      }
    }
    {
      // [Omega^T | Psi^T] (n x (k + s)), packed once for every chunk of the stream (both families:
      // the sparse-sign maps are written out densely here).
      const w = method === 'three-sketch' ? k + s : k;
      const both = new Float64Array(n * w);
      for (let j = 0; j < n; j++) {
        if (sparse) {
          const zk = sparseSignZeta(k);
          for (let p = 0; p < zk; p++) both[j * w + maps.omegaIdx[j * zk + p]!] += maps.omegaVal[j * zk + p]!;
          if (method === 'three-sketch') {
            const zs = sparseSignZeta(s);
            for (let p = 0; p < zs; p++) both[j * w + k + maps.psiIdx[j * zs + p]!] += maps.psiVal[j * zs + p]!;
          }
        } else {
          for (let c = 0; c < k; c++) both[j * w + c] = maps.omegaT[j * k + c]!;
          if (method === 'three-sketch') for (let i = 0; i < s; i++) both[j * w + k + i] = maps.psi[i * n + j]!;
        }
      }
      maps.panel = packPanel(false, n, w, both, 0, w, 'float64');
      // A float32 copy, so float32 rows are multiplied without widening (float32 products,
      // accumulated in float64: KERNELS.md "Precision").
      maps.panel32 = packPanel(false, n, w, both, 0, w, 'float32');
      panelRegistry.register(maps, [maps.panel, maps.panel32], maps);
    }
  }
  const coDim = method === 'three-sketch' ? k : l;
  const tw = tsqrWorkspaceSizes(k1, c);
  const work: SketchWorkspace = {
    stack: method === 'fd' ? EMPTY : new Float64Array((k1 + c) * k1),
    tsqrWork: method === 'fd' ? EMPTY : new Float64Array(tw.work),
    tsqrPanel: method === 'fd' ? EMPTY : new Float64Array(tw.panel),
    coMap: method === 'fd' ? EMPTY : new Float64Array(c * (coDim + q)),
    coMap32: method === 'fd' ? EMPTY32 : new Float32Array(c * (coDim + q)),
    phiMap: method === 'three-sketch' ? new Float64Array(c * s) : EMPTY,
    phiMap32: method === 'three-sketch' ? new Float32Array(c * s) : EMPTY32,
    t32: method === 'three-sketch' ? new Float32Array(c * s) : EMPTY32,
    thetaMap: method === 'fd' ? new Float64Array(c * q) : EMPTY,
    t: method === 'three-sketch' ? new Float64Array(c * (k + s)) : EMPTY,
    a64: new Float64Array(c * n),
    resident: null,
    // Without a budget (or when createSketch finds room in it); merged and deserialized states
    // made under a budget do not know it and stay on the float64 workspace.
    residentAllowed: sizes.rule === 'default' || sizes.rule === 'explicit',
  };
  // Co-range and error sketch share one buffer so one product updates both (Gaussian path).
  const coErr = new Float64Array(method === 'fd' ? 0 : (coDim + q) * n);
  return {
    method, testMatrix: family, seed, cols: n, rank: r, sizes, center,
    rows, rowsSeen: 0, covered: [],
    coRange: method === 'fd' ? new Float64Array(2 * l * n) : coErr.subarray(0, coDim * n),
    coRangeAndError: coErr,
    core: new Float64Array(method === 'three-sketch' ? s * s : 0),
    errorSketch: method === 'fd' ? new Float64Array(q * n) : coErr.subarray(coDim * n),
    colSums: new Float64Array(n),
    coRangeOnes: new Float64Array(method === 'three-sketch' ? k : 0),
    rangeR: new Float64Array(method === 'fd' ? 0 : k1 * k1),
    coreRange: new Float64Array(method === 'fd' ? 0 : (method === 'three-sketch' ? s : l) * k1),
    errorRange: new Float64Array(method === 'fd' ? 0 : q * k1),
    rangeScale: 1,
    rangeRValid: true,
    fdRows: 0,
    maps, work, spill,
  };
}

/** Frees a packed panel once no sketch refers to its maps any more. */
const panelRegistry = new FinalizationRegistry<PackedPanel[]>((panels) => panels.forEach(freePanel));

/**
 * Release the sketch's packed panels and resident chunk buffers (WebAssembly memory) now rather
 * than at garbage collection. The state, and states merged from it, stay usable: they fall back to
 * the plain kept maps.
 */
export function disposeSketch(state: SketchState): void {
  const { panel, panel32 } = state.maps;
  state.maps.panel = null; state.maps.panel32 = null;
  panelRegistry.unregister(state.maps);
  if (panel) freePanel(panel);
  if (panel32) freePanel(panel32);
  const rc = state.work.resident;
  state.work.resident = null;
  if (rc) freeResidentChunk(rc);
}
