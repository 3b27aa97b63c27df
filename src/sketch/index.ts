/**
 * The single-pass sketch engine [TYUC17, TYUC19, Lib13/GLPW16]: plain data plus functions.
 *
 * Life cycle: `createSketch` -> `updateRows` / `updateColumns` / `updateEntries` / `updateLinear`
 * (any order, any block size, global row numbers) -> `mergeSketches` (shards with the same seed)
 * -> `serializeSketch` / `deserializeSketch` -> `reconstruct` (U, S, V) / `lowRankFactors` (Q C P^T)
 * -> `estimateError`, `screeBounds`, `chooseRank`.
 * The range rows go to a `RangeSpill` (default `memorySpill()`); U is formed blockwise from it by
 * `applyRight`. See types.ts for the notation table and sketch-sizes.ts for the memory budget.
 */
export type {
  SketchMethod, SketchTestMatrix, SizeRule, RangeSpill, SketchOptions, SketchSizes, SketchState,
  Reconstruction, LowRankFactors, ErrorEstimate, ScreeBounds,
} from './types.js';
export { SKETCH_FORMAT_VERSION, SKETCH_FAMILY_TAG } from './types.js';
export { createSketch } from './create-sketch.js';
export { updateRows } from './update-rows.js';
export { updateColumns } from './update-columns.js';
export { updateEntries } from './update-entries.js';
export { updateLinear, type LinearUpdate } from './update-linear.js';
export { mergeSketches } from './merge-sketches.js';
export { serializeSketch } from './serialize-sketch.js';
export { deserializeSketch } from './deserialize-sketch.js';
export { rowsSeen, sketchSizes } from './sketch-info.js';
export { stateBytes } from './state-bytes.js';
export { reconstruct, type ReconstructOptions } from './reconstruct.js';
export { lowRankFactors } from './low-rank-factors.js';
export { estimateError } from './estimate-error.js';
export { screeBounds } from './scree-bounds.js';
export { chooseRank } from './choose-rank.js';
export { memorySpill, isMemorySpill, type MemorySpill } from './memory-spill.js';
export { applyRight } from './apply-right.js';
export {
  sketchBytes, minimumBudget, sizesForBudget, sizesForStorage, threeSketchBoundFactor,
  twoSketchBoundFactor, DEFAULT_TEST_MATRIX, type SizeQuery,
} from './sketch-sizes.js';
export { disposeSketch } from './create-sketch.js';
