/**
 * The shape of a sketch method: one module per method (three-sketch/, two-sketch/, rsvd/, fd/)
 * with create / update / merge / serialize / reconstruct over its own record, registered in one
 * line in registry.ts. The face (index.ts) validates, dispatches once on `state.method`, and does
 * what every method shares (row coverage, merge of the additive sums, the serialized header).
 */
import type { Matrix } from '../matrix.js';
import type {
  LowRankFactors, RangeSpill, Reconstruction, SketchDType, SketchMethod, SketchSizes, SketchState, SketchTestMatrix,
} from './types.js';

/** Everything that fixes a record's layout: equal params = mergeable records. */
export interface SketchParams {
  readonly method: SketchMethod;
  readonly testMatrix: SketchTestMatrix;
  readonly dtype: SketchDType;
  readonly seed: number;
  readonly cols: number;
  readonly rank: number;
  readonly sizes: SketchSizes;
  readonly center: boolean;
}

/** One entry of a record's layout table: a named array and its bytes. */
export interface LayoutEntry {
  readonly name: string;
  readonly bytes: number;
}

export interface ReconstructOptions {
  /** Rank of the output (default the sketch's `rank`). */
  rank?: number;
  /** A spill to read the range rows from (defaults to the state's own, if it can be read). */
  spill?: RangeSpill;
  /**
   * Who decides the signs: 'v' (default: each column of V has its largest-magnitude entry
   * positive), 'u' (the same on U, formed from the spill: a column stream, whose V of A is this
   * sketch's U), or 'pending' (the caller decides on U as it forms it; see `flipColumns`).
   */
  signs?: 'v' | 'u' | 'pending';
  /**
   * The single-view cores' rank-resolution guard (default true): lower the rank, with a note, when
   * the error sketch does not show the rank-r result closer to A than zero (resolve-rank.ts).
   * Benchmarks of the raw method turn it off.
   */
  guard?: boolean;
}

export interface MethodModule<S extends SketchState = SketchState> {
  readonly method: S['method'];
  /** The method's code in the serialized header (stable across versions; never reuse one). */
  readonly code: number;
  /** Sizes when no budget and no explicit sizes are given (the papers' defaults). */
  defaultSizes(rank: number, cols: number, q: number, chunk: number): SketchSizes;
  /** Validate explicit sizes (throws ArgumentError naming the size). */
  checkSizes(rank: number, cols: number, sizes: SketchSizes): void;
  /**
   * The layout table: every array a record with these params holds (sums, kept maps, engine
   * workspace). Its total is what a memory budget is checked against, and a test checks that it
   * equals what `create` allocates (`stateBytes`).
   */
  layout(p: SketchParams): LayoutEntry[];
  /** A fresh, empty record. */
  create(p: SketchParams, spill: RangeSpill | undefined): S;
  /** Absorb a validated block of rows (global row numbers from rowStart). */
  updateRows(st: S, block: Matrix, rowStart: number, overlaps: boolean): void;
  /** The non-additive part of a merge into `out` (sums, coverage and counters are done by the face). */
  mergeInto(out: S, a: S, b: S, overlap: boolean): void;
  /** The non-additive arrays written after the sums when serializing, in order (set on read). */
  extraArrays(st: S): Float64Array[];
  /** Scalars written with them (rangeScale, fdRows, flags), and their inverse. */
  extraScalars(st: S): number[];
  setExtraScalars(st: S, x: readonly number[]): void;
  reconstruct(st: S, opts: ReconstructOptions): Reconstruction;
  /** The sketch's full low-rank approximation (not for FD). */
  lowRank?(st: S, opts: { spill?: RangeSpill; formQ?: boolean }): LowRankFactors;
  /** Free WebAssembly memory now (the record stays readable). */
  dispose(st: S): void;
}
