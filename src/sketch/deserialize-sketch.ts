/**
 * Rebuild a sketch from `serializeSketch` bytes. Refuses another family tag or format version, and
 * truncated or inconsistent input, with a FormatError that says what it expected and found.
 * The kept maps are regenerated from the seed. The spill is not part of the bytes: pass the one
 * that holds the range rows (needed only to form U directly or to rebuild a dropped TSQR factor).
 */
import { FormatError } from '../errors.js';
import { allocateSketch } from './create-sketch.js';
import { ARRAY_FIELDS, FAMILIES, HEADER_BYTES, MAGIC, METHODS, RULES } from './sketch-format.js';
import { SKETCH_FAMILY_TAG, SKETCH_FORMAT_VERSION, type RangeSpill, type SketchState } from './types.js';

export function deserializeSketch(bytes: Uint8Array, spill?: RangeSpill): SketchState {
  if (!(bytes instanceof Uint8Array)) throw new FormatError('deserializeSketch expects a Uint8Array');
  if (bytes.length < HEADER_BYTES) throw new FormatError(`serialized sketch is truncated: ${bytes.length} bytes, the header alone is ${HEADER_BYTES}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = String.fromCharCode(...MAGIC.map((_, i) => dv.getUint8(i)));
  if (tag !== SKETCH_FAMILY_TAG) throw new FormatError(`not a rangefinder sketch: family tag '${tag}', expected '${SKETCH_FAMILY_TAG}'`);
  const version = dv.getUint16(4, true);
  if (version !== SKETCH_FORMAT_VERSION) {
    throw new FormatError(`unsupported sketch format version ${version}: this build reads version ${SKETCH_FORMAT_VERSION}`);
  }
  const method = METHODS[dv.getUint8(6)], family = FAMILIES[dv.getUint8(7)], rule = RULES[dv.getUint8(8)];
  if (!method || !family || !rule) throw new FormatError(`corrupt sketch header: method/test-matrix/rule codes ${dv.getUint8(6)}/${dv.getUint8(7)}/${dv.getUint8(8)}`);
  const flags = dv.getUint8(9);
  const [seed, cols, rank, k, s, l, q, chunk, fdRows] = Array.from({ length: 9 }, (_, i) => dv.getUint32(12 + 4 * i, true)) as number[];
  const nCovered = dv.getUint32(72, true);
  if (cols! < 1 || chunk! < 1 || nCovered % 2 !== 0) throw new FormatError('corrupt sketch header: zero columns or chunk, or odd interval list');
  const n = cols!, k1 = k! + 1, fd = method === 'fd', three = method === 'three-sketch';
  const lengths = [
    (fd ? 2 * l! : three ? k! : l!) * n, three ? s! * s! : 0, q! * n, n, three ? k! : 0,
    fd ? 0 : k1 * k1, fd ? 0 : (three ? s! : l!) * k1, fd ? 0 : q! * k1,
  ];
  const expected = HEADER_BYTES + 8 * (nCovered + lengths.reduce((x, y) => x + y, 0));
  if (bytes.length !== expected) throw new FormatError(`serialized sketch has ${bytes.length} bytes, expected ${expected} for its header`);
  const state = allocateSketch(method, family, seed!, cols!, rank!, { k: k!, s: s!, l: l!, q: q!, rule, chunk: chunk! },
    (flags & 1) !== 0, 0, method === 'fd' ? undefined : spill);
  state.rows = dv.getFloat64(48, true);
  state.rowsSeen = dv.getFloat64(56, true);
  state.rangeScale = dv.getFloat64(64, true);
  state.rangeRValid = (flags & 2) !== 0;
  state.fdRows = fdRows!;
  let o = HEADER_BYTES;
  for (let i = 0; i < nCovered; i++) { state.covered.push(dv.getFloat64(o, true)); o += 8; }
  for (const f of ARRAY_FIELDS) {
    const a = state[f];
    for (let i = 0; i < a.length; i++) { a[i] = dv.getFloat64(o, true); o += 8; }
  }
  return state;
}
