/**
 * A streaming `.npy` writer for a tall factor (U = Y R^{-1} U_core, emitted one spill block at a
 * time): the header with the final row count is written first, rows are appended synchronously with
 * `fs.writeSync` to a temporary file, and `close()` checks that exactly `rows` rows arrived before
 * renaming it into place. `abort()` (or any error) removes the temporary file: nothing partial is
 * left under the final name.
 *
 * `write(rowStart, y)` is the synchronous sink interface the numeric side uses; rows must arrive in
 * order (`rowStart` equal to the rows written so far), anything else is an ArgumentError.
 */
import type { Matrix } from '../../src/matrix.js';

export interface NpyWriter {
  readonly path: string;
  readonly rows: number;
  readonly cols: number;
  readonly rowsWritten: number;
  /** Appends the rows of `y` (a view; any stride), which must start at row `rowStart`. */
  write(rowStart: number, y: Matrix): void;
  /** Checks the row count, flushes, renames into place. */
  close(): Promise<void>;
  /** Removes the temporary file. Safe to call more than once, and after close(). */
  abort(): void;
}

export interface NpyWriterOptions {
  rows: number;
  cols: number;
  dtype?: 'float32' | 'float64';
}

export function createNpyWriter(path: string, opts: NpyWriterOptions): NpyWriter {
  void path; void opts;
  throw new Error('createNpyWriter: not implemented yet');
}
