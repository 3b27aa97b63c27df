/**
 * Public types of the single-pass sketch engine: one plain record per method, all sharing a header
 * and the DataSketches life cycle create / update / merge / serialize / deserialize [docs/STYLE.md].
 * The face (index.ts) dispatches once on `method` to the method's module (registry.ts).
 *
 * Notation (A is m x n and arrives as a stream of ROWS; n = `cols` is the non-streamed axis):
 *
 * | symbol    | shape     | paper                           | here                                    |
 * |-----------|-----------|---------------------------------|-----------------------------------------|
 * | r         |           | target rank                     | `rank`                                  |
 * | k         |           | range sketch size               | `sizes.k` (rsvd: the block width l)     |
 * | s         |           | core sketch size [TYUC19]       | `sizes.s` (three-sketch)                |
 * | l         |           | co-range size [TYUC17]; FD rows | `sizes.l` (two-sketch, FD)              |
 * | q         |           | error sketch size [TYUC19 §6]   | `sizes.q`                               |
 * | Omega     | k x n     | range map (kept)                | `omega` (a KeptMap, src/maps)           |
 * | Upsilon   | k x m     | co-range map [TYUC19]           | regenerated per row, purpose 'upsilon'  |
 * | Phi       | s x m     | core left map [TYUC19]          | regenerated per row, purpose 'phi'      |
 * | Psi       | s x n     | core right map [TYUC19] (kept)  | `psi` (KeptMap), purpose 'psi'          |
 * | Psi       | l x m     | co-range map [TYUC17]           | regenerated per row, purpose 'psi'      |
 * | Theta     | q x m     | error map, Gaussian [TYUC19 §6] | regenerated per row, purpose 'theta'    |
 * | Y         | m x k     | range sketch A Omega^T          | rows go to the spill, never held        |
 * | X         | k x n     | co-range sketch Upsilon A       | `coRange` (three-sketch)                |
 * | W         | l x n     | co-range sketch Psi A           | `coRange` (two-sketch)                  |
 * | Z         | s x s     | core sketch Phi A Psi^T         | `core`                                  |
 * | H         | n x k     | A^T Y [Yu17] (rsvd)             | `gram`                                  |
 * | S         | q x n     | error sketch Theta A            | `errorSketch`                           |
 * | R         | k+1 x k+1 | TSQR R factor of [Y 1]          | `rangeR`                                |
 * | L [Y 1]   | s x k+1   | accumulated range, left side    | `coreRange` (Phi [Y 1]; two-sketch Psi [Y 1]) |
 * | Theta[Y 1]| q x k+1   | accumulated error-side range    | `errorRange`                            |
 *
 * The column of ones in `[Y 1]` carries Phi 1, Psi 1, Theta 1 and the ones direction of the TSQR so
 * that centering (PCA) is exact after the fact [docs/METHODS.md §6]: with column mean mu and
 * c = Omega mu, the centered range sketch is [Y 1] [I; -c^T] and its R factor is R [I; -c^T].
 */
import type { Matrix, Matrix64 } from '../matrix.js';
import type { KeptMap } from '../maps/kept-map.js';
import type { TestMatrixName } from '../maps/test-matrix.js';
import type { Workspace } from './engine/workspace.js';

export type SketchMethod = 'three-sketch' | 'two-sketch' | 'rsvd' | 'fd';
export type SketchTestMatrix = TestMatrixName;
/** Element type of the engine's products: float32 rows are multiplied in float32, all sums are float64. */
export type SketchDType = 'float32' | 'float64';
/**
 * How sizes were chosen [TYUC19 §5.4; docs/METHODS.md §2]: 'natural' and 'flat' from a budget
 * (src/plan), 'oversample' (rsvd: l = r + p), 'explicit' by the caller, 'default' the papers'.
 */
export type SizeRule = 'natural' | 'flat' | 'oversample' | 'explicit' | 'default';

/**
 * Receiver of the range sketch's rows (y_i = a_i Omega^T, 1 x k), so that the in-memory state does
 * not depend on the number of rows [docs/METHODS.md §6]. Synchronous; `y` is a view into a
 * workspace that is reused after the call returns, so a spill must copy.
 *
 * Contract: the range sketch Y is `rangeScale` times the SUM of all rows written for each global
 * row index. Row-block streams write each row once; entry updates, general linear updates and
 * overlapping row blocks may write a row several times (the spill sums them).
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
  /** Optional: the row intervals written to it so far (as `covered`), so a reader can tell missing rows. */
  covered?(): number[];
}

