/** Multi-pass methods for replayable sources [HMT11, MM15, Bja19, Yu17; docs/METHODS.md §5-6]. */
export type { LowRankSvd } from './low-rank-svd.js';
export type { MultipassOptions, ResolvedMultipassOptions } from './multipass-options.js';
export { DEFAULT_MULTIPASS_TEST_MATRIX, DEFAULT_OVERSAMPLES, DEFAULT_POWER_ITERATIONS, resolveMultipassOptions } from './multipass-options.js';
export { randomizedSubspaceIteration } from './randomized-subspace-iteration.js';
export { rsvd } from './rsvd.js';
export type { RandomizedSvdOptions, RandomizedSvdResult } from './randomized-svd.js';
export { randomizedSvd } from './randomized-svd.js';
export type { BlockKrylovOptions } from './block-krylov.js';
export { blockKrylov, DEFAULT_KRYLOV_DEPTH } from './block-krylov.js';
export type { AnyViewsOptions } from './any-views.js';
export { anyViews } from './any-views.js';
export type { GramPassMethod, GramPassOptions, GramPassResult, GramPassState, GramSpill, PassSummary } from './gram-pass.js';
export { createGramPass, finishGramPass, forkGramPass, gramPassShard, releaseGramPass, updateGramPass } from './gram-pass.js';
export { leftFactorRows } from './left-factor-rows.js';
export { gramPassBytes } from './gram-pass-bytes.js';
export { rangeTestMatrix } from './range-test-matrix.js';
export { mergeGramPass, mergeGramPiece } from './merge-gram-pass.js';
export type { GramPiece } from './merge-gram-pass.js';
