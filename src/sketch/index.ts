/**
 * The single-pass sketch engine [TYUC17, TYUC19, Yu17, Lib13/GLPW16]: one plain record per method
 * (three-sketch/, two-sketch/, rsvd/, fd/, registered in registry.ts) and one face.
 *
 * Life cycle: create (src/plan's `createSketch`, which turns a budget into sizes) ->
 * `updateRows` / `updateColumns` / `updateEntries` / `updateLinear` (any order, any block size,
 * global row numbers) -> `mergeSketches` (shards with the same seed) -> `serializeSketch` /
 * `deserializeSketch` -> `reconstruct` (U, S, V) / `lowRankFactors` (Q C P^T) -> `estimateError`,
 * `screeBounds`, `chooseRank`. The range rows go to a `RangeSpill` (default `memorySpill()`); U is
 * formed blockwise from it by `applyRight`. See types.ts for the notation table.
 */
export type {
  SketchMethod, SketchTestMatrix, SketchDType, SizeRule, RangeSpill, SketchOptions, SketchSizes, SketchState,
  ThreeSketchState, TwoSketchState, RsvdState, FdState, LinearState, SketchHeader,
  Reconstruction, LowRankFactors, ErrorEstimate, ScreeBounds,
} from './types.js';
export { SKETCH_FORMAT_VERSION, SKETCH_FAMILY_TAG } from './types.js';
export type { SketchParams, LayoutEntry, MethodModule, ReconstructOptions } from './method.js';
export {
  allocateSketch, defaultChunk, explicitOrDefaultSizes, hasExplicitSizes, layoutBytes, sketchParamsOf,
  DEFAULT_CHUNK_ROWS, DEFAULT_ERROR_SKETCH_DIM, RSVD_ERROR_SKETCH_DIM, defaultErrorSketchDim, DEFAULT_TEST_MATRIX, MIN_CHUNK_ROWS,
} from './create.js';
export { methodOf, SKETCH_METHODS, isSketchMethod } from './registry.js';
export { updateRows, updateColumns, updateEntries, updateLinear, type LinearUpdate } from './update.js';
export { mergeSketches } from './merge.js';
export { serializeSketch, deserializeSketch } from './serialize.js';
export { stateBytes } from './state-bytes.js';
export { reconstruct, lowRankFactors } from './reconstruct.js';
export { estimateError, scaledNorm } from './estimate-error.js';
export { chiSquareRatioInside, effectiveDirections, estimateReliability, RELIABLE_PROBABILITY, type EstimateReliability } from './estimate-reliability.js';
export { measuredNorm, centeredNorm } from './measured-norm.js';
export { screeBounds } from './scree-bounds.js';
export { chooseRank } from './choose-rank.js';
export { memorySpill, isMemorySpill, MEMORY_SPILL_PAGE, type MemorySpill } from './memory-spill.js';
export { applyRight } from './apply-right.js';
export { flipColumns } from './linear/finish.js';
export { SignScan, signFlips, negateColumns } from './signs.js';
export { rsvdOversamples } from './rsvd/rsvd.js';
export { threeSketchBoundFactor, twoSketchBoundFactor } from './bounds.js';
export { disposeSketch } from './dispose.js';
