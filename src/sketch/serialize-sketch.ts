/**
 * Serialize a sketch to bytes [STYLE.md: DataSketches format]: a header with the family tag 'RFSK',
 * the format version, the options and sizes, then the float64 arrays (little-endian). The kept maps
 * and workspaces are not written (they are regenerated from the seed); the spill is not written
 * (its rows live wherever the spill put them). serialize(deserialize(b)) is bit-identical to b.
 */
import type { SketchState } from './types.js';

export function serializeSketch(state: SketchState): Uint8Array {
  void state;
  throw new Error('serializeSketch: not implemented yet');
}
