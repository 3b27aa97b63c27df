/**
 * Writes a matrix (factor U, S or V) as a `.npy` file (format 1.0, little-endian, C order),
 * atomically: to `<path>.<pid>.<n>.tmp` in the same directory, renamed on success, removed on error.
 *
 * Accepts a Matrix view (any stride/offset; packed on the fly) or a packed typed array with its
 * shape (`[n]` for a vector such as S, `[rows, cols]` for a matrix). The file keeps the array's
 * dtype unless `dtype` asks otherwise.
 */
import type { Matrix } from '../../src/matrix.js';

export interface WriteNpyOptions {
  dtype?: 'float32' | 'float64';
}

export function writeNpy(
  path: string, a: Matrix | Float32Array | Float64Array, shape?: readonly number[], opts: WriteNpyOptions = {},
): Promise<void> {
  void path; void a; void shape; void opts;
  throw new Error('writeNpy: not implemented yet');
}
