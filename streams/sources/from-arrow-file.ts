/**
 * Arrow IPC *file* format (`.arrow`, `.feather` v2), read one record batch at a time with random
 * access through a file handle (the footer gives the batch offsets; nothing else is loaded).
 *
 * Layouts (detected from the schema; see `arrowLayout`):
 * - 'fixed-size-list': one `FixedSizeList<Float32|Float64>` column (or `listColumn`) holding each
 *   row: the child buffer IS the row-major block and is emitted without a copy (the fast path);
 * - 'list': one `List<Float32|Float64>` column: zero-copy when every row has `cols` values, else a
 *   ShapeError `row 17 has 255 values, expected 256`;
 * - 'wide-table': one numeric column per matrix column (ints, floats; choose with `columns` /
 *   `exclude`), interleaved into a reused row-major buffer per batch. A non-numeric column is
 *   refused: `column "name" has type Utf8, expected a numeric type (exclude it with --exclude name)`.
 *
 * Replayable: each `open()` reopens the file.
 */
import type { MeasuredSource, SourceOptions } from './source-options.js';

export function fromArrowFile(path: string, opts: SourceOptions = {}): MeasuredSource {
  void path; void opts;
  throw new Error('fromArrowFile: not implemented yet');
}
