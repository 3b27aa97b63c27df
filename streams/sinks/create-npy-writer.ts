/**
 * A streaming `.npy` writer for a tall factor (U = Y R^{-1} U_core, emitted one spill block at a
 * time): the header with the final row count is written first, rows are appended synchronously with
 * `fs.writeSync` to a temporary file, and `close()` checks that exactly `rows` rows arrived before
 * renaming it into place. `abort()` (or any error in `write`) removes the temporary file: nothing
 * partial is left under the final name.
 *
 * `write(rowStart, y)` is the synchronous sink interface the numeric side uses; rows must arrive in
 * order (`rowStart` equal to the rows written so far), anything else is an ArgumentError.
 */
import { writeSync } from 'node:fs';
import { ArgumentError, ShapeError } from '../../src/internals.js';
import type { Matrix } from '../../src/internals.js';
import { createAtomicFile, type FileSet } from './atomic-file.js';

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
  /** Write a 1-D array of `rows` values (shape `(rows,)`); needs cols = 1. */
  vector?: boolean;
  /** Hand the finished file to this set instead of renaming it alone (output-set.ts). */
  set?: FileSet;
}

/** The .npy 1.0 header for a C-order little-endian float (or int64) array, padded to a multiple of 64 bytes. */
export function npyHeader(shape: readonly number[], dtype: 'float32' | 'float64' | 'int64'): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype === 'float32' ? '<f4' : dtype === 'int64' ? '<i8' : '<f8'}', 'fortran_order': False, 'shape': ${dims}, }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, total - 10, true);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  out.fill(0x20, 10 + dict.length, total - 1);
  out[total - 1] = 0x0a;
  return out;
}

export function createNpyWriter(path: string, opts: NpyWriterOptions): NpyWriter {
  const { rows, cols } = opts;
  const dtype = opts.dtype ?? 'float64';
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new ArgumentError(`createNpyWriter(${path}): rows and cols must be non-negative integers, got ${rows} x ${cols}`);
  }
  if (opts.vector === true && cols !== 1) throw new ArgumentError(`createNpyWriter(${path}): a vector needs cols = 1, got ${cols}`);
  const file = createAtomicFile(path, opts.set);
  let written = 0;
  let scratch: Float32Array | Float64Array = dtype === 'float32' ? new Float32Array(0) : new Float64Array(0);
  const writeAll = (bytes: Uint8Array): void => {
    let off = 0;
    while (off < bytes.length) off += writeSync(file.fd, bytes, off, bytes.length - off);
  };
  try {
    writeAll(npyHeader(opts.vector === true ? [rows] : [rows, cols], dtype));
  } catch (e) { file.abort(); throw e; }
  return {
    path, rows, cols,
    get rowsWritten() { return written; },
    write(rowStart, y) {
      try {
        if (rowStart !== written) throw new ArgumentError(`${path}: rows must arrive in order; got a block at row ${rowStart}, expected row ${written}`);
        if (y.cols !== cols) throw new ShapeError(`${path}: a block at row ${rowStart} has rows of ${y.cols} values, expected ${cols}`);
        if (written + y.rows > rows) throw new ShapeError(`${path}: a block at row ${rowStart} brings the row count to ${written + y.rows}, more than the ${rows} declared in the header`);
        const n = y.rows * cols;
        const packed = y.stride === cols && (dtype === 'float32') === (y.data instanceof Float32Array);
        let view: Float32Array | Float64Array;
        if (packed) view = y.data.subarray(y.offset, y.offset + n);
        else {
          if (scratch.length < n) scratch = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
          for (let i = 0; i < y.rows; i++) {
            const src = y.offset + i * y.stride;
            for (let j = 0; j < cols; j++) scratch[i * cols + j] = y.data[src + j]!;
          }
          view = scratch.subarray(0, n);
        }
        writeAll(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
        written += y.rows;
      } catch (e) {
        file.abort();
        throw e;
      }
    },
    async close() {
      if (written !== rows) {
        file.abort();
        throw new ShapeError(`${path}: ${written} rows were written, the header promises ${rows}; the file was not created`);
      }
      file.commit();
    },
    abort: () => file.abort(),
  };
}
