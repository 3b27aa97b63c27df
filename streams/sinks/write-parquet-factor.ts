/**
 * Writes a whole factor as a wide Parquet table, atomically, one row group at a time
 * (create-parquet-writer.ts, whose layout and options it takes). `dtype` defaults to the matrix's;
 * row groups of `rowGroupSize` rows (default 65536); snappy unless `compressed: false`.
 */
import type { Matrix } from '../../src/internals.js';
import type { FileSet } from './atomic-file.js';
import { createParquetWriter } from './create-parquet-writer.js';
import type { LabelColumn, RowLabels } from './row-labels.js';

export interface WriteParquetOptions {
  names?: readonly string[];
  dtype?: 'float32' | 'float64';
  rowGroupSize?: number;
  compressed?: boolean;
  metadata?: Readonly<Record<string, string>>;
  /** A leading column naming each row, and its labels (one per row). */
  label?: LabelColumn;
  labels?: RowLabels;
  /** Hand the finished file to this set instead of renaming it alone (output-set.ts). */
  set?: FileSet;
}

export async function writeParquetFactor(path: string, a: Matrix, opts: WriteParquetOptions = {}): Promise<void> {
  const { labels, rowGroupSize, ...rest } = opts;
  const w = createParquetWriter(path, {
    ...rest, rows: a.rows, cols: a.cols, dtype: opts.dtype ?? (a.data instanceof Float32Array ? 'float32' : 'float64'),
    batchRows: rowGroupSize ?? 65536,
  });
  if (a.rows > 0) w.write(0, a, labels);
  await w.close();
}
