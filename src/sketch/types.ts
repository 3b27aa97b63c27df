/**
 * Public types of the single-pass sketch engine: plain data plus functions, with the DataSketches
 * life cycle create / update / merge / serialize / deserialize [STYLE.md].
 *
 * Notation (A is m x n and arrives as a stream of ROWS; n = `cols` is the non-streamed axis):
 *
 * | symbol    | shape       | paper                          | here                                   |
 * |-----------|-------------|--------------------------------|----------------------------------------|
 * | r         |             | target rank                    | `rank`                                 |
 * | k         |             | range / co-range sketch size   | `sizes.k`                              |
 * | s         |             | core sketch size [TYUC19]      | `sizes.s` (three-sketch)               |
 * | l         |             | co-range size [TYUC17]         | `sizes.l` (two-sketch; FD sketch rows) |
 * | q         |             | error sketch size [TYUC19 §6]  | `sizes.q`                              |
 * | Omega     | k x n       | range map (kept)               | `omega` (stored as Omega^T, n x k)     |
 * | Upsilon   | k x m       | co-range map [TYUC19]          | regenerated per row, purpose 'upsilon' |
 * | Phi       | s x m       | core left map [TYUC19]         | regenerated per row, purpose 'phi'     |
 * | Psi       | s x n       | core right map [TYUC19] (kept) | `psi` (s x n), purpose 'psi'           |
 * | Psi       | l x m       | co-range map [TYUC17]          | regenerated per row, purpose 'psi'     |
 * | Theta     | q x m       | error map, Gaussian [TYUC19 §6]| regenerated per row, purpose 'theta'   |
 * | Y         | m x k       | range sketch A Omega^T         | rows go to the spill, never held       |
 * | X         | k x n       | co-range sketch Upsilon A      | `coRange` [three-sketch]               |
 * | W         | l x n       | co-range sketch Psi A          | `coRange` [two-sketch]                 |
 * | Z         | s x s       | core sketch Phi A Psi^T        | `core`                                 |
 * | S         | q x n       | error sketch Theta A           | `errorSketch`                          |
 * | R         | k+1 x k+1   | TSQR R factor of [Y 1]         | `rangeR`                               |
 * | Phi [Y 1] | s x k+1     | accumulated core-side range    | `coreRange` (two-sketch: Psi [Y 1])    |
 * | Theta[Y 1]| q x k+1     | accumulated error-side range   | `errorRange`                           |
 *
 * The extra column of ones in `[Y 1]` carries Phi 1, Psi 1, Theta 1 and the ones direction of the
 * TSQR so that centering (PCA) is exact after the fact [ALGORITHMS.md §6]: with column mean mu and
 * c = Omega mu, the centered range sketch is [Y 1] [I; -c^T] and its R factor is R [I; -c^T].
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import type { PackedPanel } from '../kernels/packed-panel.js';
import type { TestMatrixFamily } from '../random/test-matrix.js';
import type { ResidentChunk } from './resident-chunk.js';

export type SketchMethod = 'three-sketch' | 'two-sketch' | 'fd';
/** Test-matrix families offered by the engine (Rademacher exists in src/random but is not exposed). */
export type SketchTestMatrix = Extract<TestMatrixFamily, 'gaussian' | 'sparse-sign'>;
/**
 * How sketch sizes are derived from a budget [TYUC19 §5.4; ALGORITHMS.md §2]:
 * - 'natural': the core (or co-range) twice the range plus one (s = 2k + 1), k as large as fits;
 *   best on decaying spectra.
 * - 'flat': the (k, s) that fit and minimise the paper's error-bound factor
 *   (s - 1)/(s - k - 1) * (k + r - 1)/(k - r - 1); best on flat spectra.
 * - 'explicit': sizes given by the caller; 'default': no budget, the paper's defaults.
 */
export type SizeRule = 'natural' | 'flat' | 'explicit' | 'default';

