/**
 * Writes a whole factor as Arrow IPC, atomically, one batch at a time (create-arrow-writer.ts, whose
 * layouts and options it takes). `dtype` defaults to the matrix's; `batchRows` to 65536.
 */
import type { Matrix } from '../../src/internals.js';
import type { FileSet } from './atomic-file.js';
import { createArrowWriter } from './create-arrow-writer.js';
import type { LabelColumn, RowLabels } from './row-labels.js';

export interface WriteArrowOptions {
  layout?: 'fixed-size-list' | 'wide';
  format?: 'file' | 'stream';
  name?: string;
  names?: readonly string[];
  dtype?: 'float32' | 'float64';
  batchRows?: number;
  metadata?: Readonly<Record<string, string>>;
  /** A leading column naming each row, and its labels (one per row). */
  label?: LabelColumn;
  labels?: RowLabels;
  /** Hand the finished file to this set instead of renaming it alone (output-set.ts). */
  set?: FileSet;
}

export async function writeArrowFactor(path: string, a: Matrix, opts: WriteArrowOptions = {}): Promise<void> {
  const { labels, ...rest } = opts;
  const w = createArrowWriter(path, {
    ...rest, rows: a.rows, cols: a.cols, dtype: opts.dtype ?? (a.data instanceof Float32Array ? 'float32' : 'float64'),
    batchRows: opts.batchRows ?? 65536,
  });
  if (a.rows > 0) w.write(0, a, labels);
  await w.close();
}
