/**
 * Parquet files read one row group at a time with hyparquet (+ hyparquet-compressors: snappy, gzip,
 * brotli, zstd, lz4, lz4_raw), which decodes dictionary, DELTA_*, BYTE_STREAM_SPLIT and data page
 * v2 files.
 *
 * Layouts:
 * - 'parquet-wide': one numeric column (INT32, INT64, FLOAT, DOUBLE, and their logical integer
 *   types) per matrix column, chosen with `columns` / `exclude`; a non-numeric column is refused
 *   with `column "name" has type BYTE_ARRAY (STRING), expected a numeric type (exclude it with
 *   --exclude name)`. Nulls read as NaN and follow `nonFinite`.
 * - 'parquet-list': one repeated / LIST column of floats holding each row (what parquet-wasm and
 *   pyarrow write for an Arrow FixedSizeList); each row must have `cols` values.
 *
 * Orientation 'columns' on a wide file is natural: each block of `blockRows` columns is read across
 * the whole file (only those column chunks), and each column is one row of A^T.
 *
 * Replayable. A file hyparquet cannot parse (bad magic, corrupt footer or pages) is refused with a
 * FormatError naming the file and, where known, the row group and column.
 */
import type { MeasuredSource, SourceOptions } from './source-options.js';

export function fromParquet(path: string, opts: SourceOptions = {}): MeasuredSource {
  void path; void opts;
  throw new Error('fromParquet: not implemented yet');
}
