/**
 * Writes a factor as a wide Parquet table (one FLOAT or DOUBLE column per matrix column, named
 * `names[j]` or `c0, c1, ...`) with hyparquet-writer, atomically (temp + rename). Row groups of
 * `rowGroupSize` rows (default 65536); snappy compression unless `compressed: false`.
 * `fromParquet` reads it back.
 */
import type { Matrix } from '../../src/matrix.js';

export interface WriteParquetOptions {
  names?: readonly string[];
  dtype?: 'float32' | 'float64';
  rowGroupSize?: number;
  compressed?: boolean;
  metadata?: Readonly<Record<string, string>>;
}

export function writeParquetFactor(path: string, a: Matrix, opts: WriteParquetOptions = {}): Promise<void> {
  void path; void a; void opts;
  throw new Error('writeParquetFactor: not implemented yet');
}
