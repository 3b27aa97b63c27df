/**
 * Synchronous .npy reader for the multipass tests and benches (format 1-3, '<f4' / '<f8', 2-D,
 * C order): returns a float64 row-major matrix.
 */
import { readFileSync } from 'node:fs';
import type { Matrix64 } from '../../src/matrix.js';

export function readNpySync(path: string): Matrix64 {
  const buf = readFileSync(path);
  if (buf[0] !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6]!;
  const hl = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hl);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: Fortran order not supported here`);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  if (shape.length !== 2) throw new Error(`${path}: expected a 2-D array, found shape (${shape.join(', ')})`);
  const [m, n] = shape as [number, number];
  const body = buf.subarray(start + hl);
  const ab = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  let src: Float32Array | Float64Array;
  if (descr === '<f4') src = new Float32Array(ab, 0, m * n);
  else if (descr === '<f8') src = new Float64Array(ab, 0, m * n);
  else throw new Error(`${path}: dtype ${descr} not supported`);
  return { rows: m, cols: n, data: Float64Array.from(src), offset: 0, stride: n };
}
