/**
 * Writes a factor as a wide Parquet table (one FLOAT or DOUBLE column per matrix column, named
 * `names[j]` or `c0, c1, ...`) with hyparquet-writer, atomically (temp + rename). Row groups of
 * `rowGroupSize` rows (default 65536); snappy compression unless `compressed: false`.
 * hyparquet-writer needs whole columns, so this holds one copy of the factor (m x k) while writing.
 * `fromParquet` reads it back.
 */
import { parquetWriteFile } from 'hyparquet-writer';
import { ArgumentError } from '../../src/internals.js';
import type { Matrix } from '../../src/internals.js';
import { createAtomicFile, type FileSet } from './atomic-file.js';

export interface WriteParquetOptions {
  names?: readonly string[];
  dtype?: 'float32' | 'float64';
  rowGroupSize?: number;
  compressed?: boolean;
  metadata?: Readonly<Record<string, string>>;
  /** Hand the finished file to this set instead of renaming it alone (output-set.ts). */
  set?: FileSet;
}

export async function writeParquetFactor(path: string, a: Matrix, opts: WriteParquetOptions = {}): Promise<void> {
  const dtype = opts.dtype ?? (a.data instanceof Float32Array ? 'float32' : 'float64');
  const names = Array.from({ length: a.cols }, (_, j) => opts.names?.[j] ?? `c${j}`);
  if (new Set(names).size !== names.length) throw new ArgumentError(`writeParquetFactor(${path}): column names must be distinct`);
  const columnData = names.map((name, j) => {
    const col = dtype === 'float32' ? new Float32Array(a.rows) : new Float64Array(a.rows);
    for (let i = 0; i < a.rows; i++) col[i] = a.data[a.offset + i * a.stride + j]!;
    return { name, data: col, type: dtype === 'float32' ? 'FLOAT' as const : 'DOUBLE' as const, nullable: false };
  });
  const file = createAtomicFile(path, opts.set);
  try {
    parquetWriteFile({
      filename: file.tempPath,
      columnData,
      rowGroupSize: Math.max(1, opts.rowGroupSize ?? 65536),
      codec: opts.compressed === false ? 'UNCOMPRESSED' : 'SNAPPY',
      kvMetadata: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
      createdBy: 'rangefinder',
    });
    file.commit();
  } catch (e) {
    file.abort();
    throw e;
  }
}
