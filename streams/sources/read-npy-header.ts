/**
 * Parses the header of a `.npy` file as numpy does (numpy/lib/_format_impl.py `read_magic`,
 * `_read_array_header`, `descr_to_dtype`, `read_array`), so that a file is read here exactly when
 * numpy reads it, as the same array, or refused with a message that names what was found and what
 * was expected (test/npy-header-oracle.test.ts runs numpy on the same bytes):
 *
 * - magic `\x93NUMPY`, version 1.0 (2-byte header length), 2.0 or 3.0 (4-byte; 3.0 is UTF-8); any
 *   other version, a minor other than 0, or a header longer than numpy's 10000-character limit is
 *   refused;
 * - the header is a Python literal read with `ast.literal_eval` (python-literal.ts: a duplicated key
 *   takes its last value, trailing commas, spaces and comments are fine); for versions 1 and 2 a
 *   header that is not valid Python 3 is retried without Python 2's `L` suffixes, as numpy does;
 * - a dict with exactly the keys 'descr', 'fortran_order' and 'shape'; shape a tuple of ints
 *   (not True / False: numpy's header check lets them through, its array constructor refuses them);
 *   fortran_order True or False;
 * - descr a numpy type string: float16/32/64 (`<f2`, `f4`, `>f8`, `d`, `float64`, ...), signed and
 *   unsigned integers of 1 to 8 bytes, little- or big-endian. float16 and float32 are emitted as
 *   float32, float64 and integers as float64 (big-endian values are byte-swapped on read);
 *   anything else (bool, complex, strings, structured, object) is refused naming the type;
 * - a matrix (2-D) or a vector (1-D, read as n x 1); 0-D and 3-D or more are refused; negative
 *   dimensions are refused (numpy refuses them too);
 * - the data the header promises must be in the file (numpy: "Failed to read all data"); bytes
 *   after it are ignored, as numpy ignores them.
 */
import { readSync, fstatSync } from 'node:fs';
import { FormatError } from '../../src/internals.js';
import { parsePythonLiteral, PythonLiteralError, pyRepr, type PyValue } from './python-literal.js';

/** How the values are stored in the file. */
export interface NpyStorage {
  readonly kind: 'f' | 'i' | 'u';
  /** Bytes per value. */
  readonly size: 1 | 2 | 4 | 8;
  readonly littleEndian: boolean;
}

