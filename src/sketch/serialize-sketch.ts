/**
 * Serialize a sketch to bytes [STYLE.md: DataSketches format]: a header with the family tag 'RFSK',
 * the format version, the options and sizes, then the float64 arrays, little-endian (layout in
 * sketch-format.ts). The kept maps and workspaces are not written (they are regenerated from the
 * seed); neither is the spill (its rows live wherever the spill put them).
 * deserialize then serialize reproduces the bytes exactly; every float is stored bit for bit.
 */
import { ARRAY_FIELDS, FAMILIES, HEADER_BYTES, MAGIC, METHODS, RULES } from './sketch-format.js';
import { SKETCH_FORMAT_VERSION, type SketchState } from './types.js';

export function serializeSketch(state: SketchState): Uint8Array {
  let floats = state.covered.length;
  for (const f of ARRAY_FIELDS) floats += state[f].length;
  const bytes = new Uint8Array(HEADER_BYTES + 8 * floats);
  const dv = new DataView(bytes.buffer);
  MAGIC.forEach((b, i) => dv.setUint8(i, b));
  dv.setUint16(4, SKETCH_FORMAT_VERSION, true);
  dv.setUint8(6, METHODS.indexOf(state.method));
  dv.setUint8(7, FAMILIES.indexOf(state.testMatrix));
  dv.setUint8(8, RULES.indexOf(state.sizes.rule));
  dv.setUint8(9, (state.center ? 1 : 0) | (state.rangeRValid ? 2 : 0));
  dv.setUint16(10, 0, true);
  const { k, s, l, q, chunk } = state.sizes;
  [state.seed, state.cols, state.rank, k, s, l, q, chunk, state.fdRows].forEach((x, i) => dv.setUint32(12 + 4 * i, x, true));
  dv.setFloat64(48, state.rows, true);
  dv.setFloat64(56, state.rowsSeen, true);
  dv.setFloat64(64, state.rangeScale, true);
  dv.setUint32(72, state.covered.length, true);
  let o = HEADER_BYTES;
  for (const x of state.covered) { dv.setFloat64(o, x, true); o += 8; }
  for (const f of ARRAY_FIELDS) for (const x of state[f]) { dv.setFloat64(o, x, true); o += 8; }
  return bytes;
}
