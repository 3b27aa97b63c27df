/**
 * rangefinder: the public numerics (pure: typed arrays in, typed arrays out; no I/O). The streams
 * entry point (`rangefinder/streams`) adds sources, RxJS operators, sinks, the multi-pass driver and
 * the CLI. What benches and the streams layer need beyond this face is in `./internals.js`.
 *
 * - In memory: `randomizedSvd` (scikit-learn's randomized_svd), `exactTruncatedSvd`, `svd`.
 * - Streaming, one pass, bounded memory: `createSketch` and the sketch life cycle (update, merge,
 *   serialize, reconstruct, estimateError, screeBounds, chooseRank).
 * - Planning: `planApprox` (what `rangefinder approx` runs), `planPasses`, `planSketch`.
 * - Accuracy: `spectralNorm` of `differenceOperator(A, U, s, V)` (Lanczos, never forming A - U S V^T).
 * - Test inputs with known spectra: `fromSpectrum`, `lowRankPlusNoise`, `polyDecay`, `expDecay`.
 */
export * from './errors.js';
export { zeros, fromArray, fromRows, transpose, frobeniusNorm, type Matrix, type Matrix64, type Matrix32, type Float, type DType } from './matrix.js';
export { randomizedSvd, type RandomizedSvdOptions, type RandomizedSvdResult } from './multipass/randomized-svd.js';
export type { LowRankSvd } from './multipass/low-rank-svd.js';
export { exactTruncatedSvd, numericalRank } from './linalg/exact-svd.js';
export { svd, type SvdResult, type SvdOptions } from './linalg/svd.js';
export { explainedVariance, type ExplainedVariance } from './linalg/explained-variance.js';
export { rankForEnergy, type RankForEnergy } from './linalg/rank-for-energy.js';
export { spectralNorm, type SpectralNormOptions } from './linalg/spectral-norm.js';
export { denseOperator, differenceOperator, type LinearOperator } from './linalg/linear-operator.js';
export {
  createSketch, planApprox, planPasses, planSketch, exactBytes,
  type ApproxMethod, type ApproxPlan, type ApproxQuery, type PassPlan, type PlanPassesOptions, type PlannedMethod, type Spectrum,
} from './plan/index.js';
export {
  updateRows, updateColumns, updateEntries, updateLinear, mergeSketches, serializeSketch, deserializeSketch,
  reconstruct, lowRankFactors, estimateError, screeBounds, chooseRank, stateBytes, disposeSketch, memorySpill, applyRight,
  DEFAULT_TEST_MATRIX, SKETCH_FORMAT_VERSION, SKETCH_FAMILY_TAG,
  type SketchMethod, type SketchTestMatrix, type SketchDType, type SizeRule, type RangeSpill, type SketchOptions, type SketchSizes,
  type SketchState, type ThreeSketchState, type TwoSketchState, type RsvdState, type FdState, type LinearState,
  type Reconstruction, type ReconstructOptions, type LowRankFactors, type ErrorEstimate, type ScreeBounds, type MemorySpill, type LinearUpdate,
} from './sketch/index.js';
export { fromSpectrum, lowRankPlusNoise, polyDecay, expDecay, haarOrthogonal, type SyntheticMatrix, type SyntheticOptions } from './synthetic/index.js';
export { kernelBackend } from './kernels/wasm-runtime.js';
