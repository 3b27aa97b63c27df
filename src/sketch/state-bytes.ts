/**
 * The bytes a record actually holds in memory: the byteLength of every typed array (sums, R, kept
 * maps, FD buffer and workspaces) plus the engine workspace block and the bytes of an in-memory
 * spill. A test checks that it equals the layout table (`layoutBytes`) the budget was checked
 * against. FD also counts the transient peak of one shrink, as its layout does.
 */
import type { KeptMap } from '../maps/kept-map.js';
import type { SketchState } from './types.js';

const mapBytes = (m: KeptMap) => m.idx.byteLength + m.val.byteLength + m.dense.byteLength;

export function stateBytes(state: SketchState): number {
  let b = state.sums.byteLength;
  if (state.method === 'fd') {
    const bl = 2 * state.sizes.l;
    b += state.coRange.byteLength + state.work.thetaMap.byteLength + state.work.a64.byteLength;
    return b + 8 * (bl * state.cols + bl * bl + bl + bl * bl);
  }
  b += state.rangeR.byteLength + mapBytes(state.omega) + (state.engine?.bytes ?? 0);
  if (state.method === 'three-sketch') b += mapBytes(state.psi);
  return b + (state.spill?.bytes?.() ?? 0);
}