export interface SketchOptions {
  /** n: the length of each streamed row (the non-streamed dimension). */
  cols: number;
  /** r: the target rank (fixed-rank output and size rules). */
  rank: number;
  /** Default 'three-sketch' [TYUC19]; 'rsvd' is the single-pass Gram RSVD [Yu17] (whole rows only). */
  method?: SketchMethod;
  /** Default 'sparse-sign' (DEFAULT_TEST_MATRIX): nnz = min(dim, 8) per entry instead of dim; 'gaussian' for the papers' bounds. */
  testMatrix?: SketchTestMatrix;
  /**
   * Element type of the products (default 'float64'). 'float32' multiplies float32 rows in float32
   * (about twice the speed; sums stay float64); blocks of the other type are converted per chunk.
   */
  dtype?: SketchDType;
  /** Seed of every test matrix; shards with the same seed merge by addition. Default 0. */
  seed?: number;
  /**
   * Memory budget in bytes for the in-memory state (src/plan turns it into sizes; the layout table
   * of each method says what it covers). Without a budget the papers' defaults apply: three-sketch
   * k = 4r + 1, s = 2k + 1 [TYUC19 §5.4.3]; two-sketch k = 2r + 1, l = 2k + 1 [TYUC17 §4.5];
   * rsvd l = r + max(10, r) [HMT11 §4.2, §10]; FD l = 4r + 1.
   */
  memoryBudget?: number;
  /** Default 'flat' (see src/plan). */
  sizeRule?: 'natural' | 'flat';
  /** Explicit k (overrides the budget; rsvd: the block width l). */
  rangeDim?: number;
  /** Explicit s (three-sketch core size). */
  coreDim?: number;
  /** Explicit l (two-sketch co-range size, FD sketch rows). */
  coRangeDim?: number;
  /** q: rows of the error sketch [TYUC19 §6]; default 10; 0 disables the a-posteriori estimate. */
  errorSketchDim?: number;
  /** m if known; with no `spill` the range rows are held in memory and count against a budget. */
  rows?: number;
  /** PCA: approximate A - 1 mu^T with mu the column mean, exactly after the fact. Default false. */
  center?: boolean;
  /** Where the range rows go. Default: an in-memory `memorySpill()` (state then grows with m). */
  spill?: RangeSpill;
  /** Rows processed per internal chunk (workspace height); default min(256, 2^20 / n), at least 8. */
  chunkRows?: number;
  /** Sizes resolved by a planner (src/plan `planApprox`); they win over every other size option. */
  sizes?: SketchSizes;
}

