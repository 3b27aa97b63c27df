/**
 * The bytes the sketch actually holds in memory: the sum of the byteLength of every typed array in
 * the state (sketches, accumulators, kept maps, workspaces) plus the bytes of an in-memory spill.
 * Stays within `memoryBudget` (see sketch-sizes.ts for the model the budget rule uses).
 */
import type { SketchState } from './types.js';

export function stateBytes(state: SketchState): number {
  let b = 0;
  for (const a of [state.coRange, state.core, state.errorSketch, state.colSums, state.coRangeOnes,
    state.rangeR, state.coreRange, state.errorRange]) b += a.byteLength;
  for (const a of Object.values(state.maps)) b += (a as ArrayBufferView).byteLength;
  for (const a of Object.values(state.work)) b += (a as ArrayBufferView).byteLength;
  return b + (state.spill?.bytes?.() ?? 0);
}
