/**
 * Writes a matrix (factor U, S or V) as a `.npy` file (format 1.0, little-endian, C order),
 * atomically: to a temporary name in the same directory, renamed on success, removed on error.
 *
 * Accepts a Matrix view (any stride/offset; packed on the fly) or a packed typed array with its
 * shape (`[n]` for a vector such as S, `[rows, cols]` for a matrix). The file keeps the array's
 * dtype unless `dtype` asks otherwise.
 */
import { ArgumentError } from '../../src/internals.js';
import type { Matrix } from '../../src/internals.js';
import { createNpyWriter } from './create-npy-writer.js';
import type { FileSet } from './atomic-file.js';

export interface WriteNpyOptions {
  dtype?: 'float32' | 'float64';
  /** Hand the finished file to this set instead of renaming it alone (output-set.ts). */
  set?: FileSet;
}

export async function writeNpy(
  path: string, a: Matrix | Float32Array | Float64Array, shape?: readonly number[], opts: WriteNpyOptions = {},
): Promise<void> {
  let m: Matrix;
  let vector = false;
  if (a instanceof Float32Array || a instanceof Float64Array) {
    const s = shape ?? [a.length];
    if (s.length < 1 || s.length > 2 || s.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ArgumentError(`writeNpy(${path}): shape must be [n] or [rows, cols], got [${s.join(', ')}]`);
    }
    const rows = s[0];
    const cols = s.length === 2 ? s[1] : 1;
    vector = s.length === 1;
    if (a.length < rows * cols) throw new ArgumentError(`writeNpy(${path}): shape [${s.join(', ')}] needs ${rows * cols} values, got ${a.length}`);
    m = { rows, cols, data: a, offset: 0, stride: cols };
  } else {
    m = a;
  }
  const dtype = opts.dtype ?? (m.data instanceof Float32Array ? 'float32' : 'float64');
  const w = createNpyWriter(path, { rows: m.rows, cols: vector ? 1 : m.cols, dtype, vector, ...(opts.set !== undefined ? { set: opts.set } : {}) });
  if (m.rows > 0) w.write(0, m);
  await w.close();
}