export interface NpyHeader {
  /** Type of the emitted blocks: float32 for float16 / float32 files, float64 otherwise. */
  readonly dtype: 'float32' | 'float64';
  readonly storage: NpyStorage;
  /** The header's descr, for messages. */
  readonly descr: string;
  /** True when the file's bytes are the emitted values as they are (little-endian float32 / float64). */
  readonly native: boolean;
  readonly fortranOrder: boolean;
  /** Shape as a matrix: a 1-D array of length n reads as n x 1. */
  readonly rows: number;
  readonly cols: number;
  readonly shape: readonly number[];
  /** Byte offset of the first element. */
  readonly dataOffset: number;
  /** Bytes per value in the file. */
  readonly itemSize: number;
  readonly fileBytes: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy's `_MAX_HEADER_SIZE`: longer headers are refused by np.load (without allow_pickle). */
export const NPY_MAX_HEADER_SIZE = 10000;

/** numpy type strings we read: [byte order] + code, and numpy's names (native order). */
const CODES: Record<string, [NpyStorage['kind'], NpyStorage['size']]> = {
  f2: ['f', 2], f4: ['f', 4], f8: ['f', 8], e: ['f', 2], f: ['f', 4], d: ['f', 8],
  i1: ['i', 1], i2: ['i', 2], i4: ['i', 4], i8: ['i', 8], u1: ['u', 1], u2: ['u', 2], u4: ['u', 4], u8: ['u', 8],
  b: ['i', 1], B: ['u', 1], h: ['i', 2], H: ['u', 2], i: ['i', 4], I: ['u', 4], l: ['i', 8], L: ['u', 8], q: ['i', 8], Q: ['u', 8],
};
const NAMES: Record<string, [NpyStorage['kind'], NpyStorage['size']]> = {
  float16: ['f', 2], half: ['f', 2], float32: ['f', 4], single: ['f', 4], float64: ['f', 8], double: ['f', 8], float: ['f', 8],
  int8: ['i', 1], int16: ['i', 2], int32: ['i', 4], int64: ['i', 8], int: ['i', 8],
  uint8: ['u', 1], uint16: ['u', 2], uint32: ['u', 4], uint64: ['u', 8],
};

/** The storage of a numpy type string, or a reason it is not read. */
export function npyStorage(descr: string): NpyStorage | string {
  const named = NAMES[descr];
  if (named !== undefined) return { kind: named[0], size: named[1], littleEndian: true };
  const m = /^([<>=|]?)([A-Za-z][0-9]*)$/.exec(descr);
  const code = m === null ? undefined : CODES[m[2]];
  if (m === null || code === undefined) {
    return `dtype '${descr}' is not supported (expected a float or integer type such as '<f8', '<f4', '<f2', '>f8' or '<i4'; convert with a.astype('<f8'))`;
  }
  return { kind: code[0], size: code[1], littleEndian: m[1] !== '>' };
}

function fail(where: string, what: string): never {
  throw new FormatError(`${where}: ${what}`);
}

export function readNpyHeader(fd: number, where: string): NpyHeader {
  const fileBytes = fstatSync(fd).size;
  const pre = Buffer.alloc(12);
  const got = readSync(fd, pre, 0, 12, 0);
  if (got < 8 || MAGIC.some((b, i) => pre[i] !== b)) {
    throw new FormatError(`${where} is not a .npy file: expected the magic string \\x93NUMPY at byte 0${got < 8 ? ` (the file has ${got} bytes)` : ''}`);
  }
  const major = pre[6], minor = pre[7];
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) {
    fail(where, `.npy format version ${major}.${minor} is not supported (expected 1.0, 2.0 or 3.0, as numpy)`);
  }
  const lenBytes = major === 1 ? 2 : 4;
  if (got < 8 + lenBytes) fail(where, `.npy header truncated: the file ends at byte ${got}, before the ${lenBytes}-byte header length`);
  const headerLen = major === 1 ? pre.readUInt16LE(8) : pre.readUInt32LE(8);
  const start = 8 + lenBytes;
  if (start + headerLen > fileBytes) {
    fail(where, `.npy header truncated: its length field says ${headerLen} bytes from byte ${start}, the file has ${fileBytes} bytes`);
  }
  // numpy measures the decoded header; UTF-8 never decodes to more characters than bytes, so a
  // header of more bytes than the limit allows cannot pass unless it is multi-byte UTF-8.
  if (headerLen > 4 * NPY_MAX_HEADER_SIZE) fail(where, `.npy header of ${headerLen} bytes is longer than numpy's limit of ${NPY_MAX_HEADER_SIZE} characters`);
  const hb = Buffer.alloc(headerLen);
  readSync(fd, hb, 0, headerLen, start);
  let text: string;
  if (major === 3) {
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(hb); } catch {
      fail(where, '.npy header (format 3.0) is not valid UTF-8');
    }
  } else {
    text = hb.toString('latin1');
  }
  if (text.length > NPY_MAX_HEADER_SIZE) fail(where, `.npy header of ${text.length} characters is longer than numpy's limit of ${NPY_MAX_HEADER_SIZE}`);
  const trimmed = text.trim();
  // One line: control characters of the header are shown escaped.
  const shown = JSON.stringify(trimmed.length > 200 ? `${trimmed.slice(0, 200)}...` : trimmed);

  let d: PyValue;
  try {
    d = parsePythonLiteral(text);
  } catch (e) {
    if (!(e instanceof PythonLiteralError)) throw e;
    let retried: PyValue | null = null;
    // numpy's _filter_header: a Python 2 header (`3L`) is retried for versions 1 and 2.
    if (e.kind === 'syntax' && major <= 2) {
      try { retried = parsePythonLiteral(text, { dropLongSuffix: true }); } catch { retried = null; }
    }
    if (retried === null) fail(where, `malformed .npy header: ${e.message}; expected a Python dict literal such as {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }, found ${shown}`);
    d = retried;
  }
  if (d.kind !== 'dict') fail(where, `malformed .npy header: expected a Python dict, found ${pyRepr(d)}`);
  const keys = [...d.entries.keys()];
  const expected = ['descr', 'fortran_order', 'shape'];
  if (keys.length !== 3 || !expected.every((k) => d.entries.has(k))) {
    fail(where, `malformed .npy header: expected exactly the keys 'descr', 'fortran_order' and 'shape', found ${keys.map((k) => (k.startsWith('\u0000') ? 'a key that is not a string' : `'${k}'`)).join(', ') || 'none'}`);
  }
  const shapeV = d.entries.get('shape')!;
  // Python counts True and False as ints, so numpy's header check passes them, but the array
  // constructor then refuses them ("an integer is required"): refused here at once.
  if (shapeV.kind !== 'tuple' || !shapeV.items.every((x) => x.kind === 'int')) {
    fail(where, `malformed .npy header: 'shape' must be a tuple of integers, found ${pyRepr(shapeV)}`);
  }
  const fortranV = d.entries.get('fortran_order')!;
  if (fortranV.kind !== 'bool') fail(where, `malformed .npy header: 'fortran_order' must be True or False, found ${pyRepr(fortranV)}`);
  const descrV = d.entries.get('descr')!;
  if (descrV.kind !== 'str') {
    fail(where, `.npy dtype ${pyRepr(descrV)} is not supported: a structured or non-string descr (expected a float or integer type such as '<f8')`);
  }
  const storage = npyStorage(descrV.value);
  if (typeof storage === 'string') fail(where, `.npy ${storage}`);

  const dims = shapeV.items.map((x) => (x as { value: bigint }).value);
  const shapeText = `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
  if (dims.some((x) => x < 0n)) fail(where, `.npy shape ${shapeText} has a negative dimension`);
  if (dims.length === 0 || dims.length > 2) {
    fail(where, `.npy array has ${dims.length} dimensions (shape ${shapeText}), expected a matrix (2) or a vector (1)`);
  }
  const itemSize = storage.size;
  const dataOffset = start + headerLen;
  const count = dims.reduce((a, b) => a * b, 1n);
  const needBig = BigInt(dataOffset) + count * BigInt(itemSize);
  const rowsBig = dims[0], colsBig = dims.length === 2 ? dims[1] : 1n;
  const fortranOrder = fortranV.value;
  if (needBig > 2n ** 53n) {
    throw new FormatError(
      `${where}: the header's shape ${shapeText} of ${storageName(storage)} needs ${needBig} bytes, more than any file holds ` +
      `(this one has ${fileBytes}): the header is corrupt, expected the shape of the data that follows it`,
    );
  }
  if (needBig > BigInt(fileBytes)) {
    const have = Math.max(0, fileBytes - dataOffset);
    const line = fortranOrder ? rowsBig : colsBig;
    const at = line > 0n ? BigInt(Math.floor(have / itemSize)) / line : 0n;
    throw new FormatError(
      `${where} is truncated: its header promises ${rowsBig} x ${colsBig} ${storageName(storage)} (${needBig} bytes), the file has ${fileBytes} bytes; ` +
      `the data ends in ${fortranOrder ? 'column' : 'row'} ${at}`,
    );
  }
  const rows = Number(rowsBig), cols = Number(colsBig);
  const native = storage.kind === 'f' && storage.littleEndian && (storage.size === 4 || storage.size === 8);
  return {
    dtype: storage.kind === 'f' && storage.size <= 4 ? 'float32' : 'float64',
    storage, descr: descrV.value, native, fortranOrder, rows, cols, shape: dims.map(Number), dataOffset, itemSize, fileBytes,
  };
}

