/**
 * A tiny synchronous .npy reader for tests and benchmarks (the streaming source lives in streams/).
 * Supports numpy format versions 1-3, little-endian float32 ('<f4') and float64 ('<f8'), 1-D and
 * 2-D arrays, C or Fortran order (Fortran is transposed into row-major on read).
 */
import { readFileSync } from 'node:fs';
import type { Matrix } from '../../src/matrix.js';

export interface NpyArray {
  shape: number[];
  dtype: 'float32' | 'float64';
  /** Row-major data (a fresh, aligned copy). */
  data: Float32Array | Float64Array;
}

export function readNpy(path: string): NpyArray {
  const buf = readFileSync(path);
  if (buf[0] !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new Error(`${path}: malformed header ${header}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = start + headerLen;
  let data: Float32Array | Float64Array;
  let dtype: 'float32' | 'float64';
  if (descr === '<f4') {
    dtype = 'float32';
    data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = buf.readFloatLE(body + 4 * i);
  } else if (descr === '<f8') {
    dtype = 'float64';
    data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = buf.readDoubleLE(body + 8 * i);
  } else {
    throw new Error(`${path}: unsupported dtype ${descr} (expected <f4 or <f8)`);
  }
  if (fortran && shape.length === 2) {
    const [m, n] = shape as [number, number];
    const t = dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
    for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) t[i * n + j] = data[j * m + i];
    data = t;
  }
  return { shape, dtype, data };
}

/** A 2-D .npy file as a Matrix view (float32 stays float32). */
export function readNpyMatrix(path: string): Matrix {
  const a = readNpy(path);
  if (a.shape.length !== 2) throw new Error(`${path}: expected a 2-D array, found shape (${a.shape.join(', ')})`);
  const [rows, cols] = a.shape as [number, number];
  return { rows, cols, data: a.data, offset: 0, stride: cols };
}
