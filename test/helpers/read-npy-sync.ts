/**
 * A 2-D .npy file as a float64 row-major matrix (the multipass tests and benches compute in float64).
 * The parsing lives in ./npy.ts; this only widens.
 */
import type { Matrix64 } from '../../src/matrix.js';
import { readNpyMatrix } from './npy.js';

export function readNpySync(path: string): Matrix64 {
  const a = readNpyMatrix(path);
  return { rows: a.rows, cols: a.cols, data: Float64Array.from(a.data), offset: 0, stride: a.cols };
}
