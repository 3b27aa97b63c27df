/**
 * A factor written while its rows are produced: U from the range spill, block by block
 * (docs/METHODS.md §6), or any factor given whole. `.npy` (create-npy-writer.ts), Arrow IPC
 * (create-arrow-writer.ts) and Parquet (create-parquet-writer.ts) sinks share this face; the table
 * formats hold at most one record batch / row group of rows (`batchRows`), never the factor.
 */
import type { Matrix } from '../../src/internals.js';
import type { FileSet } from './atomic-file.js';
import type { LabelColumn, RowLabels } from './row-labels.js';

export interface FactorSink {
  readonly path: string;
  readonly rowsWritten: number;
  /** The most rows held in memory at once (a batch or row group being filled), for tests and notes. */
  readonly peakBufferedRows: number;
  /** Rows of `block` (any stride), starting at row `rowStart` (rows arrive in order), with their labels if the sink has a label column. */
  write(rowStart: number, block: Matrix, labels?: RowLabels): void;
  /** Writes what is held, checks the row count, hands the file to its set (or renames it into place). */
  close(): Promise<void>;
  /** Removes the temporary file; safe to call more than once and after close(). */
  abort(): void;
}

export interface FactorSinkOptions {
  /** Rows the factor will have, when known: close() refuses another count. */
  rows?: number;
  cols: number;
  dtype: 'float32' | 'float64';
  /** A leading column naming each row (table formats). */
  label?: LabelColumn;
  /** Rows per record batch / row group (default `defaultBatchRows(cols)`). */
  batchRows?: number;
  metadata?: Readonly<Record<string, string>>;
  /** Hand the finished file to this set instead of renaming it alone (output-set.ts). */
  set?: FileSet;
}

/**
 * Rows per batch / row group when not given: about 2^20 values (8 MiB of float64), between 1024 and
 * 65536 rows: large enough that readers see few groups, small enough that a writer's buffer and the
 * encoder's copies stay a few MiB whatever the number of rows.
 */
export function defaultBatchRows(cols: number): number {
  return Math.max(1024, Math.min(65536, Math.floor((1 << 20) / Math.max(1, cols))));
}
