/**
 * The contract between sources, operators, multi-pass drivers and the CLI.
 *
 * A row block is `rows` consecutive rows of the streamed matrix, starting at global row `rowStart`,
 * as a packed row-major typed array (`data.length >= rows * cols`, row i at `i * cols`). Sources
 * emit one record batch / row group / chunk per block, never one row per emission, and emit views
 * into the decoded buffers where the format allows (zero-copy).
 *
 * Column orientation: a column-block stream of A is a row stream of A^T (docs/METHODS.md §0). A source
 * opened with orientation 'columns' emits row blocks of A^T; the consumer swaps U and V at the end.
 *
 * Backpressure: RxJS has none once a stage is async. Sources pull: they read the next batch only
 * after `subscriber.next(block)` has returned, and consumers (sketch operators) do their work
 * synchronously inside `next`. A block's `data` may be reused or freed after `next` returns:
 * consumers that keep rows must copy them.
 */
import type { Observable } from 'rxjs';

export type Orientation = 'rows' | 'columns';

/** Labels of consecutive rows: integer ids as int64, text ids and names as strings (sinks/row-labels.ts). */
export type RowLabels = BigInt64Array | readonly string[];

export interface RowBlock {
  /** Global index of the first row of this block in the streamed matrix. */
  readonly rowStart: number;
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array;
  /** The ids of the block's rows (`idColumn` of an Arrow / Parquet source), one per row, in order. */
  readonly ids?: RowLabels;
}

/** What a source knows before (or without) reading the data. */
export interface SourceInfo {
  /** Rows of the streamed matrix, if known up front (files); undefined for sockets and stdin. */
  readonly rows?: number;
  /** Row length of the streamed matrix (columns of A, or rows of A for 'columns' orientation). */
  readonly cols: number;
  readonly dtype: 'float32' | 'float64';
  /** 'fixed-size-list', 'wide-table', 'npy-c', 'npy-fortran', 'parquet-wide', 'synthetic', ... */
  readonly layout: string;
  /** Record batches, row groups or chunks, where known. */
  readonly batches?: number;
  /** Column names in a wide layout, in matrix order. */
  readonly columnNames?: readonly string[];
  /** The id column the rows carry (`idColumn`): its name and how its ids travel (int64 or string). */
  readonly idColumn?: { readonly name: string; readonly kind: 'int64' | 'string' };
  readonly orientation: Orientation;
  /** Human-readable place, for error messages: a path, `stdin`, `tcp://127.0.0.1:9000`. */
  readonly where: string;
}

/**
 * A source of row blocks. `open()` returns a cold Observable that reads from the start; a
 * replayable source (a file) can be opened once per pass; a one-shot source (stdin, a socket)
 * errors on a second `open()` with a SourceError that says it cannot be replayed.
 */
export interface BlockSource {
  readonly replayable: boolean;
  /** Reads headers/metadata only. */
  info(): Promise<SourceInfo>;
  open(): Observable<RowBlock>;
}

/** Counters of the latest `open()` of a source (reset when a pass starts). */
export interface SourceStats {
  /** Blocks emitted. */
  blocks: number;
  /** Rows read from the input (before skipping). */
  rowsRead: number;
  /** Rows emitted. */
  rowsEmitted: number;
  /** Rows dropped by `nonFinite: 'skip'`. */
  rowsSkipped: number;
  /**
   * Their input row numbers (0-based, counted before any skipping; columns of A for a column
   * stream), ascending, the first MAX_SKIPPED_RECORDED of them (`rowsSkipped` counts them all).
   */
  skippedRows: number[];
  /** Rows in which `nonFinite: 'zero'` replaced at least one value. */
  rowsZeroed: number;
  /** Values replaced by `nonFinite: 'zero'`. */
  valuesZeroed: number;
}

/** A BlockSource that reports what its latest pass did. */
export interface MeasuredSource extends BlockSource {
  readonly stats: Readonly<SourceStats>;
}

/** How many skipped row numbers `SourceStats.skippedRows` keeps (8 bytes each; the count is always exact). */
export const MAX_SKIPPED_RECORDED = 100_000;

export function emptyStats(): SourceStats {
  return { blocks: 0, rowsRead: 0, rowsEmitted: 0, rowsSkipped: 0, skippedRows: [], rowsZeroed: 0, valuesZeroed: 0 };
}
