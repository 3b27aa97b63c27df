/**
 * A test-side .npy writer and reader, written from the format spec independently of streams/, so the
 * source and the sinks are checked against a second implementation.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Writes `rowMajor` (rows x cols, C order values) as .npy in the asked order and dtype. */
export function writeNpyReference(
  path: string, rowMajor: ArrayLike<number>, rows: number, cols: number,
  dtype: 'float32' | 'float64', fortran: boolean, version: 1 | 2 = 1,
): void {
  const descr = dtype === 'float32' ? '<f4' : '<f8';
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${rows}, ${cols}), }`;
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - pre - 1, ' ') + '\n';
  const header = Buffer.alloc(pre);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = version; header[7] = 0;
  if (version === 1) header.writeUInt16LE(dict.length, 8); else header.writeUInt32LE(dict.length, 8);
  const vals = dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      vals[fortran ? j * rows + i : i * cols + j] = rowMajor[i * cols + j];
    }
  }
  writeFileSync(path, Buffer.concat([header, Buffer.from(dict, 'latin1'), Buffer.from(vals.buffer)]));
}

/** Reads a .npy matrix as row-major float64 (whole file; tests only). */
export function readNpyReference(path: string): { rows: number; cols: number; data: Float64Array; dtype: string; fortran: boolean } {
  const buf = readFileSync(path);
  const version = buf[6];
  const len = version === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const pre = version === 1 ? 10 : 12;
  const text = buf.subarray(pre, pre + len).toString('latin1');
  const dtype = /'descr': '([^']+)'/.exec(text)![1];
  const fortran = /'fortran_order': True/.test(text);
  const dims = /'shape': \(([^)]*)\)/.exec(text)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const rows = dims[0];
  const cols = dims.length > 1 ? dims[1] : 1;
  const body = buf.subarray(pre + len);
  const ab = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  const raw = dtype === '<f4' ? new Float32Array(ab, 0, rows * cols) : new Float64Array(ab, 0, rows * cols);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = raw[fortran ? j * rows + i : i * cols + j];
  return { rows, cols, data, dtype, fortran };
}
