/**
 * A record to bytes and back [docs/STYLE.md: DataSketches heapify]: a header with the family tag
 * 'RFSK', the format version, the params, the coverage, then the method's float64 arrays
 * (the additive sums, then its non-additive arrays and scalars), little-endian. The kept maps and
 * workspaces are not written (regenerated from the seed), nor the spill (its rows live wherever it
 * put them). Reading refuses another tag, a newer (or unknown) version and inconsistent lengths with
 * a FormatError that says what it expected and found. deserialize then serialize gives the same bytes.
 *
 *   offset  type      field
 *   0       4 bytes   family tag 'RFSK'
 *   4       u16       format version (SKETCH_FORMAT_VERSION = 3; version 2 had no sum of squares
 *                     among the linear records' sums, version 1 no dtype and no rsvd)
 *   6       u8        method code (each method module's `code`)
 *   7       u8        test-matrix code (FAMILIES)
 *   8       u8        size-rule code (RULES)
 *   9       u8        flags: bit 0 center, bit 1 dtype float32
 *   10      u16       number of extra scalars E
 *   12      u32 x 8   seed, cols, rank, k, s, l, q, chunk
 *   44      u32       number of covered-interval bounds C (even)
 *   48      f64 x 2   rows, rowsSeen
 *   64      f64 x C   covered bounds
 *   ...     f64       sums, then the method's extra arrays, then the E extra scalars
 */
import { FormatError } from '../errors.js';
import { allocateSketch } from './create.js';
import { methodByCode, methodOf } from './registry.js';
import { SKETCH_FAMILY_TAG, SKETCH_FORMAT_VERSION, type RangeSpill, type SketchState } from './types.js';

const MAGIC = [0x52, 0x46, 0x53, 0x4b]; // 'RFSK'
const FAMILIES = ['gaussian', 'sparse-sign'] as const;
const RULES = ['natural', 'flat', 'explicit', 'default', 'oversample'] as const;
const HEADER_BYTES = 64;

export function serializeSketch(state: SketchState): Uint8Array {
  const mod = methodOf(state);
  const arrays = [state.sums, ...mod.extraArrays(state)], scalars = mod.extraScalars(state);
  const floats = state.covered.length + arrays.reduce((t, a) => t + a.length, 0) + scalars.length;
  const bytes = new Uint8Array(HEADER_BYTES + 8 * floats);
  const dv = new DataView(bytes.buffer);
  MAGIC.forEach((b, i) => dv.setUint8(i, b));
  dv.setUint16(4, SKETCH_FORMAT_VERSION, true);
  dv.setUint8(6, mod.code);
  dv.setUint8(7, FAMILIES.indexOf(state.testMatrix));
  dv.setUint8(8, RULES.indexOf(state.sizes.rule));
  dv.setUint8(9, (state.center ? 1 : 0) | (state.dtype === 'float32' ? 2 : 0));
  dv.setUint16(10, scalars.length, true);
  const { k, s, l, q, chunk } = state.sizes;
  [state.seed, state.cols, state.rank, k, s, l, q, chunk].forEach((x, i) => dv.setUint32(12 + 4 * i, x, true));
  dv.setUint32(44, state.covered.length, true);
  dv.setFloat64(48, state.rows, true);
  dv.setFloat64(56, state.rowsSeen, true);
  let o = HEADER_BYTES;
  for (const x of state.covered) { dv.setFloat64(o, x, true); o += 8; }
  for (const a of arrays) for (const x of a) { dv.setFloat64(o, x, true); o += 8; }
  for (const x of scalars) { dv.setFloat64(o, x, true); o += 8; }
  return bytes;
}

/**
 * Rebuild a record from `serializeSketch` bytes. The spill is not part of the bytes: pass the one
 * that holds the range rows; a spill that says which rows it holds (`covered()`, as `memorySpill`
 * does) lets `reconstruct` refuse U when rows are missing from it (say, a fresh spill).
 */
export function deserializeSketch(bytes: Uint8Array, spill?: RangeSpill): SketchState {
  if (!(bytes instanceof Uint8Array)) throw new FormatError('deserializeSketch expects a Uint8Array');
  if (bytes.length < HEADER_BYTES) throw new FormatError(`serialized sketch is truncated: ${bytes.length} bytes, the header alone is ${HEADER_BYTES}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = String.fromCharCode(...MAGIC.map((_, i) => dv.getUint8(i)));
  if (tag !== SKETCH_FAMILY_TAG) throw new FormatError(`not a rangefinder sketch: family tag '${tag}', expected '${SKETCH_FAMILY_TAG}'`);
  const version = dv.getUint16(4, true);
  if (version !== SKETCH_FORMAT_VERSION) {
    throw new FormatError(`unsupported sketch format version ${version}: this build reads version ${SKETCH_FORMAT_VERSION}` +
      (version > SKETCH_FORMAT_VERSION ? ' (written by a newer rangefinder)' : ''));
  }
  const method = methodByCode(dv.getUint8(6))?.method, testMatrix = FAMILIES[dv.getUint8(7)], rule = RULES[dv.getUint8(8)];
  if (!method || !testMatrix || !rule) throw new FormatError(`corrupt sketch header: method/test-matrix/rule codes ${dv.getUint8(6)}/${dv.getUint8(7)}/${dv.getUint8(8)}`);
  const flags = dv.getUint8(9), nScalars = dv.getUint16(10, true);
  const [seed, cols, rank, k, s, l, q, chunk] = Array.from({ length: 8 }, (_, i) => dv.getUint32(12 + 4 * i, true)) as [number, number, number,
    number, number, number, number, number];
  const nCovered = dv.getUint32(44, true);
  if (cols < 1 || chunk < 1 || rank < 1 || nCovered % 2 !== 0) throw new FormatError('corrupt sketch header: zero columns, rank or chunk, or an odd interval list');
  const st = allocateSketch({
    method, testMatrix, dtype: flags & 2 ? 'float32' : 'float64', seed, cols, rank,
    sizes: { k, s, l, q, rule, chunk }, center: (flags & 1) !== 0,
  }, spill);
  const mod = methodOf(st);
  const arrays = [st.sums, ...mod.extraArrays(st)];
  const expected = HEADER_BYTES + 8 * (nCovered + arrays.reduce((t, a) => t + a.length, 0) + nScalars);
  if (bytes.length !== expected || nScalars !== mod.extraScalars(st).length) {
    mod.dispose(st);
    throw new FormatError(`serialized sketch has ${bytes.length} bytes, expected ${expected} for its header`);
  }
  st.rows = dv.getFloat64(48, true);
  st.rowsSeen = dv.getFloat64(56, true);
  let o = HEADER_BYTES;
  for (let i = 0; i < nCovered; i++) { st.covered.push(dv.getFloat64(o, true)); o += 8; }
  for (const a of arrays) for (let i = 0; i < a.length; i++) { a[i] = dv.getFloat64(o, true); o += 8; }
  const scalars: number[] = [];
  for (let i = 0; i < nScalars; i++) { scalars.push(dv.getFloat64(o, true)); o += 8; }
  mod.setExtraScalars(st, scalars);
  if (st.method !== 'fd') st.spillCovered = spill?.covered?.() ?? [];
  return st;
}
