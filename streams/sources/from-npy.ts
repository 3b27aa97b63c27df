/**
 * `.npy` files (format versions 1-3) of float32 or float64 (`<f4`, `<f8`; big-endian is refused),
 * C order or Fortran order, streamed without loading the whole file: the header is parsed, then
 * `blockRows` rows are read per block with positioned reads into a reused buffer.
 *
 * - C order, orientation 'rows': the block read is the packed row-major block (the fast path).
 * - Fortran order, orientation 'columns': the same, since a Fortran-order A is a C-order A^T.
 * - C order with 'columns', Fortran with 'rows': strided gather, one scan of the file per block
 *   (the slow path; see SourceOptions).
 *
 * A file shorter than its header promises is refused with a FormatError naming the file, the row
 * and the byte offset (`... truncated: row 812 needs bytes [..), file has N bytes`).
 */
import type { MeasuredSource, SourceOptions } from './source-options.js';

export function fromNpy(path: string, opts: SourceOptions = {}): MeasuredSource {
  void path; void opts;
  throw new Error('fromNpy: not implemented yet');
}
