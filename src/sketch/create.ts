/**
 * Options of a sketch, validated at the boundary (ArgumentError naming the option), and the
 * allocation of a record with resolved sizes. Sizes come from, in order: explicit
 * `rangeDim`/`coreDim`/`coRangeDim`; else the papers' defaults (the method module's
 * `defaultSizes`). A memory budget is turned into sizes by the planner (src/plan), which then calls
 * `allocateSketch`: the only place a budget becomes sizes.
 */
import { ArgumentError } from '../errors.js';
import { isTestMatrixName } from '../maps/test-matrix.js';
import { memorySpill } from './memory-spill.js';
import type { SketchParams } from './method.js';
import { isSketchMethod, methodOf } from './registry.js';
import type { RangeSpill, SketchOptions, SketchSizes, SketchState } from './types.js';

/**
 * q, the rows of the error sketch [docs/METHODS.md §4], for the single-view records (three-sketch,
 * two-sketch, FD), whose only report of their error is the a-posteriori estimate: 32, so that even
 * an error of one direction (the estimate then sqrt(chi^2_q / q) times the truth) lies within
 * [0.8, 1.25] with probability 0.92 (0.67 at q = 10). It costs q n multiply-adds and q Gaussians per
 * row and 8 q (n + k + 1 + chunk) bytes.
 */
export const DEFAULT_ERROR_SKETCH_DIM = 32;
/**
 * q for the one-pass Gram RSVD: its error is exact from the measured ||A||_F (a projection,
 * docs/METHODS.md §5), so the estimate serves only callers that cannot measure it; 10 keeps the
 * default method's pass cheap, and the estimate says when 10 rows are too few (estimate-reliability.ts).
 */
export const RSVD_ERROR_SKETCH_DIM = 10;

/** The default q of a method. */
export function defaultErrorSketchDim(method: string): number {
  return method === 'rsvd' ? RSVD_ERROR_SKETCH_DIM : DEFAULT_ERROR_SKETCH_DIM;
}
/** Rows per chunk: 256 (amortizes the per-call cost of the small products), fewer for very wide rows. */
export const DEFAULT_CHUNK_ROWS = 256;
export const MIN_CHUNK_ROWS = 8;
/**
 * Default test-matrix family of the single-pass sketches: sparse sign (nnz = min(dim, 8) per
 * column [TYUC19 §3.3]). Measured equal accuracy to Gaussian on the 108-cell grid
 * (bench/out/accuracy-single-view.md) at 1.7-3x the rows/s, and its compressed maps leave more of
 * a budget to the sketch. The error sketch Theta stays Gaussian; 'gaussian' gives [TYUC19]'s
 * proved bounds.
 */
export const DEFAULT_TEST_MATRIX = 'sparse-sign' as const;

/** The default chunk height for rows of n values: 256, lowered so a float64 chunk stays within 8 MiB. */
export function defaultChunk(n: number): number {
  return Math.max(MIN_CHUNK_ROWS, Math.min(DEFAULT_CHUNK_ROWS, Math.floor(2 ** 20 / n)));
}

/** Validate the options; the params of the record without its sizes (`sizes` resolved by the caller). */
export function sketchParamsOf(opts: SketchOptions): Omit<SketchParams, 'sizes'> & { q: number; chunk: number } {
  const method = opts.method ?? 'three-sketch';
  const testMatrix = opts.testMatrix ?? DEFAULT_TEST_MATRIX;
  const dtype = opts.dtype ?? 'float64';
  const seed = opts.seed ?? 0;
  const { cols: n, rank: r } = opts;
  const q = opts.errorSketchDim ?? defaultErrorSketchDim(method);
  const isPosInt = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x > 0;
  if (!isSketchMethod(method)) throw new ArgumentError(`method must be 'three-sketch', 'two-sketch', 'rsvd' or 'fd', found ${String(method)}`);
  if (!isTestMatrixName(testMatrix)) throw new ArgumentError(`testMatrix must be 'gaussian' or 'sparse-sign', found ${String(testMatrix)}`);
  if (dtype !== 'float32' && dtype !== 'float64') throw new ArgumentError(`dtype must be 'float32' or 'float64', found ${String(dtype)}`);
  if (!isPosInt(n)) throw new ArgumentError(`cols must be a positive integer, found ${n}`);
  if (!isPosInt(r)) throw new ArgumentError(`rank must be a positive integer, found ${r}`);
  if (r > n) throw new ArgumentError(`rank ${r} exceeds the ${n} columns`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ArgumentError(`seed must be an integer in [0, 2^32), found ${seed}`);
  if (!Number.isInteger(q) || q < 0) throw new ArgumentError(`errorSketchDim must be a non-negative integer, found ${q}`);
  const chunk = opts.chunkRows ?? defaultChunk(n);
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
  return { method, testMatrix, dtype, seed, cols: n, rank: r, center: !!opts.center, q, chunk };
}

/** Whether the options give sizes explicitly. */
export function hasExplicitSizes(opts: SketchOptions): boolean {
  return opts.rangeDim !== undefined || opts.coreDim !== undefined || opts.coRangeDim !== undefined;
}

/** Sizes from explicit options, else the method's defaults; validated. */
export function explicitOrDefaultSizes(opts: SketchOptions, q: number, chunk: number): SketchSizes {
  const method = opts.method ?? 'three-sketch', mod = methodOf(method), r = opts.rank, n = opts.cols;
  const def = mod.defaultSizes(r, n, q, chunk);
  if (!hasExplicitSizes(opts)) return def;
  const k = opts.rangeDim ?? def.k;
  const sizes: SketchSizes = {
    k, s: method === 'three-sketch' ? (opts.coreDim ?? 2 * k + 1) : 0,
    l: method === 'two-sketch' ? (opts.coRangeDim ?? 2 * k + 1) : method === 'fd' ? (opts.coRangeDim ?? def.l) : 0,
    q, rule: 'explicit', chunk,
  };
  mod.checkSizes(r, n, sizes);
  return sizes;
}

/** A fresh record with resolved params; the range rows go to `spill` (default: in memory). */
export function allocateSketch(p: SketchParams, spill?: RangeSpill): SketchState {
  return methodOf(p.method).create(p, p.method === 'fd' ? undefined : (spill ?? memorySpill()));
}

/** Bytes of a record with these params (its layout table), plus `rowsInMemory` range rows kept by a memory spill. */
export function layoutBytes(p: SketchParams, rowsInMemory = 0): number {
  const spill = p.method === 'fd' ? 0 : 8 * Math.ceil(rowsInMemory / 64) * 64 * p.sizes.k;
  return methodOf(p.method).layout(p).reduce((t, e) => t + e.bytes, 0) + spill;
}
