/**
 * Parses the header of a `.npy` file (format 1.0, 2.0 and 3.0) and checks that the data the header
 * promises is present: a short file is refused here, before any row is emitted, with the row at which
 * the data ends.
 */
import { FormatError } from '../../src/internals.js';
import { readSync, fstatSync } from 'node:fs';

export interface NpyHeader {
  readonly dtype: 'float32' | 'float64';
  readonly fortranOrder: boolean;
  /** Shape as a matrix: a 1-D array of length n reads as n x 1. */
  readonly rows: number;
  readonly cols: number;
  readonly shape: readonly number[];
  /** Byte offset of the first element. */
  readonly dataOffset: number;
  readonly itemSize: number;
  readonly fileBytes: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function readNpyHeader(fd: number, where: string): NpyHeader {
  const fileBytes = fstatSync(fd).size;
  const pre = Buffer.alloc(12);
  const got = readSync(fd, pre, 0, 12, 0);
  if (got < 10 || MAGIC.some((b, i) => pre[i] !== b)) {
    throw new FormatError(`${where} is not a .npy file: expected the magic string \\x93NUMPY at byte 0`);
  }
  const major = pre[6]!;
  let headerLen: number;
  let start: number;
  if (major === 1) { headerLen = pre.readUInt16LE(8); start = 10; }
  else if (major === 2 || major === 3) {
    if (got < 12) throw new FormatError(`${where}: .npy header truncated at byte ${got}`);
    headerLen = pre.readUInt32LE(8); start = 12;
  } else {
    throw new FormatError(`${where}: .npy format version ${major}.${pre[7]} is not supported (expected 1.0, 2.0 or 3.0)`);
  }
  if (start + headerLen > fileBytes) {
    throw new FormatError(`${where}: .npy header truncated: it needs ${start + headerLen} bytes, file has ${fileBytes}`);
  }
  const hb = Buffer.alloc(headerLen);
  readSync(fd, hb, 0, headerLen, start);
  const text = hb.toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new FormatError(`${where}: malformed .npy header (expected 'descr', 'fortran_order' and 'shape'): ${text.trim()}`);
  }
  let dtype: 'float32' | 'float64';
  if (descr === '<f4' || descr === '=f4' || descr === 'f4' || descr === '|f4') dtype = 'float32';
  else if (descr === '<f8' || descr === '=f8' || descr === 'f8' || descr === '|f8') dtype = 'float64';
  else {
    throw new FormatError(`${where}: .npy dtype '${descr}' is not supported (expected little-endian float32 '<f4' or float64 '<f8'; convert with a.astype('<f8'))`);
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new FormatError(`${where}: malformed .npy shape (${shapeText})`);
  }
  if (shape.length === 0 || shape.length > 2) {
    throw new FormatError(`${where}: .npy array has ${shape.length} dimensions (shape (${shapeText})), expected a matrix (2) or a vector (1)`);
  }
  const rows = shape[0]!;
  const cols = shape.length === 2 ? shape[1]! : 1;
  const itemSize = dtype === 'float32' ? 4 : 8;
  const dataOffset = start + headerLen;
  const need = dataOffset + rows * cols * itemSize;
  if (fileBytes < need) {
    const have = Math.max(0, fileBytes - dataOffset);
    const line = fortran === 'True' ? rows : cols;
    const lineName = fortran === 'True' ? 'column' : 'row';
    const at = Math.floor(have / itemSize / Math.max(1, line));
    throw new FormatError(
      `${where} is truncated: its header promises ${rows} x ${cols} ${dtype} (${need} bytes), the file has ${fileBytes} bytes; ` +
      `the data ends in ${lineName} ${at}`,
    );
  }
  return { dtype, fortranOrder: fortran === 'True', rows, cols, shape, dataOffset, itemSize, fileBytes };
}