export interface SketchSizes {
  /** Range size (three-, two-sketch), block width l (rsvd); 0 for FD. */
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

/** What every record has. */
export interface SketchHeader {
  readonly method: SketchMethod;
  readonly testMatrix: SketchTestMatrix;
  readonly dtype: SketchDType;
  readonly seed: number;
  readonly cols: number;
  readonly rank: number;
  readonly sizes: SketchSizes;
  readonly center: boolean;
  /** Row extent: max global row index seen + 1 (or the declared `rows` if larger). */
  rows: number;
  /** Row vectors absorbed (counted with multiplicity). */
  rowsSeen: number;
  /** Sorted disjoint half-open row intervals [a0, b0, a1, b1, ...] absorbed. */
  covered: number[];
  /**
   * Every additive array of the record in one float64 buffer (they add when shards merge, and are
   * written in this order when serialized); the named arrays below are views into it.
   */
  readonly sums: Float64Array;
  /** S = Theta A (q x n). */
  readonly errorSketch: Float64Array;
  /** 1^T A (n): column sums, for centering. */
  readonly colSums: Float64Array;
}

/** The range side shared by the linear methods: [Y 1] spilled, its TSQR factor and accumulators. */
export interface RangeSide {
  /** Theta [Y 1] (q x (k+1)). */
  readonly errorRange: Float64Array;
  /**
   * ||A||_F of the rows absorbed (4, additive): Blue's accumulators [small, medium, big] of the sum
   * of squares (src/kernels/ops.ts `sumSquares`, measured by the kernel that checks each chunk) and
   * a count of updates that are not whole rows (entries, low-rank H): `measuredNorm` reads them.
   */
  readonly sumSquares: Float64Array;
  /** TSQR R factor of [Y 1] ((k+1) x (k+1), upper triangular, diag >= 0). */
  readonly rangeR: Float64Array;
  /** Y = rangeScale * (sum of the rows written to the spill); changed only by `updateLinear`. */
  rangeScale: number;
  /** False once a row was written twice (entries, linear updates, overlapping blocks): R must be rebuilt from the spill. */
  rangeRValid: boolean;
  /** The spill (not serialized); undefined after a merge of spills that cannot be combined. */
  spill: RangeSpill | undefined;
  /**
   * Row intervals whose range rows the current spill holds (like `covered`). U can be formed from
   * the spill only when this equals `covered`; a deserialized record with a fresh spill holds none
   * of the rows absorbed before.
   */
  spillCovered: number[];
  /** Omega (k x n), kept (regenerable from the seed, so not serialized). */
  readonly omega: KeptMap;
  /** The engine's workspace (not serialized); null after `disposeSketch`. */
  engine: Workspace | null;
}

export interface ThreeSketchState extends SketchHeader, RangeSide {
  readonly method: 'three-sketch';
  /** X = Upsilon A (k x n). */
  readonly coRange: Float64Array;
  /** Z = Phi A Psi^T (s x s). */
  readonly core: Float64Array;
  /** Phi [Y 1] (s x (k+1)). */
  readonly coreRange: Float64Array;
  /** Upsilon 1 (k), for centering X. */
  readonly coRangeOnes: Float64Array;
  /** Psi (s x n), kept. */
  readonly psi: KeptMap;
}

export interface TwoSketchState extends SketchHeader, RangeSide {
  readonly method: 'two-sketch';
  /** W = Psi A (l x n). */
  readonly coRange: Float64Array;
  /** Psi [Y 1] (l x (k+1)). */
  readonly coreRange: Float64Array;
}

export interface RsvdState extends SketchHeader, RangeSide {
  readonly method: 'rsvd';
  /** H = A^T Y (n x k) [Yu17]. */
  readonly gram: Float64Array;
}

export interface FdState extends SketchHeader {
  readonly method: 'fd';
  /** The FD buffer B (2l x n); `fdRows` live rows. */
  readonly coRange: Float64Array;
  fdRows: number;
  /** Chunk workspace: Theta rows (c x q) and the chunk widened to float64 (c x n). */
  readonly work: { thetaMap: Float64Array; a64: Float64Array };
}

export type LinearState = ThreeSketchState | TwoSketchState | RsvdState;
export type SketchState = LinearState | FdState;

/** A fixed-rank (or full sketch-rank) factorization A ~ U diag(s) V^T [TYUC19 §4.2, §5.3]. */
export interface Reconstruction {
  /** Singular values, descending (r). */
  s: Float64Array;
  /** Right singular vectors (n x r), orthonormal. Signs: see `signs`. */
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
  /** U (m x r) when the spill holds every absorbed row and can be read back; otherwise undefined. */
  u?: Matrix64;
  /** Why `u` could not be formed (undefined when it was, or when no spill could be read back). */
  uMissing?: string;
  /** Theta U (q x r): the error map applied to U, so the a-posteriori estimate needs no pass. */
  thetaU: Matrix64;
  /** Column mean mu (n) subtracted when `center`; undefined otherwise. */
  mean?: Float64Array;
  /**
   * Which factor decided the signs (docs/METHODS.md "Signs"): 'v' = the largest-magnitude entry of
   * each column of v is positive (the rule for a row stream); 'pending' = the caller decides them
   * on the streamed factor (a column stream, whose V of A is U of this sketch).
   */
  signs: 'v' | 'u' | 'pending';
  /** Notes the caller should show (e.g. a rank the sketch could not resolve). */
  notes: string[];
}

/** Low-rank form A ~ Q C P^T [TYUC19 §4.2]. */
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
  /** Q itself when the spill can be read back and holds every row. */
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
  /**
   * Effective number of directions of the error, (sum lambda)^2 / sum lambda^2 over the eigenvalues
   * of (A - A_hat)^T (A - A_hat), estimated from the residual sketch (src/sketch/estimate-reliability.ts).
   */
  directions: number;
  /** Relative error below which rounding dominates the estimate (a fraction of ||A||_F; src/sketch/estimate-reliability.ts). */
  precisionFloor: number;
  /** Predicted probability that `frobenius` lies within [0.8, 1.25] of the true error (from q and `directions`). */
  inRangeProbability: number;
  /**
   * False when the estimate cannot be trusted by construction: `inRangeProbability` below 0.9 (too
   * few error-sketch rows for an error concentrated in few directions) or an error below the
   * rounding floor of the sketch. `frobenius` and `relative` are then not an answer: `unreliable`
   * says why (the CLI reports null and the reason) [docs/METHODS.md §4].
   */
  reliable: boolean;
  /** Why the estimate is not reliable (absent when it is). */
  unreliable?: string;
}

export interface ScreeBounds {
  /** For r = 0..K (K = number of core singular values): lower(r), upper(r) of the unexplained energy fraction. */
  lower: Float64Array;
  upper: Float64Array;
  /** Singular values of the core approximation (descending). */
  sigma: Float64Array;
  /** The ||A||_F the fractions divide by: measured in the pass when the record knows it (measuredNorm), else the error sketch's estimate. */
  normA: number;
  normMeasured: boolean;
  /** The a-posteriori error estimate err of the sketch's full approximation (rank K). */
  err: number;
}

/** Serialized format identity [docs/STYLE.md: DataSketches heapify]. */
export const SKETCH_FORMAT_VERSION = 3;
export const SKETCH_FAMILY_TAG = 'RFSK';
