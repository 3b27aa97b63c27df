/**
 * The bytes the sketch actually holds in memory: the sum of the byteLength of every typed array in
 * the state (sketches, accumulators, kept maps, workspaces) plus the bytes of an in-memory spill.
 * Stays within `memoryBudget` (see sketch-sizes.ts for the model the budget rule uses).
 */
import { packedBytes } from '../kernels/gemm-wasm.js';
import type { SketchState } from './types.js';

export function stateBytes(state: SketchState): number {
  let b = 0;
  // coRange and errorSketch are views of one buffer for linear methods: count the buffer once.
  b += state.method === 'fd' ? state.coRange.byteLength + state.errorSketch.byteLength : state.coRangeAndError.byteLength;
  for (const a of [state.core, state.colSums, state.coRangeOnes, state.rangeR, state.coreRange, state.errorRange]) b += a.byteLength;
  const m = state.maps;
  for (const a of [m.omegaT, m.omegaIdx, m.omegaVal, m.psi, m.psiIdx, m.psiVal]) b += a.byteLength;
  for (const p of [m.panel, m.panel32]) {
    if (p) b += p.layout ? packedBytes(p.dtype === 'float32' ? 4 : 8, p.rows, p.cols) : p.copy!.byteLength;
  }
  for (const a of Object.values(state.work)) if (ArrayBuffer.isView(a)) b += a.byteLength;
  b += state.work.resident?.bytes ?? 0;
  return b + (state.spill?.bytes?.() ?? 0);
}