/**
 * Receiver of the range sketch's rows (y_i = a_i Omega^T, 1 x k), so that the in-memory state does
 * not depend on the number of rows [ALGORITHMS.md §6]. Synchronous; `y` is a view into a workspace
 * that is reused after the call returns, so a spill must copy.
 *
 * Contract: the range sketch Y is `rangeScale` (see `SketchState`) times the SUM of all rows
 * written for each global row index. Row-block streams write each row once; entry updates, general
 * linear updates and overlapping row blocks may write a row several times (the spill sums them).
 */
export interface RangeSpill {
  write(rowStart: number, y: Matrix): void;
  /**
   * Optional: visit the summed rows in increasing row order, as blocks (a spill that can be read
   * back in src/, e.g. `memorySpill`). Needed only when the TSQR factor could not be kept
   * (`rangeRValid === false`) or to return U directly from `reconstruct`.
   */
  forEachBlock?(visit: (rowStart: number, y: Matrix64) => void): void;
  /** Bytes the spill holds in memory (0 for one that writes to disk). */
  bytes?(): number;
}

export interface SketchOptions {
  /** n: the length of each streamed row (the non-streamed dimension). */
  cols: number;
  /** r: the target rank (fixed-rank output and size rules). */
  rank: number;
  /** Default 'three-sketch' [TYUC19], the preferred single-pass method. */
  method?: SketchMethod;
  /** Default 'sparse-sign' (DEFAULT_TEST_MATRIX, sketch-sizes.ts): zeta = min(dim, 8) per entry instead of dim; 'gaussian' for the papers' bounds. */
  testMatrix?: SketchTestMatrix;
  /** Seed of every test matrix; shards with the same seed merge by addition. Default 0. */
  seed?: number;
  /**
   * Memory budget in bytes for the in-memory state (see `sketchBytes` for exactly what it covers).
   * Sizes k, s, l are derived from it by `sizeRule`. Without a budget the paper's defaults apply:
   * three-sketch k = 4r + 1, s = 2k + 1 [TYUC19 §5.4.3]; two-sketch k = 2r + 1, l = 2k + 1 [TYUC17 §4.5].
   */
  memoryBudget?: number;
  /** Default 'flat' (bounded regret in total error; see create-sketch.ts for the measured evidence). */
  sizeRule?: 'natural' | 'flat';
  /** Explicit k (overrides the budget). */
  rangeDim?: number;
  /** Explicit s (three-sketch core size; overrides the budget). */
  coreDim?: number;
  /** Explicit l (two-sketch co-range size, FD sketch rows; overrides the budget). */
  coRangeDim?: number;
  /** q: rows of the error sketch [TYUC19 §6]; default 10; 0 disables the a-posteriori estimate. */
  errorSketchDim?: number;
  /**
   * m if known. Only used when no `spill` is given: the range rows are then held in memory (a
   * `memorySpill`), count against the budget, and the budget rule needs m.
   */
  rows?: number;
  /** PCA: approximate A - 1 mu^T with mu the column mean, exactly after the fact. Default false. */
  center?: boolean;
  /** Where the range rows go. Default: an in-memory `memorySpill()` (state then grows with m). */
  spill?: RangeSpill;
  /** Rows processed per internal chunk (workspace height); default 256. Part of the budget. */
  chunkRows?: number;
}

export interface SketchSizes {
  k: number;
  /** Core size (three-sketch); 0 otherwise. */
  s: number;
  /** Co-range size (two-sketch) or FD sketch rows; 0 otherwise. */
  l: number;
  q: number;
  rule: SizeRule;
  /** Internal chunk height (rows per workspace pass). */
  chunk: number;
}

/**
 * The sketch: plain data. All arrays are float64, row-major, packed. Treat as opaque outside
 * src/sketch/ apart from reading; mutate only through the update functions.
 */