/**
 * Converts `count` values stored as `storage` (little- or big-endian float16/32/64 or integers) from
 * `bytes` into `out` (float32 or float64): the decoding of non-native .npy files.
 */
export function decodeNpyValues(bytes: Uint8Array, count: number, storage: NpyStorage, out: Float32Array | Float64Array): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, count * storage.size);
  const le = storage.littleEndian;
  const s = storage.size;
  if (storage.kind === 'f') {
    if (s === 8) for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, le);
    else if (s === 4) for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, le);
    else for (let i = 0; i < count; i++) out[i] = halfToNumber(dv.getUint16(i * 2, le));
    return;
  }
  const signed = storage.kind === 'i';
  if (s === 1) for (let i = 0; i < count; i++) out[i] = signed ? dv.getInt8(i) : dv.getUint8(i);
  else if (s === 2) for (let i = 0; i < count; i++) out[i] = signed ? dv.getInt16(i * 2, le) : dv.getUint16(i * 2, le);
  else if (s === 4) for (let i = 0; i < count; i++) out[i] = signed ? dv.getInt32(i * 4, le) : dv.getUint32(i * 4, le);
  else for (let i = 0; i < count; i++) out[i] = Number(signed ? dv.getBigInt64(i * 8, le) : dv.getBigUint64(i * 8, le));
}

/** IEEE 754 binary16 to a number (exact: every half is a float32). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f === 0 ? sign * Infinity : NaN;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

/** float64, int16 (big-endian), ...: a storage in words. */
export function storageName(s: NpyStorage): string {
  const base = `${s.kind === 'f' ? 'float' : s.kind === 'i' ? 'int' : 'uint'}${s.size * 8}`;
  return s.size > 1 && !s.littleEndian ? `${base} (big-endian)` : base;
}