export interface SketchState {
  readonly method: SketchMethod;
  readonly testMatrix: SketchTestMatrix;
  readonly seed: number;
  readonly cols: number;
  readonly rank: number;
  readonly sizes: SketchSizes;
  readonly center: boolean;
  /** Row extent: max global row index seen + 1 (or the declared `rows` if larger). */
  rows: number;
  /** Row vectors absorbed by `updateRows` (counted with multiplicity). */
  rowsSeen: number;
  /** Sorted disjoint half-open row intervals [a0, b0, a1, b1, ...] written by `updateRows`. */
  covered: number[];
  /** X = Upsilon A (k x n) for the three-sketch; W = Psi A (l x n) for the two-sketch; FD: B (2l x n). */
  coRange: Float64Array;
  /**
   * One view over coRange followed by errorSketch ((k or l) + q) x n, for linear methods: the
   * Gaussian path updates both with one product [Upsilon; Theta] A. Empty for FD.
   */
  coRangeAndError: Float64Array;
  /** Z = Phi A Psi^T (s x s); empty otherwise. */
  core: Float64Array;
  /** S = Theta A (q x n). */
  errorSketch: Float64Array;
  /** 1^T A (n): column sums, for centering. */
  colSums: Float64Array;
  /** Upsilon 1 (k), for centering the three-sketch co-range. */
  coRangeOnes: Float64Array;
  /** TSQR R factor of [Y 1] ((k+1) x (k+1), upper triangular). */
  rangeR: Float64Array;
  /** Phi [Y 1] (s x (k+1)) for the three-sketch, Psi [Y 1] (l x (k+1)) for the two-sketch. */
  coreRange: Float64Array;
  /** Theta [Y 1] (q x (k+1)). */
  errorRange: Float64Array;
  /** Y = rangeScale * (sum of the rows written to the spill); changed only by `updateLinear`. */
  rangeScale: number;
  /** False once a row was written twice (entries, linear updates, overlapping blocks): R must be rebuilt from the spill. */
  rangeRValid: boolean;
  /** FD only: number of live rows in the buffer `coRange` (2l x n). */
  fdRows: number;
  /** Kept maps on the non-streamed axis (regenerable from the seed, so not serialized). */
  maps: SketchMaps;
  /** Reusable chunk workspace (not serialized). */
  work: SketchWorkspace;
  /** The spill (not serialized); undefined after a merge of non-memory spills or a deserialize. */
  spill: RangeSpill | undefined;
}

/** Omega^T (n x k) and, for the three-sketch, Psi (s x n): dense, or compressed sparse-sign. */
export interface SketchMaps {
  /** Dense Omega^T (n x k) row-major, or empty when sparse. */
  omegaT: Float64Array;
  /** Sparse Omega: for column j of Omega (row j of Omega^T), `zeta` indices into [0, k) and values. */
  omegaIdx: Int32Array;
  omegaVal: Float64Array;
  /** Dense Psi (s x n) row-major [three-sketch], or empty when sparse / not used. */
  psi: Float64Array;
  /** Sparse Psi: for column j of Psi, `zeta` indices into [0, s) and values. */
  psiIdx: Int32Array;
  psiVal: Float64Array;
  /**
   * [Omega^T | Psi^T] (n x (k + s)) (two-sketch: Omega^T) written densely (for sparse-sign too) and
   * packed once into the kernels' panel layout, so Y and A Psi^T come from one product per chunk
   * without repacking (KERNELS.md). Lives in WebAssembly memory; freed by `disposeSketch` or when
   * the maps are garbage collected. null after disposal (the plain arrays above serve then).
   */
  panel: PackedPanel | null;
  /** The same panel in float32, for float32 input blocks (no widening copy of the rows). */
  panel32: PackedPanel | null;
}

export interface SketchWorkspace {
  /** TSQR stack: (k+1 + chunk) x (k+1); rows k+1.. hold the chunk of [Y 1]. */
  stack: Float64Array;
  /** TSQR scratch: the chunk of [Y 1] transposed ((k+1) x chunk) and the compact-WY panel scratch. */
  tsqrWork: Float64Array;
  tsqrPanel: Float64Array;
  /**
   * Streamed-axis maps for one chunk, written densely (sparse-sign too): [Upsilon | Theta] rows
   * (three-sketch) or [Psi | Theta] rows (two-sketch), chunk x ((k or l) + q).
   */
  coMap: Float64Array;
  /** coMap in float32, for the product with float32 input blocks. */
  coMap32: Float32Array;
  /** Phi rows for one chunk (chunk x s), dense. */
  phiMap: Float64Array;
  /** Three-sketch, float32 rows: Phi rows and T = A Psi^T of one chunk in float32 (chunk x s each) for Z += Phi^T T. */
  phiMap32: Float32Array;
  t32: Float32Array;
  /** Theta rows for one chunk (chunk x q), FD only (the linear methods keep them in coMap). */
  thetaMap: Float64Array;
  /** Three-sketch: [Y | A Psi^T] for one chunk (chunk x (k + s)). */
  t: Float64Array;
  /** The input chunk converted to packed float64 (chunk x n) when it arrives as float32. */
  a64: Float64Array;
  /**
   * Three-sketch, float32 rows, WebAssembly kernels: the resident chunk buffers and sparse-sign
   * lists (resident-chunk.ts), allocated by the first float32 block; else null.
   */
  resident: ResidentChunk | null;
  /** Whether `resident` may be allocated: no memory budget, or one with room for it (createSketch). */
  residentAllowed: boolean;
}

/** A fixed-rank (or full sketch-rank) factorization A ~ U diag(s) V^T [TYUC19 §4.2, §5.3]. */
export interface Reconstruction {
  /** Singular values, descending (r). */
  s: Float64Array;
  /** Right singular vectors (n x r), orthonormal; sign fixed so each column's largest-magnitude entry is positive. */
  v: Matrix64;
  /**
   * U is obtained blockwise as U_blk = Y_blk * uRight + 1 * uShift (`applyRight`), with Y_blk the
   * rows as written to the spill (`uFrom === 'spill'`), or for FD U_blk = A_blk * uRight by a
   * second pass over the input (`uFrom === 'input'`). uRight is (k x r) ((n x r) for FD).
   */
  uRight: Matrix64;
  /** Row added to every U row (1 x r): nonzero only with centering; zeros otherwise. */
  uShift: Float64Array;
  uFrom: 'spill' | 'input';
  /** U (m x r) when the range rows could be read back from the spill; otherwise undefined. */
  u?: Matrix64;
  /** Theta U (q x r): the error map applied to U, so the a-posteriori estimate needs no pass. */
  thetaU: Matrix64;
  /** Column mean mu (n) subtracted when `center`; undefined otherwise. */
  mean?: Float64Array;
}

/** Low-rank form A ~ Q C P^T [TYUC19 §4.2] with Q = [Y 1] qRight-style factors. */
export interface LowRankFactors {
  /** Q (m x rho) = Y_blk * qRight + 1 * qShift, blockwise from the spill (as for U). */
  qRight: Matrix64;
  qShift: Float64Array;
  /** C (rho x kappa). */
  c: Matrix64;
  /** P (n x kappa), orthonormal. */
  p: Matrix64;
  /** Theta Q (q x rho). */
  thetaQ: Matrix64;
  /** Q itself when the spill can be read back. */
  q?: Matrix64;
  mean?: Float64Array;
}

export interface ErrorEstimate {
  /** Estimate of ||A - A_hat||_F from the error sketch: ||S - Theta A_hat||_F / sqrt(q). */
  frobenius: number;
  /** frobenius / normA. */
  relative: number;
  /** Estimate of ||A||_F (of the centered A when centering): ||S||_F / sqrt(q). */
  normA: number;
  /** q used. */
  q: number;
}

export interface ScreeBounds {
  /** For r = 0..K (K = number of core singular values): lower(r), upper(r) of the unexplained energy fraction. */
  lower: Float64Array;
  upper: Float64Array;
  /** Singular values of the core approximation (descending). */
  sigma: Float64Array;
}

/** Serialized format identity [STYLE.md: DataSketches heapify]. */
export const SKETCH_FORMAT_VERSION = 1;
export const SKETCH_FAMILY_TAG = 'RFSK';
